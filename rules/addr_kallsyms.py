"""addr-kallsyms: a kprobe address looked up with kallsyms_lookup_name().

Flags ``kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_fork");``, the same through a wrapper
macro or function, through a local variable, or through a function pointer harvested with the
kprobe trick. Fixable: the name becomes ``.symbol_name``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import KALLSYMS, FieldWrite, Hit, ProbeModel, Severity, addr_hit

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM102"
NAME = "addr-kallsyms"
SEVERITY = Severity.ERROR
PRIORITY = 70
SUMMARY = "kprobe address looked up with kallsyms_lookup_name()"
RATIONALE = """\
kallsyms_lookup_name() has not been exported to modules since Linux 5.7 (commit 0bd476e6c671):
such a module fails at modpost ("kallsyms_lookup_name" undefined) or at insmod (Unknown symbol).
It was never needed for kprobes: register_kprobe() does the same lookup itself when .symbol_name
is set (kernel/kprobes.c, _kprobe_addr()), available since 2.6.19. Setting .symbol_name also keeps
the error path honest: a missing symbol gives -ENOENT from register_kprobe() instead of a probe at
address 0."""
BAD = """\
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
	kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_sys_openat2");
	return register_kprobe(&kp);
}
"""
GOOD = """\
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
	kp.symbol_name = "do_sys_openat2";
	return register_kprobe(&kp);
}
"""


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for w in model.addr_writes:
        if w.addr is None or w.addr.kind != KALLSYMS:
            continue
        name = f'"{w.addr.symbol}"' if w.addr.symbol else (w.addr.name_expr or "a name")
        via = f" (through {w.addr.helper}())" if w.addr.helper else ""
        hits.append(addr_hit(w, (
            f"kprobe address looked up with kallsyms_lookup_name({name}){via}, which modules cannot use "
            f"since Linux 5.7: set .symbol_name = {name} instead"
        )))
    return hits


def fix(w: FieldWrite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.kit import Plan, Refusal, c_string, migrate

    a = w.addr
    assert a is not None
    if a.symbol is not None:
        name = c_string(a.symbol)
    elif a.name_expr and a.name_static:
        name = a.name_expr
    else:
        return Refusal(f"the name {a.name_expr or ''} may not outlive the probe (a stack buffer or a parameter): "
                       ".symbol_name must point to memory that stays valid while the probe is registered")
    plan = migrate(ctx.text, ctx.model, w, name, 0)
    if isinstance(plan, Plan):
        plan.explanation.insert(0, f"{name} was looked up with kallsyms_lookup_name(), which modules cannot call "
                                   "since Linux 5.7; register_kprobe() now resolves .symbol_name itself")
    return plan
