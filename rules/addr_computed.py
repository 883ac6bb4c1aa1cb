"""addr-computed: a kprobe address from arithmetic or another run-time value.

Flags ``kallsyms_lookup_name("s") + 0x12``, ``_text + C``, parameters, module parameters and table
fields written to ``addr``. The constant cases are fixable with a symbol map.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from migrator.check.rulekit import COMPUTED, FieldWrite, Hit, ProbeModel, Severity, addr_hit
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE, LINKER_MARKER_PATTERN

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

MARKER = re.compile(LINKER_MARKER_PATTERN)

CODE = "PM105"
NAME = "addr-computed"
SEVERITY = Severity.ERROR
PRIORITY = 30
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
SUMMARY = "kprobe address computed at run time"
WHAT = """\
Checks for kprobes whose `.addr` is computed at run time: `kallsyms_lookup_name("s") + 0x12`,
`_text + C`, a function parameter, a module parameter or a table field."""
WHY = """\
Arithmetic on a looked-up address buys nothing over `.symbol_name` plus `.offset`: _kprobe_addr()
(kernel/kprobes.c) computes address + offset and folds it with kallsyms_lookup_size_offset() in
both cases, so the probe lands on the same instruction. Neither form checks that the sum stays in
the function that was meant: it is folded into whichever symbol contains it, and on x86 only an
address that is not on an instruction boundary is refused (-EILSEQ, can_probe() in
arch/x86/kernel/kprobes/core.c).

What differs is everything around it. kallsyms_lookup_name() is not exported to modules since
Linux 5.7 (commit 0bd476e6c671), and when a name is missing it returns 0, so `0 + 0x12` reaches
register_kprobe() as an address no symbol contains (-ENOENT) instead of a missing name. A section
start plus a constant survives KASLR but not a rebuild; an address handed in as a module parameter
moves the problem to whoever computed it. By name the target is resolved in the running kernel; a
non-zero `.offset` is still specific to the build it was measured on."""
EXAMPLE = """\
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
	kp.addr = (kprobe_opcode_t *)(kallsyms_lookup_name("do_sys_openat2") + 0x11);
	return register_kprobe(&kp);
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "do_sys_openat2", .offset = 0x11 };
static int __init m_init(void)
{
	return register_kprobe(&kp);
}
"""
FIX = """\
Partly. Always for `kallsyms_lookup_name("s")` plus a constant (`.symbol_name = "s"` and
`.offset`); with a symbol map for a kernel symbol such as `_text` plus a constant; never for values
only known at run time."""
FIX_SAFETY = """\
Refuses run-time values (parameters, table fields, values that go through other code), a base symbol
the map lacks, an address the map cannot vouch for (outside the kernel text it describes, in module
space it has no symbols for, past the end of its symbol or only after a linker marker, or resolving
to a name that occurs more than once in it), and code where the probe is built by a function-like
macro, the code around it could not be parsed, the branch only builds for kernels before 2.6.19 (no
`.symbol_name`), the probe gets its address in more than one place, or `.addr` is read before
registration (after the rewrite it is NULL until register_kprobe() runs). The offset is carried over
unchanged: after the fix it is as build-specific as before."""
REFERENCES = (
    "kernel/kprobes.c: _kprobe_addr() (Linux 6.12)",
    "arch/x86/kernel/kprobes/core.c: can_probe()",
    "kernel/kallsyms.c: kallsyms_lookup_name()",
    "commit 0bd476e6c671: kallsyms: unexport kallsyms_lookup_name() (Linux 5.7)",
)


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
    from migrator.fix.kit import NEEDS_MAP, Plan, Refusal, c_string, migrate, resolved

    a = w.addr
    assert a is not None
    # kallsyms_lookup_name("_text") + C names a section start, not a function: resolve it like _text + C
    base_name = a.base if a.base is not None else a.symbol if a.symbol and MARKER.match(a.symbol) else None
    if a.symbol is not None and base_name is None and not a.via:
        plan = migrate(ctx.text, ctx.model, w, c_string(a.symbol), a.offset)
        if isinstance(plan, Plan):
            plan.explanation.insert(0, f'kallsyms_lookup_name("{a.symbol}") plus {a.offset:#x} became .symbol_name and '
                                       ".offset; register_kprobe() resolves them in the running kernel (a non-zero offset stays "
                                       "specific to this build)")
        return plan
    if base_name is not None and not a.via:
        if ctx.symbols is None:
            return Refusal(NEEDS_MAP)
        base = ctx.symbols.address_of(base_name)
        if base is None:
            return Refusal(f"{base_name} is not in {ctx.symbols.label}")
        return resolved(ctx, w, base + a.offset, f"{base_name} + {a.offset:#x} =")
    return Refusal("the address is only known at run time; pass a symbol name (and offset) instead")
