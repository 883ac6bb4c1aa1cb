"""Probes placed by a helper that takes the symbol name as a parameter (``kp->symbol_name = name;``)
and the addresses their handlers keep (``seen = regs->ip - 1;`` in a pre_handler).

``plant(&kp, "kallsyms_lookup_name", grab_ip)`` places ``kp`` on the string the caller wrote; when
a handler passed in the same call keeps the probed instruction's address, that is the kallsyms
trick harvested through the handler. The facts recorded: the string where it is written (for the
trick's anchor) and the variable the handler fills.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycparser import c_ast

from migrator.frontends.c.facts import Call, probe_key, strip
from migrator.frontends.c.unit import Unit


@dataclass
class NamedByCaller:
    probe: str  # the caller's probe, as probe_key names it
    string: str  # the string the caller passes for the symbol name
    string_at: int  # its offset
    kept_in: list[tuple[str, int]]  # variables a handler passed along fills, with the offset it reads ip


def named_by_callers(u: Unit, string_of: object) -> list[NamedByCaller]:
    """Every call of a helper that writes one parameter to a probe's symbol_name, with a string there."""
    f = u.facts
    helpers: dict[str, tuple[int, int | None]] = {}  # function -> (name parameter, probe parameter)
    for w in f.writes:
        v = strip(w.value)
        if w.field != "symbol_name" or w.func is None or not isinstance(v, c_ast.ID) or v.name not in w.func.params:
            continue
        params = list(w.func.params)
        base = w.probe.split(":")[-1].split(".")[0]
        helpers[w.func.name] = (params.index(v.name), params.index(base) if base in params else None)
    if not helpers:
        return []
    kept = _ip_keepers(u)
    out = []
    for call in f.calls:
        if call.name not in helpers:
            continue
        args = call.node.args.exprs if call.node.args is not None else []
        name_i, probe_i = helpers[call.name]
        s = string_of(args[name_i]) if name_i < len(args) else None  # type: ignore[operator]
        if s is None:
            continue
        probe = probe_key(args[probe_i]) if probe_i is not None and probe_i < len(args) else "?"
        out.append(NamedByCaller(probe, s, call.locate(args[name_i]), _handlers_in(call, kept)))
    return out


def _handlers_in(call: Call, kept: dict[str, list[tuple[str, int]]]) -> list[tuple[str, int]]:
    args = call.node.args.exprs if call.node.args is not None else []
    return [k for x in args if isinstance(a := strip(x), c_ast.ID) for k in kept.get(a.name, [])]


def _ip_keepers(u: Unit) -> dict[str, list[tuple[str, int]]]:
    """Handler name -> the variables it stores the probed instruction's address in."""
    out: dict[str, list[tuple[str, int]]] = {}
    for target, at, _fn in u.facts.ip_reads:
        name = _defined_at(u, at)  # (a macro-made function is parsed as "_m")
        if name:
            out.setdefault(name, []).append((target, at))
    return out


def _defined_at(u: Unit, at: int) -> str | None:
    """The function defined by the construct holding ``at``; for ``PRE_HANDLER(name) {`` its first argument."""
    toks = u.split.tokens
    for c in u.split.constructs:
        if c.start <= at < c.end:
            if c.kind == "func":
                return c.name
            if c.kind == "macrofunc" and c.last - c.first > 2 and toks[c.first + 1].value == "(" \
                    and toks[c.first + 2].kind == "id":
                return str(toks[c.first + 2].value)
    return None
