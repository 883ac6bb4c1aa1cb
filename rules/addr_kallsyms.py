"""addr-kallsyms: a kprobe address looked up with kallsyms_lookup_name().

Flags ``kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_fork");``, the same through a wrapper
macro or function, through a local variable, or through a function pointer harvested with the
kprobe trick. Fixable: the name becomes ``.symbol_name``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import KALLSYMS, FieldWrite, Hit, ProbeModel, Severity, addr_hit
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM102"
NAME = "addr-kallsyms"
SEVERITY = Severity.ERROR
PRIORITY = 70
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
SUMMARY = "kprobe address looked up with kallsyms_lookup_name()"
WHAT = """\
Checks for kprobes whose `.addr` comes from kallsyms_lookup_name(): directly
(`kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_fork");`), through a wrapper macro or
function, through a local variable, or through a pointer to kallsyms_lookup_name harvested with a
kprobe."""
WHY = """\
kallsyms_lookup_name() has not been exported to modules since Linux 5.7 (commit 0bd476e6c671,
"kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol()"; kernel/kallsyms.c of
Linux 6.12 still has no EXPORT_SYMBOL for it): such a module fails at modpost
("kallsyms_lookup_name" undefined!) or at insmod (Unknown symbol).

It was never needed for kprobes. With `.symbol_name` set, _kprobe_addr() (kernel/kprobes.c) calls
kprobe_lookup_name(), which is kallsyms_lookup_name() inside the kernel, or the architecture's
version (arch/powerpc/kernel/kprobes.c also finds the right entry point), and folds the result
exactly as it folds a given `.addr`: the probe lands on the same instruction. The error path gets
better too: kallsyms_lookup_name() returns 0 for an unknown name, which leaves `.addr` NULL with no
`.symbol_name`, and register_kprobe() fails with -EINVAL (neither field set); by name the failure is
-ENOENT."""
EXAMPLE = """\
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
	kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_sys_openat2");
	return register_kprobe(&kp);
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
	kp.symbol_name = "do_sys_openat2";
	return register_kprobe(&kp);
}
"""
FIX = """\
Always, when the name is a string literal or a name that outlives the probe: the lookup becomes
`.symbol_name` and the address variable, if it carried nothing else, goes away."""
FIX_SAFETY = """\
Refuses when the name is a buffer on the stack or a parameter: the probe would keep a pointer to it,
which must still be valid when register_kprobe() reads it, and the tool does not prove that. Also
refuses when the variable that carried the address is used for more than this probe, and when the
probe is built by a function-like macro, the code around it could not be parsed, the branch only
builds for kernels before 2.6.19 (no `.symbol_name`), the probe gets its address in more than one
place, or `.addr` is read before registration (after the rewrite it is NULL until register_kprobe()
runs)."""
REFERENCES = (
    "commit 0bd476e6c671: kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol() (Linux 5.7)",
    "kernel/kallsyms.c: kallsyms_lookup_name() (Linux 6.12: not exported)",
    "kernel/kprobes.c: kprobe_lookup_name(), _kprobe_addr(), register_kprobe() (Linux 6.12)",
    "arch/powerpc/kernel/kprobes.c: kprobe_lookup_name()",
)


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
