"""offset-without-symbol: ``offset`` on a probe that is located by ``addr``.

Fixable together with the address: the offset merges into the resolved ``symbol_name`` + ``offset``.
"""

from migrator.check.rulekit import Hit, ProbeModel, Severity, addr_hit, probe_name

CODE = "PM107"
NAME = "offset-without-symbol"
SEVERITY = Severity.WARNING
PRIORITY = 20
SUMMARY = "offset set on a probe located by addr"
RATIONALE = """\
.offset is meant to be relative to .symbol_name. With .addr it is silently added to the address
(kernel/kprobes.c, _kprobe_addr()), so the probe lands at addr + offset, which readers of the code
rarely expect, and the kernel's check that the offset stays inside the symbol does not protect a
hand-made address. Locate the probe by .symbol_name and keep .offset relative to it."""
BAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = {
	.addr = (kprobe_opcode_t *)0xffffffff81363fa0,
	.offset = 0x11,
};
"""
GOOD = """\
#include <linux/kprobes.h>
static struct kprobe kp = {
	.symbol_name = "do_sys_openat2",
	.offset = 0x11,
};
"""


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
