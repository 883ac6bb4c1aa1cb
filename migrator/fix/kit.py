"""What a rule's ``fix`` imports (inside the function, so that ``check`` never loads it): the
context, the rewriter's plans and the map-based resolution shared by the address rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from migrator.core.model import FieldWrite, ProbeModel
from migrator.fix.rewrite import Plan, Refusal, c_string, migrate, remove_write
from migrator.fix.symbols import SymbolMap

__all__ = ["NEEDS_MAP", "FixContext", "Plan", "Refusal", "c_string", "migrate", "remove_write", "resolved"]


@dataclass
class FixContext:
    """What a rule's ``fix()`` may use: the text, the model and, when given, a symbol map."""

    text: str
    model: ProbeModel
    symbols: SymbolMap | None = None


CLONE_SUFFIX = re.compile(r"\.(isra|constprop|part|cold)\.?\d*$")
NEEDS_MAP = "needs a symbol map of the target kernel: run `probe-migrator fix --symbols System.map` " \
            "(or a /proc/kallsyms dump)"


def _related(hint: str, name: str) -> bool:
    """sys_close ~ __x64_sys_close, iotrace_ksys_write ~ ksys_write."""
    return hint == name or name.endswith("_" + hint) or hint.endswith("_" + name)


def resolved(ctx: FixContext, w: FieldWrite, address: int, how: str) -> Plan | Refusal:
    """Migrate ``w`` to the symbol + offset that ``address`` resolves to in the map."""
    if ctx.symbols is None:
        return Refusal(NEEDS_MAP)
    res = ctx.symbols.resolve(address)
    if not res.ok or res.symbol is None:
        return Refusal(res.refused or "not resolvable")
    sym = res.symbol
    if w.kretprobe and res.offset:
        return Refusal(f"{address:#x} resolves to {sym.qualified}+{res.offset:#x} in {ctx.symbols.path}, but a "
                       "kretprobe must sit at a function entry: the map is probably not the kernel the address "
                       "came from")
    # Comments and macro names next to an address say which function it was copied for; if the
    # map disagrees, the map is not the kernel the address came from.
    named = [h.removeprefix("macro:") for h in w.hints
             if ctx.symbols.names.get(h.removeprefix("macro:")) or not h.startswith("macro:") and h.islower()]
    if named and not any(_related(h, CLONE_SUFFIX.sub("", sym.name)) for h in named):
        return Refusal(f"the code names {', '.join(named[:3])} here, but {address:#x} resolves to "
                       f"{sym.qualified}+{res.offset:#x} in {ctx.symbols.path}: the map is probably not the kernel "
                       "the address was copied from")
    plan = migrate(ctx.text, ctx.model, w, c_string(res.symbol.qualified), res.offset)
    if isinstance(plan, Plan):
        off = f"+{res.offset:#x}" if res.offset else ""
        plan.explanation.insert(0, f"{how} {address:#x} resolved with {ctx.symbols.path} to "
                                   f"{res.symbol.qualified}{off} ({res.symbol.kind} {res.symbol.address:#x})")
        plan.warnings.extend(res.warnings)
    return plan
