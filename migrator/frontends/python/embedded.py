"""BPF C in Python strings: ``BPF(text=...)``, or a name passed there, analysed by the C front end.

Every position of the C model is mapped back through the literal into the .py file; fixes stay
possible only where the literal's text equals its value (triple-quoted, no escapes in the lines
the fix touches).
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Any

from migrator.core import model as M
from migrator.core.source import Source, encode
from migrator.frontends.python.literals import Literal
from migrator.frontends.python.pyfile import PyFile, callee

NOT_FIXED_IN_STRING = ("the C code is in a Python string whose text differs from its value here (escapes, line "
                       "continuations or quotes on the same line), so it is reported but not rewritten")


def bpf_literals(f: PyFile) -> list[ast.Constant]:
    """The string literals that reach BPF(text=...), directly or through names, in source order."""
    if "BPF" not in f.text:
        return []  # no BPF(text=...) call: no embedded C
    names: set[str] = set()
    found: list[ast.Constant] = []

    def collect(e: ast.AST) -> None:
        if isinstance(e, ast.Constant) and isinstance(e.value, str):
            if all(e is not x for x in found):
                found.append(e)
        elif isinstance(e, ast.Name):
            names.add(e.id)
        elif isinstance(e, ast.Attribute):
            names.add(e.attr)
        elif isinstance(e, ast.BinOp):
            collect(e.left)
            if isinstance(e.op, ast.Add):
                collect(e.right)
        elif isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute):
            collect(e.func.value)  # "...".replace(...), prog.format(...)

    for n in f.nodes:
        if isinstance(n, ast.Call) and callee(n) == "BPF":
            for kw in n.keywords:
                if kw.arg == "text":
                    collect(kw.value)
    for _round in range(3):
        before = len(names)
        for n in f.nodes:
            targets: list[ast.expr] = []
            value: ast.AST | None = None
            if isinstance(n, ast.Assign):
                targets, value = n.targets, n.value
            elif isinstance(n, (ast.AugAssign, ast.AnnAssign)):
                targets, value = [n.target], n.value
            if value is None:
                continue
            if any(_target_name(t) in names for t in targets):
                collect(value)
        if len(names) == before:
            break
    return sorted(found, key=lambda c: (c.lineno, c.col_offset))


def add_embedded(f: PyFile, node: ast.Constant, index: int) -> None:
    """The C model of literal number ``index``, moved into the .py file and merged into its model."""
    from migrator.frontends.c.build import build as build_c

    lit = f.literal(node)
    inner_src = Source.from_bytes(f.src.path, encode(lit.value))
    inner = build_c(inner_src)
    unfixable = _unfixable_writes(inner, inner_src, lit)
    _Remap(lit, inner_src, f.src, index).model(inner)
    for w in unfixable:
        w.value_span = M.Span(w.value_span.start, w.value_span.start)
        w.item_span = M.Span(w.item_span.start, w.item_span.start)
        f.model.site_notes[w.anchor.start] = NOT_FIXED_IN_STRING
    for fld in dataclasses.fields(M.ProbeModel):
        v = getattr(inner, fld.name)
        if isinstance(v, list):
            getattr(f.model, fld.name).extend(v)
    f.model.embeds_kernel_c = True
    f.model.constructs_total += inner.constructs_total
    f.model.constructs_parsed += inner.constructs_parsed
    if inner.old_kernel_guard and not f.model.old_kernel_guard:
        f.model.old_kernel_guard = inner.old_kernel_guard


def _unfixable_writes(inner: M.ProbeModel, isrc: Source, lit: Literal) -> list[M.FieldWrite]:
    """Writes whose fix would touch lines of the literal that are not verbatim in the file."""
    out = []
    writes = inner.addr_writes + inner.symbol_writes + inner.offset_writes
    last_line = isrc.line_of(len(isrc.text))
    for w in writes:
        spans = [w.item_span, w.value_span, w.anchor] + list(w.via_removals or [])
        spans += [u.check for u in inner.addr_uses if u.check is not None and M.same_probe(u.probe, w.probe)]
        spans += [o.item_span for o in writes if M.same_probe(o.probe, w.probe)]
        a = min(s.start for s in spans)
        b = max(s.end for s in spans)
        la, lb = isrc.line_of(a), isrc.line_of(max(a, b - 1))
        ls = isrc.line_starts[la - 1]
        le = isrc.line_starts[lb] if lb < len(isrc.line_starts) else len(isrc.text)
        if la <= 1 or lb >= last_line or not lit.is_verbatim(ls, le):
            out.append(w)
    return out


class _Remap:
    """Moves every offset of an embedded C model into the .py file."""

    def __init__(self, lit: Literal, inner: Source, outer: Source, index: int) -> None:
        self.lit = lit
        self.inner = inner
        self.outer = outer
        self.index = index
        self.seen: set[int] = set()

    def span(self, s: M.Span) -> M.Span:
        a = self.lit.offset(s.start)
        b = self.lit.end_offset(s.end) if s.end > s.start else a
        return M.Span(a, max(a, b))

    def line(self, inner_line: int) -> int:
        ln = max(1, min(inner_line, len(self.inner.line_starts)))
        return self.outer.line_of(self.lit.offset(self.inner.line_starts[ln - 1]))

    def model(self, m: M.ProbeModel) -> None:
        for f in dataclasses.fields(M.ProbeModel):
            v = getattr(m, f.name)
            if isinstance(v, list):
                for item in v:
                    self.obj(item)
        if m.old_kernel_guard:
            m.old_kernel_guard = self.line(m.old_kernel_guard)

    def obj(self, o: Any) -> Any:
        if isinstance(o, M.Span):
            return self.span(o)
        if isinstance(o, M.Unparsed):
            o.start_line, o.end_line = self.line(o.start_line), self.line(o.end_line)
            return o
        if isinstance(o, list):
            for i, x in enumerate(o):
                o[i] = self.obj(x)
            return o
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            if id(o) in self.seen:
                return o
            self.seen.add(id(o))
            for f in dataclasses.fields(o):
                v = getattr(o, f.name)
                new: Any
                if f.name == "branch_path":
                    # literals are separate programs: writes in two of them never meet
                    new = tuple((c + self.index * 1_000_000, i) for c, i in v) + ((-1, self.index),)
                elif f.name == "via_at" and isinstance(v, int) and v >= 0:
                    new = self.lit.offset(v)
                elif isinstance(v, (M.Span, list)) or (dataclasses.is_dataclass(v) and not isinstance(v, type)):
                    new = self.obj(v)
                else:
                    continue
                object.__setattr__(o, f.name, new)
        return o


def _target_name(t: ast.AST) -> str:
    return t.id if isinstance(t, ast.Name) else t.attr if isinstance(t, ast.Attribute) else ""
