'''modparam-kaddr: a loader script handing a kernel address to a module as a module parameter.

Flags ``insmod mod.ko NAME=0x$A`` / ``modprobe mod NAME=$A`` where ``$A`` is read from /proc/kallsyms
or System.map in the script, or the value is a literal kernel address (``0xffffffff81363fb1``).
'''

from __future__ import annotations

from migrator.core.findings import Hit, Severity
from migrator.core.model import ProbeModel
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

CODE = "PM504"
NAME = "modparam-kaddr"
SEVERITY = Severity.WARNING
PRIORITY = 30
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
EXAMPLE_SUFFIX = ".sh"
SUMMARY = "loader script passing a kernel address to a module as a module parameter"
WHAT = """\
Checks shell scripts for `insmod`/`modprobe` parameters `NAME=VALUE` whose value is a kernel
address: a shell variable assigned from /proc/kallsyms or System.map in the script (`lookup_fn=0x$A`,
`probe_at=$TARGET`), or a literal in the kernel's half of the address space. In Python, a file that
runs `insmod`/`modprobe` and reads a symbol file: each parameter string formatted from a hex value
(`f"a1=0x{addr}"`, `"a1=0x%x" % addr`, `"a1=0x{}".format(addr)`)."""
WHY = """\
This is how modules get around the unexport of kallsyms_lookup_name() (Linux 5.7, commit
0bd476e6c671): the script reads the address in user space and the module casts the parameter to a
function pointer or places a kprobe at it. load_module() (kernel/module/main.c, Linux 6.12) parses
the parameter as a plain number (param_set_ulong(), kernel/params.c) and nothing checks that it
is a symbol of the running kernel. A map of another build, /proc/kallsyms read under
kptr_restrict (all zeros) or a stale value after a reboot with another KASLR offset makes the module
call or probe an arbitrary address. The module can take the symbol's name and place a kprobe by
`symbol_name`, or use an exported interface."""
EXAMPLE = """\
#!/bin/sh
A=$(grep ' T kallsyms_lookup_name$' /proc/kallsyms | cut -d' ' -f1)
insmod ./helper.ko lookup_fn=0x$A
"""
USE_INSTEAD = """\
#!/bin/sh
insmod ./helper.ko func=ip_rcv offset=0x10
"""
FIX = """\
Never: the module has to take a symbol name (and resolve it with a kprobe's `symbol_name`) instead."""
FIX_SAFETY = """\
No automatic fix: the module's parameter and the code that uses it change together."""
NO_FIX = "pass the symbol name to the module and let it place the probe by symbol_name"
REFERENCES = (
    "kernel/module/main.c: load_module(), parse_args() (Linux 6.12)",
    "kernel/params.c: param_set_ulong() (Linux 6.12)",
    "commit 0bd476e6c671 (kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol()), Linux 5.7",
)

MESSAGE = ("module parameter given the kernel address {text}{source}; the address breaks under KASLR, "
           "kptr_restrict and on any other build: pass the symbol name and let the module resolve it")
FROM_SYMBOL_FILE = " (${variable} is read from a symbol file)"


def check(model: ProbeModel) -> list[Hit]:
    return [Hit(s.anchor.start, s.anchor.end, MESSAGE.format(
        text=s.detail, source=FROM_SYMBOL_FILE.format(variable=s.name) if s.name else ""), subject=s)
        for s in model.modparam_addrs]
