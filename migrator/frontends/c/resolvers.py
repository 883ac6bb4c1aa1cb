"""Probes placed by a helper that takes the symbol name as a parameter (``kp->symbol_name = name;``)
and the addresses their handlers keep (``seen = regs->ip - 1;`` in a pre_handler).

``plant(&kp, "kallsyms_lookup_name", grab_ip)`` places ``kp`` on the string the caller wrote; when
a handler passed in the same call keeps the probed instruction's address, that is the kallsyms
trick harvested through the handler. The facts recorded: the string where it is written (for the
trick's anchor) and the variable the handler fills.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycparser import c_ast

from migrator.core import model as M
from migrator.core.names import KALLSYMS_LOOKUP, STRING_COMPARES, SYMBOL_SCAN_ADDRESS_ARG, SYMBOL_SCAN_CALLS
from migrator.frontends.c.facts import Call, Func, probe_key, strip
from migrator.frontends.c.unit import Unit


@dataclass
class NamedByCaller:
    probe: str  # the caller's probe, as probe_key names it
    string: str  # the string the caller passes for the symbol name
    string_at: int  # its offset
    kept_in: list[tuple[str, int]]  # variables a handler passed along fills, with the offset it reads ip
    call: Any = None  # the helper's call (its value is the probe's address where the helper returns it)
    own_probe: bool = False  # the helper's own probe, not one the caller passes


def named_by_callers(u: Unit, string_of: object) -> list[NamedByCaller]:
    """Every call of a helper that writes one parameter to a probe's symbol_name, with a string there."""
    f = u.facts
    # function -> (name parameter, probe parameter, the helper's own probe when none is passed)
    helpers: dict[str, tuple[int, int | None, str]] = {}
    for w in f.writes:
        v = strip(w.value)
        if w.field != "symbol_name" or w.func is None or not isinstance(v, c_ast.ID) or v.name not in w.func.params:
            continue
        params = list(w.func.params)
        base = w.probe.split(":")[-1].split(".")[0]
        helpers[w.func.name] = (params.index(v.name), params.index(base) if base in params else None, w.probe)
    if not helpers:
        return []
    kept = _ip_keepers(u)
    out = []
    for call in f.calls:
        if call.name not in helpers:
            continue
        args = call.node.args.exprs if call.node.args is not None else []
        name_i, probe_i, own = helpers[call.name]
        s = string_of(args[name_i]) if name_i < len(args) else None  # type: ignore[operator]
        if s is None:
            continue
        if probe_i is None:  # addr_of("x") with a probe of the helper's own: that probe is placed on "x"
            probe = own
        else:
            probe = probe_key(args[probe_i]) if probe_i < len(args) else "?"
        out.append(NamedByCaller(probe, s, call.locate(args[name_i]), _handlers_in(call, kept), call.node,
                                 probe_i is None))
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


def symbol_scans(u: Unit) -> list[M.SymbolScan]:
    """Functions stepping an address through sprint_symbol()/lookup_symbol_name() in a loop, comparing
    the names, and returning the address (printing a backtrace or checking a lookup is no scan)."""
    out = []
    for fn in u.facts.functions.values():
        if fn.node is None:
            continue
        calls = _calls(fn.node.body, False)
        names = {n.name.name for n, _ in calls}
        scan = next((n for n, in_loop in calls if in_loop and n.name.name in SYMBOL_SCAN_CALLS
                     and _stepped_and_returned(fn, _address_arg(n))), None)
        if scan is None or not names & set(STRING_COMPARES):
            continue
        c = next((c for c in u.split.constructs if c.kind == "func" and c.name == fn.name), None)
        if c is None:
            continue
        toks = u.split.tokens[c.first:c.last]
        at = next(t.start for t in toks if t.value == fn.name)
        kln = any(t.kind == "str" and KALLSYMS_LOOKUP in t.value or t.kind == "id" and t.value in u.lexed.macros
                  and KALLSYMS_LOOKUP in u.lexed.macros[t.value].body for t in toks)
        out.append(M.SymbolScan(u.span(at), fn.name, scan.name.name, kln))
    return out


def _address_arg(call: c_ast.FuncCall) -> str | None:
    args = call.args.exprs if call.args is not None else []
    i = SYMBOL_SCAN_ADDRESS_ARG[call.name.name]
    a = strip(args[i]) if i < len(args) else None
    return a.name if isinstance(a, c_ast.ID) else None


def _stepped_and_returned(fn: Func, var: str | None) -> bool:
    if var is None or not any(isinstance(r := strip(x), c_ast.ID) and r.name == var for x in fn.returns):
        return False
    for node in _nodes(fn.node.body):
        if isinstance(node, c_ast.Assignment) and node.op in ("+=", "-=") and isinstance(node.lvalue, c_ast.ID) \
                and node.lvalue.name == var:
            return True
        if isinstance(node, c_ast.UnaryOp) and node.op in ("++", "--", "p++", "p--") \
                and isinstance(node.expr, c_ast.ID) and node.expr.name == var:
            return True
    return False


def _nodes(node: Any) -> list[Any]:
    out = [node] if node is not None else []
    for _name, child in node.children() if node is not None else ():
        out.extend(_nodes(child))
    return out


def _calls(node: Any, in_loop: bool) -> list[tuple[Any, bool]]:
    """(call node, inside a loop) for every call of a named function under ``node``."""
    if node is None:
        return []
    out = []
    if isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID):
        out.append((node, in_loop))
    loop = in_loop or isinstance(node, (c_ast.While, c_ast.For, c_ast.DoWhile))
    for _name, child in node.children():
        out.extend(_calls(child, loop))
    return out
