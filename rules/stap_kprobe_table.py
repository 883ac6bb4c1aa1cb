"""stap-kprobe-table: a SystemTap 4.x ``stap_kprobe_probes[]`` entry that places its kprobe by address.

The translator emits one entry per kernel.function / .return / .call / kernel.statement probe, e.g.
``{ .address=(unsigned long)0x3669e0ULL, .module="kernel", .section="_stext", .probe=(&stap_probes[0]), ... }``,
and the runtime (linux/kprobes.c, stapkp_prepare_kprobe) sets ``kp->addr`` from
``_stp_kmodule_relocate(module, section, address)``. Absolute statement probes carry ``.section=""``
and the raw address. Entries in the shape kprobe.function probes get (``.symbol_name``/``.offset``,
empty ``.module``/``.section``, zero ``.address``) are registered by name and are clean.

A rule of its own, not part of addr-relocated: there is no ``addr`` write in the generated file to
anchor on (the runtime that writes it is SystemTap's, compiled in from elsewhere), the subject is a
data entry, and the fix rewrites only that entry. The 2008 shape, whose relocation loop is in the
file, stays addr-relocated's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import RELOCATED, Hit, ProbeModel, Severity
from migrator.core.model import ProbeTable, TableEntry
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE, RELOCATION_HELPERS

if TYPE_CHECKING:
    from migrator.core.findings import Edit
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM108"
NAME = "stap-kprobe-table"
SEVERITY = Severity.ERROR
PRIORITY = 55
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
SUMMARY = "SystemTap probe table entry placing a kprobe by (module, section, address) or absolute address"
WHAT = """\
Checks SystemTap 4.x generated C (`stap -p3 -k` output) for `stap_kprobe_probes[]` entries that place
a kernel probe by `.module`/`.section`/`.address` (kernel.function, .return, .call, kernel.statement,
module(...) probes) or by an absolute address (`.section ""`), anchored on the entry's `.address`."""
WHY = """\
SystemTap's runtime (linux/kprobes.c, stapkp_prepare_kprobe()) turns such an entry into kp->addr with
_stp_kmodule_relocate(): _stext (or the module section's load address) plus the offset the
translator measured in the debuginfo of one kernel build. That offset is right for that build only:
a rebuild, -ffunction-sections or linker stubs move the functions. An absolute statement probe
registers a raw address, which KASLR moves at every boot. This is the scheme the 2008 LKML thread
"systemtap: begin the process of using proper kernel APIs (part1: use kprobe symbol_name/offset
instead of address)" set out to remove. The translator already emits the safe shape for
kprobe.function probes (.symbol_name/.offset, empty .module/.section), which the runtime registers
by name: register_kprobe() resolves the name in the running kernel (kernel/kprobes.c,
_kprobe_addr(), Linux 6.12)."""
EXAMPLE = """\
static struct stap_kprobe_probe stap_kprobe_probes[] = {
  { .address=(unsigned long)0x3669e0ULL, .module="kernel", .section="_stext", .probe=(&stap_probes[0]), .kprobe=&stap_kprobes[0], },
};
"""
USE_INSTEAD = """\
static struct stap_kprobe_probe stap_kprobe_probes[] = {
  { .address=(unsigned long)0x0ULL, .module="", .section="", .symbol_name="vfs_read", .offset=(unsigned int)0, .probe=(&stap_probes[0]), .kprobe=&stap_kprobes[0], },
};
"""
FIX = """\
With a symbol map of the kernel the script was translated for (`fix --symbols MAP`): each entry
becomes the kprobe.function shape (.symbol_name/.offset, empty .module and .section, zero .address);
_stext-relative addresses resolve through the map's _stext, absolute ones directly. Module entries
keep .module and the translator's "module:function" name."""
FIX_SAFETY = """\
Refused, with the reason: the map resolves the address to another function than the probe point
names (another kernel, or an inlined copy that has no symbol of its own), a return probe would not
sit at a function entry, a module entry and a map without that module's symbols. An absolute address
migrates with a warning: nothing names a function to check the map against. A non-zero offset stays
specific to the build."""
REFERENCES = (
    "SystemTap runtime linux/kprobes.c: stapkp_prepare_kprobe(), stapkp_init() (SystemTap 4.8)",
    "kernel/kprobes.c: _kprobe_addr() (Linux 6.12)",
    "LKML 2008: systemtap: begin the process of using proper kernel APIs (part1: use kprobe symbol_name/offset "
    "instead of address)",
)

STAP_RELOCATE = RELOCATION_HELPERS
SECTION_RELATIVE, ABSOLUTE = "section-relative", "absolute"  # how an entry places its probe
KERNEL_SECTIONS = ("_stext", "_text", ".text")


def placement(e: TableEntry) -> str | None:
    """SECTION_RELATIVE (module + section + offset), ABSOLUTE (section "" and an address), or None when
    the entry is placed by .symbol_name (or places nothing)."""
    if e.section:
        return SECTION_RELATIVE if e.module else None
    if e.address != 0:
        return ABSOLUTE
    return None


def _relocated_in_file(model: ProbeModel) -> bool:
    """The 2008 shape: the file's own loop relocates the table (addr-relocated reports the loop)."""
    return any(w.addr is not None and w.addr.kind == RELOCATED and w.addr.helper in STAP_RELOCATE
               for w in model.addr_writes)


def map_command(table: ProbeTable, module: str = "") -> str:
    """Exactly what to run to migrate the table."""
    if module:
        return (f"load {module}, save `cat /proc/kallsyms > kallsyms.txt` (as root), then run "
                "`probe-migrator fix --symbols kallsyms.txt --write DIR` on this file or its kept build directory DIR")
    rel = table.release
    if rel:
        return (f"run `probe-migrator fix --symbols /usr/lib/debug/boot/System.map-{rel} --write DIR` on this file "
                f"or its kept build directory DIR (System.map from linux-image-{rel}-dbg; "
                f"/boot/System.map-{rel} is the same map)")
    return ("run `probe-migrator fix --symbols /boot/System.map-RELEASE --write DIR` on this file or its kept build "
            "directory DIR, RELEASE being the kernel the script was translated for (stap -r)")


def _pp(e: TableEntry) -> str:
    return e.pp or "the probe"


def check(model: ProbeModel) -> list[Hit]:
    if not model.probe_tables or _relocated_in_file(model):
        return []
    hits = []
    for table in model.probe_tables:
        for e in table.entries:
            how = placement(e)
            if how is None:
                continue
            addr = f"{e.address:#x}" if e.address >= 0 else "(not a constant)"
            if how == ABSOLUTE:
                what = (f"registers the absolute address {addr} (.section \"\"), which KASLR moves at every "
                        "boot and any rebuild of the kernel invalidates")
            elif e.module == "kernel":
                what = (f"relocates .address {addr} against {e.section} (_stext + offset, "
                        "_stp_kmodule_relocate() in stapkp_prepare_kprobe()), an offset measured in one kernel build "
                        "that -ffunction-sections, linker stubs and any rebuild move")
            else:
                what = (f"relocates .address {addr} against {e.section} of module {e.module} "
                        "(_stp_kmodule_relocate() in stapkp_prepare_kprobe()), an offset measured in one build of it")
                if e.symbol_name:
                    what += f"; its .symbol_name \"{e.symbol_name}\" is used only when that relocation fails"
            hits.append(Hit(
                e.anchor.start, e.anchor.end,
                f"SystemTap probe {_pp(e)} is placed by address: the runtime {what}; give the entry the shape "
                "kprobe.function probes get (.symbol_name/.offset, empty .section, zero .address), which is "
                "registered by name",
                notes=["to migrate: " + map_command(table, e.module if how == SECTION_RELATIVE and e.module != "kernel"
                                                     else "")],
                subject=e))
    return hits


def fix(e: TableEntry, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.kit import CLONE_SUFFIX, Plan, Refusal

    table = next(t for t in ctx.model.probe_tables if any(x is e for x in t.entries))
    how = placement(e)
    syms = ctx.symbols
    if how is None:
        return Refusal("the entry is already placed by .symbol_name")
    if e.address < 0:
        return Refusal(f"{_pp(e)}: .address is not a constant")
    if syms is None:
        module = e.module if how == SECTION_RELATIVE and e.module != "kernel" else ""
        return Refusal("needs a symbol map of the kernel the script was translated for: " + map_command(table, module))
    if how == SECTION_RELATIVE and e.module != "kernel":
        return _module_entry(e, ctx)
    if how == SECTION_RELATIVE:
        if e.section not in KERNEL_SECTIONS:
            return Refusal(f"{_pp(e)}: .section \"{e.section}\" of the kernel has no base in a symbol map; "
                           "set .symbol_name/.offset by hand")
        marker = "_text" if e.section == "_text" else "_stext"
        base = syms.address_of(marker)
        if base is None:
            return Refusal(f"{marker} is not in {syms.label}")
        address = base + e.address
        how_text = f"{marker}+{e.address:#x} = {address:#x}"
    else:
        address = e.address
        how_text = f"absolute {address:#x}"
    res = syms.resolve(address)
    if not res.ok or res.symbol is None:
        return Refusal(f"{_pp(e)}: {res.refused or 'not resolvable'}")
    sym, off = res.symbol, res.offset
    if sym.module is not None:
        return Refusal(f"{_pp(e)}: {how_text} resolves to {sym.qualified}+{off:#x}, a module symbol, in {syms.label}, "
                       "but the entry places a kernel probe: the map is not the kernel the script was translated for")
    if e.function and CLONE_SUFFIX.sub("", sym.name) != e.function:
        return Refusal(f"{_pp(e)} names {e.function}, but {how_text} resolves to {sym.qualified}+{off:#x} in "
                       f"{syms.label}: the map is not the kernel the script was translated for (or the probe is an "
                       f"inlined copy of {e.function}, which has no symbol of its own)")
    if e.is_return and off:
        return Refusal(f"{_pp(e)} is a return probe, but {how_text} resolves to {sym.qualified}+{off:#x} in "
                       f"{syms.label}, not a function entry: the map does not match the kernel the script was "
                       "translated for")
    plan = Plan(_edits(ctx.text, e, sym.qualified, off, keep_module=False), targets=[(sym.qualified, off)])
    plan.explanation.append(f"{_pp(e)}: {how_text} resolved with {syms.label} to {sym.qualified}"
                            + (f"+{off:#x}" if off else "") + " (.symbol_name/.offset; .module, .section emptied, "
                            ".address zeroed: the runtime registers it by name)")
    plan.warnings.extend(res.warnings)
    if how == ABSOLUTE:
        plan.warnings.append(f"{_pp(e)} names no function, so nothing checks the map against it: {address:#x} is "
                             f"only right with {syms.label} if both come from the same boot (a /proc/kallsyms dump "
                             "of the boot the address was read in) or from a kernel booted with nokaslr")
    return plan


def _module_entry(e: TableEntry, ctx: FixContext) -> Plan | Refusal:
    """A module probe: the map must know the module's symbols; the translator's own .symbol_name
    ("ext4:ext4_file_open") and .offset, checked against the map and the probe point, are kept."""
    from migrator.fix.kit import CLONE_SUFFIX, Plan, Refusal

    syms = ctx.symbols
    assert syms is not None
    if not syms.has_modules or not any(s.module == e.module for s in syms.text):
        return Refusal(f"{_pp(e)} is in module {e.module} (.section \"{e.section}\"), and {syms.label} has no symbols "
                       f"of {e.module}: load it and dump /proc/kallsyms, then run fix with that map")
    if not e.symbol_name or e.offset is None:
        return Refusal(f"{_pp(e)}: a {e.module}:{e.section}-relative .address without the translator's "
                       ".symbol_name/.offset; a symbol map has no section bases, set them by hand")
    name = e.symbol_name if ":" in e.symbol_name else f"{e.module}:{e.symbol_name}"
    count = syms.names.get(name, 0)
    if count == 0:
        return Refusal(f"{_pp(e)}: {name} is not in {syms.label}: the map is not the build of {e.module} the script "
                       "was translated for")
    if count > 1:
        return Refusal(f"{name} occurs {count} times in {syms.label}; the kernel would take the first one")
    bare = name.split(":", 1)[1]
    if e.function and CLONE_SUFFIX.sub("", bare) != e.function:
        return Refusal(f"{_pp(e)} names {e.function}, but the entry's .symbol_name is {name}")
    if e.is_return and e.offset:
        return Refusal(f"{_pp(e)} is a return probe at {name}+{e.offset:#x}, not at a function entry")
    plan = Plan(_edits(ctx.text, e, name, e.offset, keep_module=True), targets=[(name, e.offset)])
    plan.explanation.append(f"{_pp(e)}: {name}+{e.offset:#x} (the translator's .symbol_name/.offset, found in "
                            f"{syms.label}); .section emptied and .address zeroed so the runtime registers it by name "
                            f"when {e.module} loads")
    return plan


def _edits(text: str, e: TableEntry, name: str, offset: int, keep_module: bool) -> list[Edit]:
    from migrator.core.findings import Edit
    from migrator.fix.rewrite import c_string

    items = e.items
    edits = []
    a_value = items["address"][1]
    old = text[a_value.start:a_value.end]
    edits.append(Edit(a_value.start, a_value.end, "(unsigned long)0x0ULL" if "unsigned long" in old else "0"))
    if "module" in items and not keep_module:
        edits.append(Edit(items["module"][1].start, items["module"][1].end, '""'))
    if "section" in items:
        edits.append(Edit(items["section"][1].start, items["section"][1].end, '""'))
    if keep_module:  # the translator's own .symbol_name/.offset stay as written
        return edits
    off_text = "(unsigned int)" + (f"{offset:#x}" if offset else "0")
    if "symbol_name" in items:
        edits.append(Edit(items["symbol_name"][1].start, items["symbol_name"][1].end, c_string(name)))
        if "offset" in items:
            edits.append(Edit(items["offset"][1].start, items["offset"][1].end, off_text))
        return edits
    last = max((items[k][0] for k in ("address", "module", "section") if k in items), key=lambda s: s.end)
    edits.append(Edit(last.end, last.end, f", .symbol_name={c_string(name)}, .offset={off_text}"))
    return edits
