"""addr-computed: a kprobe address from arithmetic or another run-time value.

Flags ``kallsyms_lookup_name("s") + 0x12``, ``_text + C``, parameters, module parameters and table
fields written to ``addr``. The constant cases are fixable with a symbol map.
"""

from migrator.rulekit import COMPUTED, Hit, ProbeModel, Severity, addr_hit

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
