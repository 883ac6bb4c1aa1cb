"""addr-and-symbol-conflict: one probe gets both ``symbol_name`` and ``addr``.

Fixable only when both values are constants (a string literal and a non-run-time address): then
the ``addr`` write is removed. A run-time pass-through or a negative test is reported, never fixed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from migrator.check.rulekit import COMPUTED, NULL, FieldWrite, Hit, ProbeModel, Severity, addr_hit, probe_name
from migrator.core.model import compatible, same_probe
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM106"
NAME = "addr-and-symbol-conflict"
SEVERITY = Severity.ERROR
PRIORITY = 90
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
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
new registration.

Only a conflict of two constants (a string literal and an address that is not computed at run time)
certainly fails. A tracer that passes a caller's symbol and a caller's address through to
register_kprobe() (`kp->symbol_name = req->sym; kp->addr = req->addr;`) usually sets one of them to
NULL at run time and lets the kernel reject a request with both: removing the address would remove a
feature. That is still reported (at warning severity: the code places probes by raw address, and a
request with both fails), with no fix. So is a negative test: a conflict in a function that compares
a result with -EINVAL, or in a function or file named as a test of invalid input (test, invalid,
negative, einval, reject, bad): it sets both on purpose and expects registration to fail, and it is
reported at info severity, never fixed. An `.addr` written only where `.symbol_name` tests NULL
(`if (!kp.symbol_name) kp.addr = ...;`, or the else arm of `if (kp.symbol_name)`) is a fallback,
never both: it is not a conflict (the addr rules judge the address itself)."""
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
When both values are constants: the `.addr` write is removed and `.symbol_name` stays."""
FIX_SAFETY = """\
Never fixes a run-time pass-through (the address is computed at run time or the symbol is not a
string literal: one of them may be NULL when the probe is registered) nor a negative test (see WHY):
both are reported only. Also refuses a write built by a macro or inside code that could not be parsed, a statement whose
removal would hand an unbraced if or loop the next statement, and code that reads `.addr` before
registration (after the fix it is NULL until register_kprobe() runs)."""
REFERENCES = (
    "kernel/kprobes.c: _kprobe_addr(), register_kprobe(), unregister_kprobes() (Linux 6.12)",
    "Documentation/trace/kprobes.rst: register_kprobe, note 3",
)


PASS_THROUGH = (
    "{0} gets both .symbol_name and .addr, and at least one of them is a run-time value ({1}): "
    "register_kprobe() fails with -EINVAL whenever both are non-NULL; if this passes a caller's "
    "choice through, make sure only one is set (not fixed: removing the .addr write would remove a feature)"
)
NEGATIVE_TEST = (
    "{0} gets both .symbol_name and .addr on purpose: this looks like a negative test that expects "
    "register_kprobe() to fail with -EINVAL ({1}); not fixed"
)
CONSTANT = (
    "{0} gets both .symbol_name and .addr; register_kprobe() rejects that with -EINVAL: drop the .addr write"
)
# A function named as a test, or a function or file named as a test of invalid input. A file named
# only "test" is not enough: many real probe modules are called test_kprobe.c.
_TEST_FILE = re.compile(r"invalid|negative|einval|reject|selftest|(?:^|_)bad(?:_|\.|$)", re.I)
_TEST_FUNCTION = re.compile(r"test|invalid|negative|einval|reject|(?:^|_)bad(?:_|$)", re.I)
# A value passed through: a name or a member chain (a parameter, a field copied from a request)
# after casts and parentheses, not a call or arithmetic.
_CAST = re.compile(r"^\(\s*[A-Za-z_][\w\s]*\**\s*\)\s*")
_PASS_THROUGH = re.compile(r"[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*|\s*\[[^\]]*\])*")

_MAYBE_NULL = re.compile(r"\?.*:\s*(?:NULL|0)\s*$|\?\s*(?:NULL|0)\s*:")


def passed_through(text: str) -> bool:
    t = text.strip()
    while True:
        u = _CAST.sub("", t).strip()
        if u.startswith("(") and u.endswith(")"):
            u = u[1:-1].strip()
        if u == t:
            break
        t = u
    if _MAYBE_NULL.search(t):  # cond ? x : NULL
        return True
    return bool(t) and _PASS_THROUGH.fullmatch(t) is not None and t != "NULL"


def _symbols(model: ProbeModel, w: FieldWrite) -> list[FieldWrite]:
    return [s for s in model.symbol_writes
            if not s.is_null and same_probe(s.probe, w.probe) and compatible(s.branch_path, w.branch_path)]


def kind_of(model: ProbeModel, w: FieldWrite) -> tuple[str, str]:
    """("constant" | "pass-through" | "negative-test", why): what this conflict is."""
    if w.function in model.einval_compares:
        return "negative-test", f"{w.function or 'the file'} compares a result with -EINVAL"
    name = model.path.rsplit("/", 1)[-1]
    for label, named in ((w.function, _TEST_FUNCTION), (name, _TEST_FILE)):
        if label and named.search(label):
            return "negative-test", f"{label} is named as a test"
    run_time = []
    a = w.addr
    if a is not None and a.kind == COMPUTED and passed_through(a.text or w.text):
        run_time.append(f".addr = {a.text or w.text}")
    run_time += [f".symbol_name = {s.text}" for s in _symbols(model, w)
                 if s.string is None and passed_through(s.text)]
    if run_time:
        return "pass-through", "; ".join(run_time)
    return "constant", ""


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for w in model.addr_writes:
        if w.addr is None or w.addr.kind == NULL or w.fallback or not model.probe_has_symbol(w):
            continue
        if w.symbol_unset:  # "if (!kp.symbol_name) kp.addr = ...": never both; the addr rules judge the addr
            continue
        if _copied_from_descriptor(model, w):  # both run-time values: addr-computed reports the addr
            continue
        kind, why = kind_of(model, w)
        if kind == "constant":
            hits.append(addr_hit(w, CONSTANT.format(probe_name(w))))
            continue
        hit = addr_hit(w, (PASS_THROUGH if kind == "pass-through" else NEGATIVE_TEST).format(probe_name(w), why))
        if hit.severity is None:
            hit.severity = Severity.WARNING if kind == "pass-through" else Severity.INFO
        hits.append(hit)
    return hits


def _copied_from_descriptor(model: ProbeModel, w: FieldWrite) -> bool:
    """Both fields copied from run-time values (``kp.symbol_name = d->sym; kp.addr = d->raw;``): a
    descriptor that holds one or the other, not a conflict; addr-computed reports the addr."""
    a = w.addr
    if a is None or a.kind != COMPUTED or a.symbol is not None or a.base is not None:
        return False
    return all(s.string is None for s in model.symbols_of(w))


def fix(w: FieldWrite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.kit import Refusal, remove_write

    kind, why = kind_of(ctx.model, w)
    if kind != "constant":
        return Refusal(f"a {kind} ({why}): both writes are kept on purpose")
    return remove_write(ctx.text, ctx.model, w)
