'''sysmap-header-gen: a script writing kernel addresses from a symbol file into a C header.

Flags the ``0x`` of ``echo "#define ADDR_$s 0x$a"`` and of ``printf "#define %s 0x%s\\n"`` (awk too)
in a script that reads /proc/kallsyms or System.map: a build-time helper generating the addresses
an out-of-tree module is then compiled with.
'''

from __future__ import annotations

from migrator.core.findings import Hit, Severity
from migrator.core.model import ProbeModel
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

CODE = "PM505"
NAME = "sysmap-header-gen"
SEVERITY = Severity.WARNING
PRIORITY = 30
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
EXAMPLE_SUFFIX = ".sh"
SUMMARY = "script generating a C header of kernel addresses from a symbol file"
WHAT = """\
Checks shell scripts that read /proc/kallsyms or System.map for `#define` lines they print with an
address spliced after `0x` (`echo "#define ADDR_$s 0x$a"`, `printf "#define %s 0x%s\\n"`, awk's
printf): the addresses become constants of a module built from the generated header."""
WHY = """\
Since kallsyms_lookup_name() was unexported (Linux 5.7, commit 0bd476e6c671) some out-of-tree
modules get their addresses at build time instead: a Makefile step copies them out of the installed
System.map into a header. The constants are right for the one build the map belongs to and only while
KASLR is off; a kprobe at such a constant fails in register_kprobe() (kernel/kprobes.c,
check_kprobe_address_safe(), Linux 6.12) or probes another instruction, and a function pointer made
from it calls an arbitrary address. A kprobe placed by `symbol_name` (the name the script already
has) is resolved by the running kernel."""
EXAMPLE = """\
#!/bin/sh
a=$(awk '$3 == "do_exit" { print $1 }' /boot/System.map-$(uname -r))
echo "#define ADDR_do_exit 0x$a" > symaddrs.h
"""
USE_INSTEAD = """\
#!/bin/sh
echo '#define PROBE_SYMBOL "do_exit"' > symaddrs.h
"""
FIX = """\
Never: the module that includes the header has to place its probes by `symbol_name` instead."""
FIX_SAFETY = """\
No automatic fix: the generated constants are used by code the script does not show."""
NO_FIX = "generate symbol names (kprobe.symbol_name) instead of addresses"
REFERENCES = (
    "kernel/kprobes.c: register_kprobe(), check_kprobe_address_safe() (Linux 6.12)",
    "commit 0bd476e6c671 (kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol()), Linux 5.7",
    "Documentation/security/self-protection.rst: kernel address space layout randomization",
)

MESSAGE = ("generates C source with a kernel address from the symbol file ({text}); the constant is right for "
           "one build without KASLR only: generate the symbol name and place the probe by symbol_name")


def check(model: ProbeModel) -> list[Hit]:
    return [Hit(s.anchor.start, s.anchor.end, MESSAGE.format(text=s.detail), subject=s)
            for s in model.generated_addrs]
