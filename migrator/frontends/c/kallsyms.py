"""Which names of the file stand for kallsyms_lookup_name, and what becomes of its results.

A macro whose body calls it, a function that returns what it returns (a wrapper), a pointer
harvested from ``.addr`` of a kprobe placed on it (the kprobe trick), a function that parses
/proc/kallsyms or System.map: each is a way of resolving kernel symbols by hand. The origins of
written addresses (``origins.py``) use these names; the facts recorded here (every reference,
every harvest of a probe's addr) are what the kallsyms rules decide on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pycparser import c_ast

from migrator.core import model as M
from migrator.core.names import KALLSYMS_WALKS, KLP_OLD_FUNC
from migrator.frontends.c import resolvers
from migrator.frontends.c.facts import Facts, strip
from migrator.frontends.c.shapes import KALLSYMS, kallsyms_stand_in, walk_stand_in
from migrator.frontends.c.unit import Unit
from migrator.frontends.c.versions import versions_at


@dataclass
class KallsymsNames:
    lookups: set[str] = field(default_factory=lambda: {KALLSYMS})  # kallsyms_lookup_name and macros calling it
    wrappers: set[str] = field(default_factory=set)  # functions returning what a lookup returns
    harvested: set[str] = field(default_factory=set)  # pointers that hold kallsyms_lookup_name's address
    harvesters: set[str] = field(default_factory=set)  # functions handing a harvested pointer out
    parsers: set[str] = field(default_factory=set)  # functions parsing /proc/kallsyms or System.map
    relocators: set[str] = field(default_factory=set)  # functions computing addresses (AddressFunction)
    table_lookups: set[str] = field(default_factory=set)  # ... by looking a name up in a table
    named_by_callers: list[resolvers.NamedByCaller] = field(default_factory=list)  # helper(&kp, "name", h)
    scans: list[M.SymbolScan] = field(default_factory=list)  # sprint_symbol() loops
    trick_probes: set[str] = field(default_factory=set)  # probes placed on kallsyms_lookup_name

    def callable_lookups(self) -> set[str]:
        return self.lookups | self.harvested | self.wrappers

    def that_matter(self) -> set[str]:
        """Names whose callers must be parsed too."""
        fields = {h.lstrip(".") for h in self.harvested if h.startswith(".")}
        return self.harvested | fields | self.harvesters | self.wrappers | self.relocators | self.parsers | (self.lookups - {KALLSYMS})


def string_value(node: object) -> str | None:
    """The value of a string literal, casts removed."""
    v = strip(node)
    if isinstance(v, c_ast.Constant) and v.type == "string":
        s = v.value
        if s.startswith('"') and s.endswith('"'):
            return str(s[1:-1])
    return None


def symbol_string(u: Unit, node: object) -> str | None:
    """The string a symbol_name value stands for: a literal, or an object-like macro whose body is one."""
    got = string_value(node)
    v = strip(node)
    if got is None and isinstance(v, c_ast.ID):
        m = u.lexed.macros.get(v.name)
        body = m.body.strip() if m is not None and m.params is None else ""
        if re.fullmatch(r'"[^"\\]*"', body):
            return body[1:-1]
    return got


def find_names(u: Unit) -> KallsymsNames:
    out = KallsymsNames()
    for f in u.model.address_functions:
        out.relocators.add(f.name)
        if M.TABLE_LOOKUP in f.shapes:
            out.table_lookups.add(f.name)
    _lookups_and_wrappers(u, out)
    _harvested(u, out)
    _parsers(u, out)
    return out


def _lookups_and_wrappers(u: Unit, out: KallsymsNames) -> None:
    for name, m in u.lexed.macros.items():
        if re.search(r"\b" + KALLSYMS + r"\b", m.body):
            out.lookups.add(name)
    defined = u.defined_functions()
    # smith_kallsyms_lookup_name("x") with the function (or pointer) defined in another file: a lookup
    out.lookups.update(c.name for c in u.facts.calls if c.name not in defined and kallsyms_stand_in(c.name))
    for _ in range(3):  # wrappers of wrappers
        for fn in u.facts.functions.values():
            for r in fn.returns:
                r = strip(r)
                if isinstance(r, c_ast.FuncCall) and isinstance(r.name, c_ast.ID) and (
                        r.name.name in out.lookups or r.name.name in out.wrappers):
                    out.wrappers.add(fn.name)


def _harvested(u: Unit, out: KallsymsNames) -> None:
    f = u.facts
    trick_probes = {w.probe for w in f.writes if w.field == "symbol_name" and symbol_string(u, w.value) == KALLSYMS}
    out.trick_probes = trick_probes
    for r in f.addr_reads:
        if r.probe in trick_probes and r.target:
            out.harvested.add(r.target)
    if any(s == KALLSYMS for _k, s, _at in f.klp_old_names):  # livepatch resolved it into old_func
        out.harvested.add("." + KLP_OLD_FUNC)
    out.named_by_callers = resolvers.named_by_callers(u, lambda n: symbol_string(u, n))
    out.scans = resolvers.symbol_scans(u)
    out.harvesters.update(s.function for s in out.scans if s.looks_for_kallsyms)  # found it by name
    resolving = set()  # calls of a helper that places its own probe on kallsyms_lookup_name and returns .addr
    read_back = {r.probe for r in f.addr_reads if r.target is not None}
    for n in out.named_by_callers:
        if n.string == KALLSYMS:
            out.harvested.update(target for target, _at in n.kept_in)  # a handler keeps regs->ip
            if n.call is not None and n.probe in read_back:
                resolving.add(id(n.call))
    for target, value, _fn in f.fn_ptr_assigns:  # kln = (kln_t)addr_of("kallsyms_lookup_name");
        if id(strip(value)) in resolving:
            out.harvested.add(target)
    for _ in range(2):  # through a helper's return or out-parameter, then its caller's variable
        _handed_out(u, out)
        for target, value, _fn in f.fn_ptr_assigns:
            v = strip(value)
            if isinstance(v, c_ast.ID) and v.name in out.lookups | out.harvested or (
                    isinstance(v, c_ast.UnaryOp) and v.op == "&" and isinstance(v.expr, c_ast.ID)
                    and v.expr.name == KALLSYMS) or (
                    isinstance(v, c_ast.FuncCall) and isinstance(v.name, c_ast.ID) and v.name.name in out.harvesters):
                out.harvested.add(target)
    # a pointer kept in a struct field is called through that field of any object of the struct
    out.harvested.update("." + h.rsplit(".", 1)[1] for h in list(out.harvested) if "." in h)


def _copies(f: Facts, name: str) -> set[str]:
    """``name`` and the variables its value is copied to (``a = name; b = (T)a;``)."""
    out = {name} if name else set()
    for _ in range(3):
        out |= {t for t, v, _fn in f.fn_ptr_assigns if isinstance(x := strip(v), c_ast.ID) and x.name in out}
    return out


def _handed_out(u: Unit, out: KallsymsNames) -> None:
    """Functions returning a harvested pointer, or storing one through a parameter (``*out = kp.addr``):
    the caller's ``&var`` argument then holds it."""
    for fn in u.facts.functions.values():
        if any(isinstance(r := strip(x), c_ast.ID) and r.name in out.harvested for x in fn.returns):
            out.harvesters.add(fn.name)
        params = [i for i, p in enumerate(fn.params) if p in out.harvested]
        if not params:
            continue
        out.harvesters.add(fn.name)
        for call in u.facts.calls:
            args = call.node.args.exprs if call.name == fn.name and call.node.args is not None else []
            for i in params:
                a = strip(args[i]) if i < len(args) else None
                if isinstance(a, c_ast.UnaryOp) and a.op == "&" and isinstance(a.expr, c_ast.ID):
                    out.harvested.add(a.expr.name)


def _parsers(u: Unit, out: KallsymsNames) -> None:
    # Functions whose body holds a kallsyms/System.map path parse symbols by hand.
    spans = [p.anchor.start for p in u.model.kallsyms_paths]
    line_starts = u.src.line_starts
    for fn in u.facts.functions.values():
        body = fn.node.body if fn.node is not None else None
        if body is None or body.coord is None:
            continue
        # (the body's line is the construct's own: the range starts early, never late)
        lo = line_starts[min(body.coord.line, len(line_starts)) - 1]
        hi = u.function_end(fn.name)
        if any(lo <= s < hi for s in spans):
            out.parsers.add(fn.name)
    # ... and so does anything that calls one of them and returns a value.
    for _ in range(2):
        for call in u.facts.calls:
            if call.name in out.parsers and call.func is not None and not call.func.returns_void:
                if any(isinstance(strip(r), c_ast.FuncCall) for r in call.func.returns):
                    out.parsers.add(call.func.name)


def _walk_pointers(f: Facts) -> set[str]:
    """Pointers assigned what a call returns for the name of a walk: ``p = lookup("kallsyms_on_each_symbol")``
    (whatever resolves it: kallsyms_lookup_name, a wrapper, a resolver of the module's own)."""
    out = set()
    for target, value, _fn in f.fn_ptr_assigns:
        v = strip(value)
        if isinstance(v, c_ast.FuncCall) and v.args is not None and any(
                string_value(a) in KALLSYMS_WALKS for a in v.args.exprs):
            out.add(target)
    return out


def _shadowed(u: Unit, name: str, defined: set[str]) -> bool:
    """The bare ``name`` is the module's own, not the kernel's function: an object-like macro
    (``#define kallsyms_lookup_name my_ptr``), a variable, or a function the file defines."""
    m = u.lexed.macros.get(name)
    return m is not None and m.params is None or name in u.facts.globals or name in defined


def record(u: Unit, names: KallsymsNames, consumed: set[int]) -> None:
    """Model facts: every reference to a lookup, every harvest of a probe's addr."""
    f, model = u.facts, u.model
    uses = names.lookups | names.harvested
    call_anchors = set()
    defined = u.defined_functions()
    walk_pointers = _walk_pointers(f)
    for call in f.calls:
        call_anchors.add(call.anchor)
        if call.name in KALLSYMS_WALKS or call.name in walk_pointers or (
                call.name not in defined and walk_stand_in(call.name)):
            model.kallsyms_walks.append(M.KallsymsRef(u.span(call.anchor), call.name,
                                                      versions=versions_at(u.lexed, call.anchor)))
        if call.name in uses:
            model.kallsyms_refs.append(M.KallsymsRef(
                u.span(call.anchor), call.name, feeds_probe_addr=id(call.node) in consumed,
                versions=versions_at(u.lexed, call.anchor)))
    shadowed = {n for n in (KALLSYMS, *KALLSYMS_WALKS) if _shadowed(u, n, defined)}
    for name, anchor, fn in f.id_refs:  # the address taken: ``p = &kallsyms_on_each_symbol;``, called later
        if anchor in call_anchors or name in shadowed or fn is not None and name in fn.locals:
            continue
        if name == KALLSYMS:
            model.kallsyms_refs.append(M.KallsymsRef(u.span(anchor), name, address_taken=True,
                                                     versions=versions_at(u.lexed, anchor)))
        elif name in KALLSYMS_WALKS:
            model.kallsyms_walks.append(M.KallsymsRef(u.span(anchor), name, address_taken=True,
                                                      versions=versions_at(u.lexed, anchor)))
    called = {c.name for c in f.calls}
    for r in f.addr_reads:
        if r.target is not None:
            model.addr_harvests.append(M.AddrHarvest(r.probe, u.span(r.anchor), r.target,
                                                     bool(_copies(f, r.target) & called)))
    model.symbol_scans.extend(names.scans)
    model.probes_with_handlers.update(f.handled)
    model.klp_old_names.extend(M.SymbolArgument(k, s, u.span(at)) for k, s, at in f.klp_old_names)
    for n in names.named_by_callers:
        model.symbol_arguments.append(M.SymbolArgument(n.probe, n.string, u.span(n.string_at), n.own_probe))
        model.addr_harvests.extend(M.AddrHarvest(n.probe, u.span(at), target) for target, at in n.kept_in)
