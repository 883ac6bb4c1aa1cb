"""What rule modules import: the model, the finding types and the shared wording.

A rule module declares CODE, NAME, SEVERITY, SUMMARY, RATIONALE, BAD, GOOD (and optionally
PRIORITY: the higher wins when two rules report the same site) and a ``check(model)`` that
yields Hits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migrator.core.findings import Hit, Severity
from migrator.core.model import COMPUTED, FUNCTION_REF, KALLSYMS, LITERAL, NULL, RELOCATED, FieldWrite, ProbeModel
from migrator.fix.rewrite import Plan, Refusal, c_string, migrate, remove_write
from migrator.fix.symbols import SymbolMap

__all__ = [
    "NEEDS_MAP", "FixContext", "Plan", "Refusal", "c_string", "migrate", "remove_write", "resolved",
    "COMPUTED", "FUNCTION_REF", "KALLSYMS", "LITERAL", "NULL", "RELOCATED", "FieldWrite", "Hit",
    "ProbeModel", "Severity", "addr_hit", "probe_name",
]

PRE_2619 = (
    "; kept at low severity because this branch only builds for kernels before 2.6.19, which have no "
    "symbol_name: delete the branch when those kernels are dropped"
)
FALLBACK = "found in a construct the parser could not read; it will not be fixed automatically"
MACRO = "the probe is built by the function-like macro {0}(); fix the macro or its invocations by hand"


def probe_name(w: FieldWrite) -> str:
    return w.probe if w.probe and w.probe != "?" else "the probe"


def addr_hit(w: FieldWrite, message: str) -> Hit:
    """A hit at an addr/offset write, with the shared qualifiers (old-kernel guard, macro, fallback)."""
    notes = []
    severity = None
    if w.pre_2619:
        message += PRE_2619
        severity = Severity.INFO
    if w.macro:
        notes.append(MACRO.format(w.macro))
    if w.fallback:
        notes.append(FALLBACK)
    return Hit(w.anchor.start, w.anchor.end, message, severity, notes, w)


def hex_or(value: int | None, text: str) -> str:
    return hex(value) if value is not None else text


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
        return Refusal(f"{address:#x} resolves to {sym.qualified}+{res.offset:#x} in {ctx.symbols.label}, but a "
                       "kretprobe must sit at a function entry: the map is probably not the kernel the address "
                       "came from")
    # Comments and macro names next to an address say which function it was copied for; if the
    # map disagrees, the map is not the kernel the address came from.
    named = [h.removeprefix("macro:") for h in w.hints
             if ctx.symbols.names.get(h.removeprefix("macro:")) or not h.startswith("macro:") and h.islower()]
    if named and not any(_related(h, CLONE_SUFFIX.sub("", sym.name)) for h in named):
        return Refusal(f"the code names {', '.join(named[:3])} here, but {address:#x} resolves to "
                       f"{sym.qualified}+{res.offset:#x} in {ctx.symbols.label}: the map is probably not the kernel "
                       "the address was copied from")
    plan = migrate(ctx.text, ctx.model, w, c_string(res.symbol.qualified), res.offset)
    if isinstance(plan, Plan):
        off = f"+{res.offset:#x}" if res.offset else ""
        plan.explanation.insert(0, f"{how} {address:#x} resolved with {ctx.symbols.label} to "
                                   f"{res.symbol.qualified}{off} ({res.symbol.kind} {res.symbol.address:#x})")
        plan.warnings.extend(res.warnings)
    return plan
