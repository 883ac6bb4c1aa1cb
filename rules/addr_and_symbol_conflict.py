"""addr-and-symbol-conflict: one probe gets both ``symbol_name`` and ``addr``.

Fixable: the ``addr`` write is removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import COMPUTED, NULL, FieldWrite, Hit, ProbeModel, Severity, addr_hit, probe_name

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM106"
NAME = "addr-and-symbol-conflict"
SEVERITY = Severity.ERROR
PRIORITY = 90
SUMMARY = "both symbol_name and addr set on one probe"
WHAT = """\
Checks for a probe that gets both `.symbol_name` and a non-NULL `.addr`."""
WHY = """\
_kprobe_addr() (kernel/kprobes.c, Linux 6.12) accepts exactly one of `.addr` and `.symbol_name`:
with both (or neither) set it returns -EINVAL and register_kprobe() fails before anything is
probed (Documentation/trace/kprobes.rst: "If both are specified, kprobe registration will fail
with -EINVAL").

The same trap catches a module that registers a probe again: register_kprobe() writes the resolved
address back into `.addr`, and unregister_kprobes() leaves it there (it clears `.addr` only for a
probe that was not registered), so a struct with `.symbol_name` needs `.addr = NULL` before every
new registration."""
EXAMPLE = """\
#include <linux/kprobes.h>
static struct kprobe kp = {
	.symbol_name = "kernel_clone",
	.addr = (kprobe_opcode_t *)0xffffffff810a0a60,
};
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = {
	.symbol_name = "kernel_clone",
};
"""
FIX = """\
Always: the `.addr` write is removed and `.symbol_name` stays."""
FIX_SAFETY = """\
Refuses a write built by a macro or inside code that could not be parsed, a statement whose
removal would hand an unbraced if or loop the next statement, and code that reads `.addr` before
registration (after the fix it is NULL until register_kprobe() runs)."""
REFERENCES = (
    "kernel/kprobes.c: _kprobe_addr(), register_kprobe(), unregister_kprobes() (Linux 6.12)",
    "Documentation/trace/kprobes.rst: register_kprobe, note 3",
)


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for w in model.addr_writes:
        if w.addr is None or w.addr.kind == NULL or w.fallback or not model.probe_has_symbol(w):
            continue
        if _copied_from_descriptor(model, w):
            continue
        hits.append(addr_hit(w, (
            f"{probe_name(w)} gets both .symbol_name and .addr; register_kprobe() rejects that with "
            "-EINVAL: drop the .addr write"
        )))
    return hits


def _copied_from_descriptor(model: ProbeModel, w: FieldWrite) -> bool:
    """Both fields copied from run-time values (``kp.symbol_name = d->sym; kp.addr = d->raw;``): a
    descriptor that holds one or the other, not a conflict; addr-computed reports the addr."""
    a = w.addr
    if a is None or a.kind != COMPUTED or a.symbol is not None or a.base is not None:
        return False
    return all(s.string is None for s in model.symbols_of(w))


def fix(w: FieldWrite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.kit import remove_write

    return remove_write(ctx.text, ctx.model, w)
