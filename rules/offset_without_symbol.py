"""offset-without-symbol: ``offset`` on a probe that is located by ``addr``.

Fixable together with the address: the offset merges into the resolved ``symbol_name`` + ``offset``.
"""

from migrator.check.rulekit import Hit, ProbeModel, Severity, addr_hit, probe_name
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

CODE = "PM107"
NAME = "offset-without-symbol"
SEVERITY = Severity.WARNING
PRIORITY = 20
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
SUMMARY = "offset set on a probe located by addr"
WHAT = """\
Checks for `.offset` on a probe that is located by `.addr`."""
WHY = """\
`.offset` is documented as an offset into `.symbol_name` (Documentation/trace/kprobes.rst), but
_kprobe_addr() (kernel/kprobes.c, Linux 6.12) adds it to a given `.addr` too: the probe lands at
addr + offset, which readers of the code rarely expect. Nothing checks that the sum stays in the
function `.addr` pointed to: it is folded into whichever symbol contains it
(kallsyms_lookup_size_offset()). Locate the probe by `.symbol_name` and keep the offset relative to
it; a non-zero offset still belongs to the build it was measured on."""
EXAMPLE = """\
#include <linux/kprobes.h>
static struct kprobe kp = {
	.addr = (kprobe_opcode_t *)0xffffffff81363fa0,
	.offset = 0x11,
};
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = {
	.symbol_name = "do_sys_openat2",
	.offset = 0x11,
};
"""
FIX = """\
With the address: when the probe's `.addr` is fixed (addr-literal, addr-computed, ...), the offset
is merged into the new `.symbol_name`/`.offset`. It has no fix of its own."""
FIX_SAFETY = """\
The address fix refuses an `.offset` that is not one constant, and a merged offset that would be
negative."""
REFERENCES = (
    "kernel/kprobes.c: _kprobe_addr() (Linux 6.12)",
    "Documentation/trace/kprobes.rst: register_kprobe, note 2",
)


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for w in model.offset_writes:
        if w.is_null or model.probe_has_symbol(w) or not model.probe_has_addr(w):
            continue
        hits.append(addr_hit(w, (
            f".offset {w.text} is added to the .addr of {probe_name(w)}; locate the probe by .symbol_name "
            "and keep the offset relative to it"
        )))
    return hits

# The offset is merged into the probe's new .symbol_name/.offset by the fix of its addr write.
FIXED_WITH_ADDR = True
