"""What a rule's ``fix`` imports (inside the function, so that ``check`` never loads it): the
context, the rewriter's plans and the map-based resolution shared by the address rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from migrator.core.model import MACRO_HINT, FieldWrite, ProbeModel
from migrator.fix.resolution import NEEDS_MAP, resolve
from migrator.fix.rewrite import Plan, Refusal, c_string, migrate, remove_write
from migrator.fix.symbols import SymbolMap

__all__ = ["CLONE_SUFFIX", "NEEDS_MAP", "FixContext", "Plan", "Refusal", "c_string", "migrate", "remove_write", "resolved"]


@dataclass
class FixContext:
    """What a rule's ``fix()`` may use: the text, the model and, when given, a symbol map."""

    text: str
    model: ProbeModel
    symbols: SymbolMap | None = None
    keep_old_kernels: bool = False  # fix --keep-old-kernels: keep the old code under #if beside the port


CLONE_SUFFIX = re.compile(r"\.(isra|constprop|part|cold)\.?\d*$")


def _related(hint: str, name: str) -> bool:
    """sys_close ~ __x64_sys_close, iotrace_ksys_write ~ ksys_write."""
    return hint == name or name.endswith("_" + hint) or hint.endswith("_" + name)


def resolved(ctx: FixContext, w: FieldWrite, address: int, how: str) -> Plan | Refusal:
    """Migrate ``w`` to the symbol + offset that ``address`` resolves to in the map."""
    got = resolve(address, ctx.symbols, function_entry=w.kretprobe)
    if isinstance(got, Refusal):
        return got
    assert ctx.symbols is not None
    # Comments and macro names next to an address say which function it was copied for; if the
    # map disagrees, the map is not the kernel the address came from.
    named = [h.removeprefix(MACRO_HINT) for h in w.hints
             if ctx.symbols.names.get(h.removeprefix(MACRO_HINT)) or not h.startswith(MACRO_HINT) and h.islower()]
    if named and not any(_related(h, CLONE_SUFFIX.sub("", got.name.split(":")[-1])) for h in named):
        return Refusal(f"the code names {', '.join(named[:3])} here, but {address:#x} resolves to "
                       f"{got.name}+{got.offset:#x} in {got.map}: the map is probably not the kernel "
                       "the address was copied from")
    plan = migrate(ctx.text, ctx.model, w, c_string(got.name), got.offset)
    if isinstance(plan, Plan):
        off = f"+{got.offset:#x}" if got.offset else ""
        plan.explanation.insert(0, f"{how} {address:#x} resolved with {got.map} to "
                                   f"{got.name}{off} ({got.kind} {got.symbol_address:#x})")
        plan.warnings.extend(got.warnings)
    return plan
