'''generated-probe-addr: a generator printing module code that writes a probe's addr.

Flags the ``addr`` of ``.addr = ...%...;`` / ``->addr = ...%...;`` inside a string literal of C or
Python code that writes C out (``fprintf``, ``out.write``): the address is spliced in when the
module source is generated, usually from /proc/kallsyms or System.map of the build host.
'''

from __future__ import annotations

from migrator.core.findings import Hit, Severity
from migrator.core.model import ProbeModel
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

CODE = "PM507"
NAME = "generated-probe-addr"
SEVERITY = Severity.WARNING
PRIORITY = 30
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
EXAMPLE_SUFFIX = ".py"
SUMMARY = "code generator emitting a kprobe addr write with an address spliced in"
WHAT = """\
Checks C and Python generators for string literals holding a C statement that writes a probe's
`addr` with a formatted value (`"\\tkp_%d.addr = (kprobe_opcode_t *)0x%x;\\n"`): the module they write
gets an address fixed at generation time. A message such as `"kp.addr = %p\\n"` is not a statement."""
WHY = """\
The generated module sets `kprobe.addr` to a constant (or a base plus a constant offset) taken on the
machine that ran the generator; register_kprobe() (kernel/kprobes.c, Linux 6.12) probes whatever
instruction is at that address on the machine that loads it. With KASLR, another build or a module
loaded elsewhere, check_kprobe_address_safe() refuses it or, worse, it lands inside another function.
Generators can emit `.symbol_name = "NAME"` and `.offset` and let the kernel resolve them when the
module registers (`addr-literal` reports the same in the generated module once it exists)."""
EXAMPLE = """\
import sys
syms = {"do_exit": 0xffffffff81097e20}
for i, name in enumerate(syms):
    sys.stdout.write("\\tkp_%d.addr = (kprobe_opcode_t *)0x%x;\\n" % (i, syms[name]))
"""
USE_INSTEAD = """\
import sys
syms = {"do_exit": 0xffffffff81097e20}
for i, name in enumerate(syms):
    sys.stdout.write("\\tkp_%d.symbol_name = \\"%s\\";\\n" % (i, name))
"""
FIX = """\
Never: the generator has to emit the symbol name (and offset) it resolved the address from."""
FIX_SAFETY = """\
No automatic fix: the generator's data (names, offsets) decides what to emit."""
NO_FIX = "emit .symbol_name (and .offset) instead of the resolved address"
REFERENCES = (
    "kernel/kprobes.c: register_kprobe(), check_kprobe_address_safe(), _kprobe_addr() (Linux 6.12)",
    "Documentation/trace/kprobes.rst: struct kprobe, symbol_name and offset",
)

MESSAGE = ("generates module code that writes a kprobe's addr with a value spliced in ({text}); the address "
           "is right for the generating machine's build only: emit .symbol_name and .offset instead")


def check(model: ProbeModel) -> list[Hit]:
    return [Hit(s.anchor.start, s.anchor.end, MESSAGE.format(text=s.detail.rstrip(";")), subject=s)
            for s in model.generated_probe_addrs]
