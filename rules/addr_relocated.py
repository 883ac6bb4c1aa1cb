"""addr-relocated: a kprobe address from a hand-rolled relocation or resolution helper.

Flags SystemTap's ``kp->u.kp.addr = (void *)_stp_module_relocate(module, section, offset)`` loop,
module base + offset arithmetic and in-module /proc/kallsyms parsers feeding ``addr``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import RELOCATED, FieldWrite, Hit, ProbeModel, Severity, addr_hit
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE, RELOCATION_HELPERS

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM104"
NAME = "addr-relocated"
SEVERITY = Severity.ERROR
PRIORITY = 60
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
SUMMARY = "kprobe address computed by a hand-rolled relocation helper"
WHAT = """\
Checks for kprobes whose `.addr` comes from a hand-rolled relocation: SystemTap's
`kp->u.kp.addr = (void *)_stp_module_relocate(module, section, offset)` loop, a module base plus an
offset, or a /proc/kallsyms parser inside the module."""
WHY = """\
Relocating a section offset by hand re-implements kallsyms and the module loader, and is only right
while the layout is the one the offset was measured on: KASLR moves the base, -ffunction-sections
splits .text, linker stubs and padding shift functions, and Linux 6.4 replaced the core_layout and
init_layout of struct module with `mem[MOD_MEM_NUM_TYPES]` (struct module_memory,
include/linux/module.h; commit ac3b43283923), so code reading `mod->core_layout.base` no longer
builds.

register_kprobe() resolves `.symbol_name` itself, "module:symbol" included: kallsyms_lookup_name()
hands a name it does not find in vmlinux to module_kallsyms_lookup_name(), which splits
"module:symbol" (__module_kallsyms_lookup_name() in kernel/module/kallsyms.c), and _kprobe_addr()
(kernel/kprobes.c) adds `.offset`. The relocation step can go. A non-zero offset stays as
build-specific as the relocated one was; only offset 0 at a function entry is portable."""
EXAMPLE = """\
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
	kp.addr = (void *)_stp_module_relocate("kernel", "_stext", 0x2a1b4);
	return register_kprobe(&kp);
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "vfs_read", .offset = 0x14 };
static int __init m_init(void)
{
	return register_kprobe(&kp);
}
"""
FIX = """\
Partly. Always when the helper looked a name up (the name becomes `.symbol_name`); with a symbol
map when the arguments are constants relative to the kernel's `_stext` or `_text`, and for
SystemTap's 2008 relocation loop (its table entries get `.symbol_name`/`.offset`); never for
module-relative offsets or run-time arguments."""
FIX_SAFETY = """\
Refuses module sections (a kernel map has no module section bases), run-time arguments, an offset it
cannot read, `_stext` missing from the map, a SystemTap table entry whose recorded function
disagrees with the map or whose return probe would land off a function entry, and an address the map
cannot vouch for (outside the kernel text it describes, in module space it has no symbols for, past
the end of its symbol or only after a linker marker, or resolving to a name that occurs more than
once in it). Also refuses when the probe is built by a function-like macro, the code around it could
not be parsed, the branch only builds for kernels before 2.6.19 (no `.symbol_name`), the probe gets
its address in more than one place, or `.addr` is read before registration (after the rewrite it is
NULL until register_kprobe() runs)."""
REFERENCES = (
    "kernel/kprobes.c: _kprobe_addr() (Linux 6.12)",
    'kernel/module/kallsyms.c: __module_kallsyms_lookup_name() ("module:symbol")',
    "include/linux/module.h: struct module_memory (Linux 6.4, commit ac3b43283923)",
)


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for w in model.addr_writes:
        if w.addr is None or w.addr.kind != RELOCATED:
            continue
        via = f" {w.addr.helper}()" if w.addr.helper else " a module base plus an offset"
        hits.append(addr_hit(w, (
            f"kprobe address computed by the hand-rolled relocation{via}; set .symbol_name "
            "(\"module:symbol\" for module code) and .offset and let register_kprobe() resolve it"
        )))
    return hits

KERNEL_SECTIONS = ("_stext", "_text", ".text")
STAP_RELOCATE = RELOCATION_HELPERS
STAP_2008 = (
    "SystemTap relocation loop: give the probe table's struct .symbol_name and .offset fields, fill each "
    "entry from the kernel map (address = _stext + .address), and in the loop set kp->u.kp.symbol_name/offset "
    "(kp->u.krp.kp.* for returns) instead of calling _stp_module_relocate(); kernel-module probes become "
    "\"module:function\" names")


def fix(w: FieldWrite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.kit import NEEDS_MAP, Plan, Refusal, c_string, migrate, resolved

    a = w.addr
    assert a is not None
    args = a.args
    helper = f"{a.helper}()" if a.helper else "the module base + offset arithmetic"
    if a.symbol:
        plan = migrate(ctx.text, ctx.model, w, c_string(a.symbol), 0)
        if isinstance(plan, Plan):
            plan.explanation.insert(0, f'{helper} looked "{a.symbol}" up inside the module; register_kprobe() '
                                       "resolves .symbol_name in the running kernel")
        return plan
    if a.via or not a.constant_args:
        if a.helper in STAP_RELOCATE:
            return _stap_loop(w, ctx)
        return Refusal(f"{helper} gets run-time arguments: change its callers to set .symbol_name/.offset by hand")
    if len(args) != 3:
        return Refusal(f"{helper} takes module-relative arguments; a kernel map has no module section bases, "
                       "so set .symbol_name = \"module:function\" (and .offset) by hand")
    module, section, offset = (x.strip('"') for x in args)
    if module != "kernel" or section not in KERNEL_SECTIONS:
        return Refusal(f"{module}:{section} is module-relative; the map has no section bases, resolve it by hand")
    if ctx.symbols is None:
        return Refusal(NEEDS_MAP)
    base = ctx.symbols.address_of("_stext" if section != "_text" else "_text")
    if base is None:
        return Refusal(f"{section} is not in {ctx.symbols.label}")
    try:
        off = int(offset.rstrip("uUlL"), 0)
    except ValueError:
        return Refusal(f"cannot read the offset {offset}")
    return resolved(ctx, w, base + off, f"{a.helper}(\"{module}\", \"{section}\", {offset}) =")


def _stap_loop(w: FieldWrite, ctx: FixContext) -> Plan | Refusal:
    """SystemTap's 2008 loop: table entries get .symbol_name/.offset, the loop stops relocating."""
    from migrator.core.findings import Edit
    from migrator.fix.kit import NEEDS_MAP, Plan, Refusal
    from migrator.fix.rewrite import insert_lines_after, insert_statement_after, remove_span

    a = w.addr
    assert a is not None
    base = a.arg_texts[2][: -len("address")] if len(a.arg_texts) == 3 and a.arg_texts[2].endswith("address") else ""
    tables = [t for t in ctx.model.probe_tables if t.entries and t.address_member is not None]
    if not base or len(tables) != 1 or not a.via or w.via_removals is None:
        return Refusal(STAP_2008)
    if ctx.symbols is None:  # only the map is missing
        return Refusal(NEEDS_MAP)
    table, text = tables[0], ctx.text
    stext = ctx.symbols.address_of("_stext")
    if stext is None:
        return Refusal(f"_stext is not in {ctx.symbols.label}")
    edits = []
    notes = []
    targets: list[tuple[str, int]] = []
    for e in table.entries:
        if e.module != "kernel" or e.section not in KERNEL_SECTIONS or e.address < 0:
            return Refusal(f"{table.name} has a {e.module}:{e.section} entry; module offsets cannot be resolved "
                           "from a kernel map. " + STAP_2008)
        res = ctx.symbols.resolve(stext + e.address)
        if not res.ok or res.symbol is None:
            return Refusal(f"{table.name} entry .address={e.address:#x}: {res.refused}")
        if e.function and e.function != res.symbol.name:
            return Refusal(f"{table.name} says {e.function} but .address={e.address:#x} resolves to "
                           f"{res.symbol.qualified}+{res.offset:#x} in {ctx.symbols.label}: the table was generated "
                           "for another kernel")
        if e.is_return and res.offset:
            return Refusal(f"{table.name} return probe at {res.symbol.qualified}+{res.offset:#x} is not at a "
                           "function entry: the map does not match the kernel the table was generated for")
        item = text[e.address_item.start:e.address_item.end]
        eq = item[item.index("address") + len("address"):item.index("=") + 1]
        new = f'.symbol_name{eq}"{res.symbol.qualified}"' + (f", .offset{eq}{res.offset:#x}" if res.offset else "")
        edits.append(Edit(e.address_item.start, e.address_item.end, new))
        notes.append(f"{e.address:#x} (_stext+) = {res.symbol.qualified}+{res.offset:#x}")
        targets.append((res.symbol.qualified, res.offset))
    assert table.address_member is not None
    edits.append(insert_lines_after(text, table.address_member.end, table.address_member.start,
                                    ["const char *symbol_name;", "unsigned int offset;"]))
    group = [x for x in ctx.model.addr_writes if x.addr is not None and x.addr.via == a.via
             and x.addr.via_at == a.via_at and x.function == w.function]
    for x in group:
        prefix = text[x.item_span.start:x.anchor.start]
        edits.append(Edit(x.anchor.start, x.value_span.end, f"symbol_name = {base}symbol_name"))
        edits.append(insert_statement_after(text, x, f"{prefix}offset = {base}offset;"))
    edits.extend(remove_span(text, sp.start, sp.end) for sp in w.via_removals)
    plan = Plan(edits, covers=[x for x in group if x is not w], targets=targets)
    plan.explanation.append(
        f"{table.name} entries now name their probe point by .symbol_name/.offset, resolved with "
        f"{ctx.symbols.label} from _stext ({stext:#x}): " + "; ".join(notes))
    plan.explanation.append(f"the registration loop sets symbol_name/offset instead of calling {a.helper}(), "
                            "so register_kprobe() resolves each probe in the running kernel")
    return plan
