"""Resolving an address through the symbol map, shared by every fix that needs one.

``resolve`` turns an address into symbol + offset (or a refusal: no map, not resolvable, a return
probe off a function entry); ``plan`` assembles span edits for the sites of the other layers
(tracefs definitions, attach calls). Which edits a site gets, and when it is refused, its rule
decides (rules/tracefs_addr.py, rules/bpf_attach_addr.py, and for probe structs fix/kit.py's
``resolved``); nothing here knows an API.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from migrator.core.findings import Edit
from migrator.core.model import Span
from migrator.fix.rewrite import Plan, Refusal
from migrator.fix.symbols import SymbolMap

NEEDS_MAP = ("needs a symbol map of the target kernel: run `probe-migrator fix --symbols System.map` "
             "(or a /proc/kallsyms dump)")
NOT_RESOLVABLE = "not resolvable"
NOT_AT_ENTRY = ("{address:#x} resolves to {name}+{offset:#x} in {map}, but a return probe must sit at a function "
                "entry: the map is probably not the kernel the address came from")
RESOLVED = "the {what} at {address:#x} resolved with {map} to {name}{plusoff} ({kind} {symbol_address:#x})"


@dataclass
class Resolved:
    """An address resolved in a symbol map: ``name`` + ``offset``."""

    address: int
    name: str  # the symbol as register_kprobe() takes it: "sym" or "module:sym"
    offset: int
    kind: str  # the symbol's type letter in the map
    symbol_address: int
    map: str  # the map as a patch names it (its label: file name, never a local path)
    warnings: list[str] = field(default_factory=list)


def resolve(address: int, symbols: SymbolMap | None, function_entry: bool) -> Resolved | Refusal:
    """``address`` as symbol + offset; ``function_entry``: the probe must land on a function's first byte."""
    if symbols is None:
        return Refusal(NEEDS_MAP)
    res = symbols.resolve(address)
    if not res.ok or res.symbol is None:
        return Refusal(res.refused or NOT_RESOLVABLE)
    name = res.symbol.qualified
    if function_entry and res.offset:
        return Refusal(NOT_AT_ENTRY.format(address=address, name=name, offset=res.offset, map=symbols.label))
    return Resolved(address, name, res.offset, res.symbol.kind, res.symbol.address, symbols.label, list(res.warnings))


def plus_offset(offset: int) -> str:
    """``+0x11``, or empty for 0."""
    return f"+{offset:#x}" if offset else ""


def offset_value(offset: int) -> str:
    """``0x11``, or ``0``."""
    return hex(offset) if offset else "0"


def plan(edits: Iterable[tuple[Span, str]], what: str, res: Resolved) -> Plan:
    """The plan of span replacements, explained as the resolution of ``what`` (the site's description)."""
    out = Plan(sorted(Edit(span.start, span.end, text) for span, text in edits))
    out.explanation.append(RESOLVED.format(what=what, address=res.address, map=res.map, name=res.name,
                                           plusoff=plus_offset(res.offset), kind=res.kind,
                                           symbol_address=res.symbol_address))
    out.targets.append((res.name, res.offset))
    out.warnings.extend(res.warnings)
    return out
