"""Fixing an AddrSite (tracefs definition, attach call): resolve the address, fill in the edit templates."""

from __future__ import annotations

from migrator.core.findings import Edit
from migrator.core.model import AddrSite
from migrator.fix.rewrite import Plan, Refusal
from migrator.fix.symbols import SymbolMap

NEEDS_MAP = ("needs a symbol map of the target kernel: run `probe-migrator fix --symbols System.map` "
             "(or a /proc/kallsyms dump)")


def fix_site(site: AddrSite, symbols: SymbolMap | None) -> Plan | Refusal:
    if site.refusal:
        return Refusal(site.refusal)
    if site.address is None or not site.edits:
        return Refusal("the address is only known at run time; use the symbol name instead")
    if symbols is None:
        return Refusal(NEEDS_MAP)
    res = symbols.resolve(site.address)
    if not res.ok or res.symbol is None:
        return Refusal(res.refused or "not resolvable")
    name = res.symbol.qualified
    if site.kretprobe and res.offset:
        return Refusal(f"{site.address:#x} resolves to {name}+{res.offset:#x} in {symbols.label}, but a return probe "
                       "must sit at a function entry: the map is probably not the kernel the address came from")
    off = hex(res.offset) if res.offset else "0"
    plusoff = f"+{res.offset:#x}" if res.offset else ""
    templates = list(site.edits) + (list(site.offset_edits) if res.offset else [])
    edits = [Edit(sp.start, sp.end, t.replace("{name}", name).replace("{off}", off).replace("{plusoff}", plusoff))
             for sp, t in templates]
    plan = Plan(sorted(edits))
    plan.explanation.append(f"the {site.api} at {site.address:#x} resolved with {symbols.label} to {name}{plusoff} "
                            f"({res.symbol.kind} {res.symbol.address:#x})")
    plan.targets.append((name, res.offset))
    plan.warnings.extend(res.warnings)
    return plan
