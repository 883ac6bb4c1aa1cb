"""addr-computed: a kprobe address from arithmetic or another run-time value.

Flags ``kallsyms_lookup_name("s") + 0x12``, ``_text + C``, parameters, module parameters and table
fields written to ``addr``. The constant cases are fixable with a symbol map.
"""

from migrator.check.rulekit import (
    COMPUTED,
    NEEDS_MAP,
    FieldWrite,
    FixContext,
    Hit,
    Plan,
    ProbeModel,
    Refusal,
    Severity,
    addr_hit,
    c_string,
    migrate,
    resolved,
)

CODE = "PM105"
NAME = "addr-computed"
SEVERITY = Severity.ERROR
PRIORITY = 30
SUMMARY = "kprobe address computed at run time"
RATIONALE = """\
An address assembled at run time (a symbol plus an offset, a section start plus a constant, a
value handed in as a module parameter) bypasses the checks register_kprobe() does when it resolves
.symbol_name + .offset: that the offset stays inside the symbol and is on an instruction boundary
(kernel/kprobes.c, _kprobe_addr() and check_kprobe_address_safe()). Express the target as a symbol
and an offset, or take the symbol name as the module parameter."""
BAD = """\
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
	kp.addr = (kprobe_opcode_t *)(kallsyms_lookup_name("do_sys_openat2") + 0x11);
	return register_kprobe(&kp);
}
"""
GOOD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "do_sys_openat2", .offset = 0x11 };
static int __init m_init(void)
{
	return register_kprobe(&kp);
}
"""


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for w in model.addr_writes:
        if w.addr is None or w.addr.kind != COMPUTED:
            continue
        a = w.addr
        if a.symbol is not None:
            what = f'kallsyms_lookup_name("{a.symbol}") {"+" if a.offset >= 0 else "-"} {hex(abs(a.offset))}'
            advice = f'set .symbol_name = "{a.symbol}" and .offset = {hex(a.offset)}'
        elif a.base is not None:
            what = f"{a.base} {'+' if a.offset >= 0 else '-'} {hex(abs(a.offset))}"
            advice = "resolve it to a symbol and an offset (fix --symbols MAP does this)"
        else:
            what = f"the run-time value `{w.text}`" if w.text else "a run-time value"
            advice = "pass a symbol name (and offset) instead and set .symbol_name"
        hits.append(addr_hit(w, f"kprobe address computed from {what}; {advice}"))
    return hits


def fix(w: FieldWrite, ctx: FixContext) -> Plan | Refusal:
    a = w.addr
    assert a is not None
    if a.symbol is not None and not a.via:
        plan = migrate(ctx.text, ctx.model, w, c_string(a.symbol), a.offset)
        if isinstance(plan, Plan):
            plan.explanation.insert(0, f'kallsyms_lookup_name("{a.symbol}") plus {a.offset:#x} became .symbol_name and '
                                       ".offset; register_kprobe() resolves them and checks the offset stays inside")
        return plan
    if a.base is not None and not a.via:
        if ctx.symbols is None:
            return Refusal(NEEDS_MAP)
        base = ctx.symbols.address_of(a.base)
        if base is None:
            return Refusal(f"{a.base} is not in {ctx.symbols.label}")
        return resolved(ctx, w, base + a.offset, f"{a.base} + {a.offset:#x} =")
    return Refusal("the address is only known at run time; pass a symbol name (and offset) instead")
