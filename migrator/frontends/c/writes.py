"""Probe-field writes as model facts: spans, branch, versions, hints, the origin of an address,
and the statements that only serve a local variable the address came through."""

from __future__ import annotations

from typing import Any

from pycparser import c_ast

from migrator.core import model as M
from migrator.frontends.c.facts import Write, strip
from migrator.frontends.c.hints import Hints
from migrator.frontends.c.kallsyms import symbol_string
from migrator.frontends.c.origins import Origins
from migrator.frontends.c.shapes import parse_int
from migrator.frontends.c.unit import Unit
from migrator.frontends.c.versions import versions_at


class Writes:
    def __init__(self, u: Unit, origins: Origins) -> None:
        self.u = u
        self.origins = origins
        self.hints = Hints(u.src, u.lexed, u.tokens)
        self._indexes: dict[str, tuple[int, dict[int, list[Any]]]] = {}  # see _by_function

    def record(self) -> None:
        model = self.u.model
        for w in self.u.facts.writes:
            fw = self._field_write(w)
            v = strip(w.value)
            if w.field == "addr":
                fw.addr = self.origins.of(w.value, w.func, w.anchor, w.locate)
                fw.is_null = fw.addr.kind == M.NULL
                fw.via_removals = self._dead_with_variable(w, fw)
                model.addr_writes.append(fw)
            elif w.field == "symbol_name":
                fw.is_null = isinstance(v, c_ast.ID) and v.name == "NULL" or (
                    isinstance(v, c_ast.Constant) and v.value == "0")
                fw.string = symbol_string(self.u, w.value)
                if fw.string is not None:
                    fw.string_span = self.u.span(w.locate(v))
                model.symbol_writes.append(fw)
            else:
                fw.number = parse_int(v.value) if isinstance(v, c_ast.Constant) else None
                fw.is_null = fw.number == 0
                model.offset_writes.append(fw)

    def _field_write(self, w: Write) -> M.FieldWrite:
        u = self.u
        value_span, item_span = u.tokens.field_write(w.anchor, w.designated)
        fw = M.FieldWrite(
            field=w.field,
            anchor=u.span(w.anchor),
            probe=w.probe,
            value_span=value_span,
            item_span=item_span,
            designated=w.designated,
            branch_path=u.lexed.branch_path(w.anchor) + w.arms,
            text=u.src.text[value_span.start:value_span.end],
            macro=w.macro,
            function=w.func.name if w.func else "",
            versions=versions_at(u.lexed, w.anchor),
            kretprobe=w.kretprobe,
        )
        if w.field == "addr":
            fw.hints = self.hints.near(w.anchor, value_span)
            unset = self.u.facts.symbol_unset_arms
            fw.symbol_unset = any(unset.get(arm) == w.probe for arm in w.arms)
        return fw

    def _by_function(self, name: str, items: list[Any], fn_of: Any) -> dict[int, list[Any]]:
        """``items`` grouped by the id() of their function, rebuilt when the list grew: a lookup per
        address write instead of a scan of the whole file (quadratic on big files)."""
        cached = self._indexes.get(name)
        if cached is None or cached[0] != len(items):
            index: dict[int, list[Any]] = {}
            for it in items:
                index.setdefault(id(fn_of(it)), []).append(it)
            cached = self._indexes[name] = (len(items), index)
        return cached[1]

    def _dead_with_variable(self, w: Write, fw: M.FieldWrite) -> list[M.Span] | None:
        """Statements that only serve the local variable an address came through (its
        assignment, its NULL checks, its declaration); None if it has other uses."""
        a = fw.addr
        if a is None or not a.via or w.func is None or w.func.name == "" or a.via not in w.func.locals:
            return None
        name, fn, f, tokens = a.via, w.func, self.u.facts, self.u.tokens
        assign = tokens.enclosing_statement(a.via_at)
        if assign is None:
            return None
        spans = [assign]
        for cfn, cname, at in self._by_function("checks", f.local_checks, lambda t: t[0]).get(id(fn), ()):
            if cfn is fn and cname == name and a.via_at < at < w.anchor:
                check = tokens.if_statement(at)
                if check is None:
                    return None
                spans.append(check)
        for dfn, dname, at in self._by_function("decls", f.local_decls, lambda t: t[0]).get(id(fn), ()):
            if dfn is fn and dname == name:
                decl = tokens.enclosing_statement(at)
                if decl is None or "," in self.u.src.text[decl.start:decl.end]:
                    return None
                spans.append(decl)
        group = [other for other in self._by_function("writes", f.writes, lambda t: t.func).get(id(fn), ())
                 if other.field == "addr" and other.func is fn and other.anchor != w.anchor and _feeds_from(other, name)]
        fw.via_shared = bool(group)
        inside = spans + [fw.value_span] + [tokens.field_write(g.anchor, g.designated)[0] for g in group]
        for rname, at, rfn in self._by_function("refs", f.id_refs, lambda t: t[2]).get(id(fn), ()):
            if rfn is fn and rname == name and not any(sp.start <= at < sp.end for sp in inside):
                return None  # used for something else too
        return sorted(spans, key=lambda sp: sp.start)


def _feeds_from(w: Write, name: str) -> bool:
    v = strip(w.value)
    return isinstance(v, c_ast.ID) and v.name == name
