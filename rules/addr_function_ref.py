"""addr-function-ref: a kprobe address taken from a function designator (``f`` or ``&f``).

Fixable: ``&f`` becomes ``.symbol_name = "f"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import FUNCTION_REF, FieldWrite, Hit, ProbeModel, Severity, addr_hit

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM103"
NAME = "addr-function-ref"
SEVERITY = Severity.WARNING
PRIORITY = 50
SUMMARY = "kprobe address taken from a function designator"
RATIONALE = """\
Taking a function's address links the module against that symbol: a static or unexported kernel
function does not link at all, and an exported one may resolve to a CFI jump-table entry or a PLT
stub rather than the function body (with CONFIG_CFI_CLANG, &f is the jump-table slot), so the probe
lands on the stub. .symbol_name is resolved by kallsyms at registration and always names the
function itself (kernel/kprobes.c, _kprobe_addr())."""
BAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .addr = (kprobe_opcode_t *)&vfs_read };
"""
GOOD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "vfs_read" };
"""


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for w in model.addr_writes:
        if w.addr is None or w.addr.kind != FUNCTION_REF:
            continue
        sym = w.addr.symbol or "the function"
        hits.append(addr_hit(w, (
            f"kprobe address taken from the function {sym}; the linked address can be a stub and "
            f'unexported functions do not link: set .symbol_name = "{sym}"'
        )))
    return hits


def fix(w: FieldWrite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.kit import Plan, Refusal, c_string, migrate

    a = w.addr
    assert a is not None and a.symbol
    if a.local_function:
        return Refusal(f"{a.symbol}() is defined in this module: &{a.symbol} keeps it out of line, while by name the "
                       f"compiler may inline it away; mark it noinline and use KBUILD_MODNAME \":{a.symbol}\" by hand")
    plan = migrate(ctx.text, ctx.model, w, c_string(a.symbol), 0)
    if isinstance(plan, Plan):
        plan.explanation.insert(0, f"the address of {a.symbol} was taken at link time; .symbol_name is resolved by "
                                   "kallsyms at registration and names the function itself")
    return plan
