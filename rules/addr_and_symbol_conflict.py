"""addr-and-symbol-conflict: one probe gets both ``symbol_name`` and ``addr``.

Fixable: the ``addr`` write is removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import NULL, FieldWrite, Hit, ProbeModel, Severity, addr_hit, probe_name

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM106"
NAME = "addr-and-symbol-conflict"
SEVERITY = Severity.ERROR
PRIORITY = 90
SUMMARY = "both symbol_name and addr set on one probe"
RATIONALE = """\
register_kprobe() accepts exactly one of .addr and .symbol_name: with both (or neither) set,
_kprobe_addr() returns -EINVAL (kernel/kprobes.c). The probe is never registered. This also bites
modules that re-register a probe: register_kprobe() writes the resolved address back into .addr,
so a struct with .symbol_name must have .addr reset to NULL before it is registered again."""
BAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = {
	.symbol_name = "kernel_clone",
	.addr = (kprobe_opcode_t *)0xffffffff810a0a60,
};
"""
GOOD = """\
#include <linux/kprobes.h>
static struct kprobe kp = {
	.symbol_name = "kernel_clone",
};
"""


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for w in model.addr_writes:
        if w.addr is None or w.addr.kind == NULL or w.fallback or not model.probe_has_symbol(w):
            continue
        hits.append(addr_hit(w, (
            f"{probe_name(w)} gets both .symbol_name and .addr; register_kprobe() rejects that with "
            "-EINVAL: drop the .addr write"
        )))
    return hits


def fix(w: FieldWrite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.kit import remove_write

    return remove_write(ctx.text, ctx.model, w)
