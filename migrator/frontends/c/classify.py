"""Classify the written addresses of a C file and decide which kallsyms calls they consume.

Each write of a probe's ``addr`` gets a kind (literal, kallsyms, function reference, relocated,
computed); a ``kallsyms_lookup_name`` call whose value ends in an address write is consumed by it,
every other one is a use. The hints, comment words and statement spans a fix needs are found here
too. Runs on a builder (``probes._Builder``) after its constructs are parsed and walked.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, Any

from pycparser import c_ast

from migrator.core import model as M
from migrator.core.display import probe_display
from migrator.frontends.c.lex import Lexed, Macro, expression_end
from migrator.frontends.c.shapes import (
    KALLSYMS,
    MODULE_BASE_NAMES,
    REGISTER,
    RELOCATE_RE,
    TEXT_BASES,
    FileLocator,
    names_in,
    parse_int,
)
from migrator.frontends.c.walk import Func, Locate, strip

if TYPE_CHECKING:
    from migrator.frontends.c.probes import _Builder


class Classifier:
    """Classify written addresses; decide which kallsyms calls are consumed by them."""

    def __init__(self, b: _Builder) -> None:
        self.b = b
        self.f = b.facts
        self.model = b.model
        self.macros = b.lexed.macros
        self.consumed: set[int] = set()  # id() of consumed call nodes
        self.kallsyms_funcs: set[str] = {KALLSYMS}
        self.wrapper_functions: set[str] = set()
        self.harvested: set[str] = set()
        self.reloc_funcs: set[str] = {h.name for h in self.model.relocation_helpers}
        self.table_lookups: set[str] = {h.name for h in self.model.relocation_helpers if h.detail == "table"}
        self.parser_funcs: set[str] = set()
        # every function defined in the file, parsed or not
        self.defined: set[str] = {c.name for c in b.split.constructs if c.kind == "func" and c.name}
        self.locate: Locate = FileLocator(b.src.line_starts, 0)
        self._indexes: dict[str, tuple[int, dict[int, list[Any]]]] = {}  # see _by_function

    def names_that_matter(self) -> set[str]:
        self._kallsyms_names()
        self._parser_functions()
        return self.harvested | self.wrapper_functions | self.reloc_funcs | self.parser_funcs | (
            self.kallsyms_funcs - {KALLSYMS})

    def run(self) -> None:
        self._kallsyms_names()
        self._parser_functions()
        for w in self.f.writes:
            fw = self._field_write(w)
            if w.field == "addr":
                self.locate = w.locate
                fw.addr = self.classify(w.value, w.func, w.anchor, 0)
                fw.is_null = fw.addr.kind == M.NULL
                fw.via_removals = self._dead_with_variable(w, fw)
                self.model.addr_writes.append(fw)
            elif w.field == "symbol_name":
                v = strip(w.value)
                fw.is_null = isinstance(v, c_ast.ID) and v.name == "NULL" or (isinstance(v, c_ast.Constant) and v.value == "0")
                self.model.symbol_writes.append(fw)
            else:
                v = strip(w.value)
                fw.number = parse_int(v.value) if isinstance(v, c_ast.Constant) else None
                fw.is_null = fw.number == 0
                self.model.offset_writes.append(fw)
        self._tricks()
        self._uses()
        for br in self.b.lexed.branches:
            if _pre_2619(self.b.lexed, br.start):
                self.model.old_kernel_guard = self.b.src.line_of(br.start)
                break
        for anchor, name in self.f.jprobes:
            self.model.jprobes.append(M.Located(self.b._span(anchor), name))
        for name, at, probe, fn in self.f.registrations:
            if name in REGISTER:
                self.model.registrations.append(M.Registration(name, self.b._span(at), probe, fn.name if fn else ""))
        writes = {w.anchor for w in self.f.writes}
        for u in self.f.addr_uses:
            if u.anchor in writes:
                continue
            check = None
            if u.check_start is not None:
                check = _statement_span(self.b, u.check_start)
            self.model.addr_uses.append(M.AddrUse(u.probe, self.b._span(u.anchor), u.func.name if u.func else "",
                                                  check, u.removable and check is not None))

    # -- kallsyms -----------------------------------------------------------------------------
    def _kallsyms_names(self) -> None:
        for name, m in self.macros.items():
            if re.search(r"\b" + KALLSYMS + r"\b", m.body):
                self.kallsyms_funcs.add(name)
        for _ in range(3):
            for fn in self.f.functions.values():
                for r in fn.returns:
                    r = strip(r)
                    if isinstance(r, c_ast.FuncCall) and isinstance(r.name, c_ast.ID) and (
                        r.name.name in self.kallsyms_funcs or r.name.name in self.wrapper_functions
                    ):
                        self.wrapper_functions.add(fn.name)
        trick_probes = {
            w.probe for w in self.f.writes
            if w.field == "symbol_name" and _string(w.value) == KALLSYMS
        }
        for r in self.f.addr_reads:
            if r.probe in trick_probes and r.target:
                self.harvested.add(r.target)
        for target, value, _fn in self.f.fn_ptr_assigns:
            v = strip(value)
            if isinstance(v, c_ast.ID) and v.name in self.kallsyms_funcs | self.harvested or isinstance(v, c_ast.UnaryOp) and v.op == "&" and isinstance(v.expr, c_ast.ID) and v.expr.name == KALLSYMS:
                self.harvested.add(target)

    def _tricks(self) -> None:
        harvested_from = {r.probe for r in self.f.addr_reads if r.target is not None}
        for w in self.f.writes:
            if w.field == "symbol_name" and _string(w.value) == KALLSYMS and w.probe in harvested_from:
                self.model.kallsyms_tricks.append(
                    M.Located(self.b._span(w.locate(strip(w.value))), probe_display(w.probe))
                )

    def _uses(self) -> None:
        uses = self.kallsyms_funcs | self.harvested
        for call in self.f.calls:
            if call.name in uses and id(call.node) not in self.consumed:
                self.model.kallsyms_uses.append(M.Located(self.b._span(call.anchor), call.name))
        call_anchors = {c.anchor for c in self.f.calls}
        for name, anchor, _fn in self.f.id_refs:
            if name == KALLSYMS and anchor not in call_anchors:
                self.model.kallsyms_uses.append(M.Located(self.b._span(anchor), name, "address taken"))

    def _parser_functions(self) -> None:
        # Functions whose body holds a kallsyms/System.map path parse symbols by hand.
        spans = [p.anchor.start for p in self.model.kallsyms_paths]
        for fn in self.f.functions.values():
            body = fn.node.body if fn.node is not None else None
            if body is None or body.coord is None:
                continue
            lo = self.b.src.line_starts[min(body.coord.line + 0, len(self.b.src.line_starts)) - 1]
            hi = self._end_of(fn)
            if any(lo <= s < hi for s in spans):
                self.parser_funcs.add(fn.name)
        # ... and so does anything that calls one of them and returns a value.
        for _ in range(2):
            for call in self.f.calls:
                if call.name in self.parser_funcs and call.func is not None and not call.func.returns_void:
                    if any(isinstance(strip(r), c_ast.FuncCall) for r in call.func.returns):
                        self.parser_funcs.add(call.func.name)

    def _end_of(self, fn: Func) -> int:
        for c in self.b.split.constructs:
            if c.name == fn.name and c.kind == "func":
                return c.end
        return -1

    # -- classification -----------------------------------------------------------------------
    def classify(self, node: Any, fn: Func | None, at: int, depth: int) -> M.AddrValue:
        v = strip(node)
        if depth > 6:
            return M.AddrValue(M.COMPUTED)
        if isinstance(v, c_ast.Constant):
            n = parse_int(v.value)
            if n == 0:
                return M.AddrValue(M.NULL)
            if n is not None:
                return M.AddrValue(M.LITERAL, number=n)
            return M.AddrValue(M.COMPUTED)
        if isinstance(v, c_ast.ID):
            return self._identifier(v.name, fn, at, depth)
        if isinstance(v, c_ast.UnaryOp) and v.op == "&":
            inner = strip(v.expr)
            if isinstance(inner, c_ast.ID) and not self._is_variable(inner.name, fn):
                return M.AddrValue(M.FUNCTION_REF, symbol=inner.name, local_function=inner.name in self.defined)
            return M.AddrValue(M.COMPUTED)
        if isinstance(v, c_ast.FuncCall) and isinstance(v.name, c_ast.ID):
            return self._call(v, fn, depth)
        if isinstance(v, c_ast.BinaryOp) and v.op in ("+", "-"):
            return self._arith(v, fn, at, depth)
        return M.AddrValue(M.COMPUTED)

    def _identifier(self, name: str, fn: Func | None, at: int, depth: int) -> M.AddrValue:
        if name == "NULL":
            return M.AddrValue(M.NULL)
        if fn is not None and (name in fn.locals or name in fn.assigns):
            earlier = [(off, val, loc) for off, val, loc in fn.assigns.get(name, []) if off < at]
            if earlier:
                off, val, loc = max(earlier, key=lambda x: x[0])
                outer, self.locate = self.locate, loc
                got = self.classify(val, fn, off, depth + 1)
                self.locate = outer
                if got.kind not in (M.COMPUTED, M.NULL):
                    got.via, got.via_at = name, off
                    return got
                return M.AddrValue(M.COMPUTED, via=name)
            return M.AddrValue(M.COMPUTED)
        m = self.macros.get(name)
        if m is not None and m.params is None:
            got = self._macro_value(m, fn, at, depth)
            got.macro = name
            return got
        if name not in self.f.globals and not self._is_function(name, fn):
            self.b.declaration_of(name)
        if self._is_function(name, fn):
            return M.AddrValue(M.FUNCTION_REF, symbol=name, local_function=name in self.defined)
        if name in self.f.globals:
            init = self.f.global_inits.get(name)
            t = self.f.globals[name]
            if init is not None and isinstance(strip(init), c_ast.Constant) and t is not None and t[0] != "ptr":
                got = self.classify(init, None, at, depth + 1)
                if got.kind == M.LITERAL:
                    got.macro = name
                    return got
            return M.AddrValue(M.COMPUTED)
        if re.match(r"^[A-Z_][A-Z0-9_]*$", name):
            return M.AddrValue(M.COMPUTED)
        return M.AddrValue(M.FUNCTION_REF, symbol=name)

    def _macro_value(self, m: Macro, fn: Func | None, at: int, depth: int) -> M.AddrValue:
        n = parse_int(m.body)
        if n is not None:
            return M.AddrValue(M.LITERAL, number=n) if n else M.AddrValue(M.NULL)
        try:
            ast = self.b.parser._try("void __probe_migrator_value(void) { (" + m.body + "); }")
            expr = ast.ext[0].body.block_items[0]
        except Exception:  # noqa: BLE001 - a macro body that is not an expression
            return M.AddrValue(M.COMPUTED)
        return self.classify(expr, fn, at, depth + 1)

    def _static_storage(self, node: Any, fn: Func | None) -> bool:
        """Does the object a name expression reads from outlive the probe (static storage)?"""
        v = strip(node)
        if isinstance(v, c_ast.Constant):
            return v.type == "string"
        while isinstance(v, (c_ast.ArrayRef, c_ast.StructRef)):
            v = strip(v.name)
        if not isinstance(v, c_ast.ID):
            return False
        if fn is not None and v.name in fn.locals:
            return v.name in fn.static_locals
        if v.name not in self.f.globals:
            self.b.declaration_of(v.name)
        return v.name in self.f.globals

    def _is_variable(self, name: str, fn: Func | None) -> bool:
        if fn is not None and name in fn.locals:
            return True
        if name not in self.f.globals:
            self.b.declaration_of(name)
        return name in self.f.globals

    def _is_function(self, name: str, fn: Func | None) -> bool:
        if fn is not None and name in fn.locals:
            return False
        return name in self.defined or name in self.f.functions or name in self.f.declared_functions

    def _call(self, v: Any, fn: Func | None, depth: int) -> M.AddrValue:
        name = v.name.name
        args = v.args.exprs if v.args is not None else []
        if name in self.kallsyms_funcs or name in self.harvested or name in self.wrapper_functions:
            self.consumed.add(id(v))
            sym = _string(args[0]) if args else None
            name_expr = None if sym or not args else self.b.src.text[slice(*_node_span(self.b, args[0], self.locate))]
            return M.AddrValue(M.KALLSYMS, symbol=sym, helper=None if name == KALLSYMS else name,
                               name_expr=name_expr, name_static=bool(args) and self._static_storage(args[0], fn))
        if name in self.reloc_funcs or name in self.parser_funcs or RELOCATE_RE.search(name):
            const = all(isinstance(strip(a), c_ast.Constant) for a in args)
            by_name = name in self.parser_funcs or name in self.table_lookups
            if by_name and len(args) == 1 and _string(args[0]):
                # an in-module resolver asked for one name: that name is the probe's symbol
                return M.AddrValue(M.RELOCATED, helper=name, constant_args=True, symbol=_string(args[0]))
            return M.AddrValue(M.RELOCATED, helper=name, constant_args=const,
                               args=tuple(strip(a).value if isinstance(strip(a), c_ast.Constant) else "" for a in args),
                               arg_texts=tuple(self.b.src.text[slice(*_node_span(self.b, a, self.locate))] for a in args))
        return M.AddrValue(M.COMPUTED, helper=name)

    def _arith(self, v: Any, fn: Func | None, at: int, depth: int) -> M.AddrValue:
        left, right = self.classify(v.left, fn, at, depth + 1), self.classify(v.right, fn, at, depth + 1)
        names = names_in(v)
        if names & MODULE_BASE_NAMES or M.RELOCATED in (left.kind, right.kind):
            return M.AddrValue(M.RELOCATED, helper=left.helper or right.helper)
        const = right.number if right.kind == M.LITERAL else None
        sign = -1 if v.op == "-" else 1
        out = M.AddrValue(M.COMPUTED)
        if const is not None and left.kind == M.KALLSYMS:
            out.symbol, out.offset, out.helper = left.symbol, sign * const, left.helper
        elif const is not None and left.kind == M.FUNCTION_REF and left.symbol in TEXT_BASES:
            out.base, out.offset = left.symbol, sign * const
        elif const is not None and isinstance(strip(v.left), c_ast.ID) and strip(v.left).name in TEXT_BASES:
            out.base, out.offset = strip(v.left).name, sign * const
        return out

    def _field_write(self, w: Any) -> M.FieldWrite:
        b = self.b
        anchor = b._span(w.anchor)
        value_span, item_span = _spans(b, w.anchor, w.designated)
        fw = M.FieldWrite(
            field=w.field,
            anchor=anchor,
            probe=w.probe,
            value_span=value_span,
            item_span=item_span,
            designated=w.designated,
            branch_path=b.lexed.branch_path(w.anchor) + w.arms,
            text=b.src.text[value_span.start:value_span.end],
            macro=w.macro,
            function=w.func.name if w.func else "",
        )
        fw.pre_2619 = _pre_2619(b.lexed, w.anchor)
        fw.kretprobe = w.kretprobe
        if w.field == "addr":
            fw.hints = _hints(b, w.anchor, value_span)
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

    def _dead_with_variable(self, w: Any, fw: M.FieldWrite) -> list[M.Span] | None:
        """Statements that only serve the local variable an address came through."""
        a = fw.addr
        if a is None or not a.via or w.func is None or w.func.name == "" or a.via not in w.func.locals:
            return None
        name, fn = a.via, w.func
        assign = _enclosing_statement(self.b, a.via_at)
        if assign is None:
            return None
        spans = [assign]
        for cfn, cname, at in self._by_function("checks", self.f.local_checks, lambda t: t[0]).get(id(fn), ()):
            if cfn is fn and cname == name and a.via_at < at < w.anchor:
                check = _statement_span(self.b, at)
                if check is None:
                    return None
                spans.append(check)
        for dfn, dname, at in self._by_function("decls", self.f.local_decls, lambda t: t[0]).get(id(fn), ()):
            if dfn is fn and dname == name:
                decl = _enclosing_statement(self.b, at)
                if decl is None or "," in self.b.src.text[decl.start:decl.end]:
                    return None
                spans.append(decl)
        group = [other for other in self._by_function("writes", self.f.writes, lambda t: t.func).get(id(fn), ())
                 if other.field == "addr" and other.func is fn
                 and other.anchor != w.anchor and _feeds_from(other, name)]
        fw.via_shared = bool(group)
        inside = spans + [fw.value_span] + [_spans(self.b, g.anchor, g.designated)[0] for g in group]
        for rname, at, rfn in self._by_function("refs", self.f.id_refs, lambda t: t[2]).get(id(fn), ()):
            if rfn is fn and rname == name and not any(sp.start <= at < sp.end for sp in inside):
                return None  # used for something else too
        return sorted(spans, key=lambda sp: sp.start)


_WORD = re.compile(r"\b[A-Za-z_]\w*_\w+\b")
_ADDR_SUFFIX = re.compile(r"_(ADDR|ADDRESS|OFF|OFFSET|LOC|PTR)$")


def _hints(b: _Builder, anchor: int, value: M.Span) -> tuple[str, ...]:
    """Symbol-like words the author put next to an address: the comment on the write's lines or
    right above it, and for an address macro its name and its #define's comment."""
    first, last = b.src.line_of(anchor), b.src.line_of(max(value.end - 1, anchor))
    words: list[str] = []
    macros = b.lexed.macros
    toks = b.lexed.tokens
    for k in range(bisect.bisect_left(b.token_starts, value.start), len(toks)):  # no slice: O(value), not O(file)
        t = toks[k]
        if t.start >= value.end:
            break
        m = macros.get(t.value) if t.kind == "id" else None
        if m is not None and m.params is None:
            words.append("macro:" + _ADDR_SUFFIX.sub("", t.value).lower())
            first_m = b.src.line_of(m.start)
            words += _comment_words(b, first_m, first_m)
    words += _comment_words(b, first, last)
    return tuple(dict.fromkeys(w for w in words if w))


def _comment_words(b: _Builder, first: int, last: int) -> list[str]:
    src = b.src
    out: list[str] = []
    # Comments are sorted and disjoint: only those ending after the start of line first-1 and
    # starting before the end of line last can qualify (one bisect, not a scan per write).
    comments = b.lexed.comments
    if b.comment_ends is None:
        b.comment_ends = [c.end for c in comments]
        b.comment_starts = [c.start for c in comments]
    lo = src.line_starts[first - 2] if first >= 2 else 0
    hi = src.line_starts[last] if last < len(src.line_starts) else len(src.text)
    for c in comments[bisect.bisect_right(b.comment_ends, lo):bisect.bisect_left(b.comment_starts, hi)]:
        c_first, c_last = src.line_of(c.start), src.line_of(max(c.end - 1, c.start))
        on_lines = first <= c_first <= last
        above = c_last == first - 1 and not src.text[src.line_starts[c_first - 1]:c.start].strip()
        if on_lines or above:
            out += _WORD.findall(c.text)
    return out


def _feeds_from(w: Any, name: str) -> bool:
    v = strip(w.value)
    return isinstance(v, c_ast.ID) and v.name == name


def _string(node: Any) -> str | None:
    v = strip(node)
    if isinstance(v, c_ast.Constant) and v.type == "string":
        s = v.value
        if s.startswith('"') and s.endswith('"'):
            return str(s[1:-1])
    return None


def _node_span(b: _Builder, node: Any, locate: Locate) -> tuple[int, int]:
    """Offsets of an expression node: its first token to the end of its balanced extent."""
    start = locate(node) if getattr(node, "coord", None) else 0
    toks = b.lexed.tokens
    i = bisect.bisect_left(b.token_starts, start)
    j = expression_end(toks, i)
    return start, toks[j - 1].end if j > i else start


def _statement_span(b: _Builder, start: int) -> M.Span | None:
    """The whole ``if (...) stmt`` starting at ``start``: condition, then a block or one statement."""
    toks = b.lexed.tokens
    i = bisect.bisect_left(b.token_starts, start)
    if i >= len(toks) or toks[i].value != "if" or i + 1 >= len(toks) or toks[i + 1].value != "(":
        return None
    j = _close(toks, i + 1) + 1
    if j >= len(toks):
        return None
    if toks[j].value == "{":
        end = _close(toks, j)
    else:
        end = j
        depth = 0
        while end < len(toks):
            v = toks[end].value
            if v in ("(", "[", "{"):
                depth += 1
            elif v in (")", "]", "}"):
                depth -= 1
            elif v == ";" and depth == 0:
                break
            end += 1
    if end >= len(toks):
        return None
    if end + 1 < len(toks) and toks[end + 1].value == "else":
        return None
    return M.Span(toks[i].start, toks[end].end)


def _enclosing_statement(b: _Builder, at: int) -> M.Span | None:
    """The simple statement or declaration holding ``at``: from after the previous ; { } to its ;"""
    toks = b.lexed.tokens
    i = bisect.bisect_right(b.token_starts, at) - 1
    if i < 0:
        return None
    start = i
    while start > 0 and toks[start - 1].value not in (";", "{", "}"):
        start -= 1
        if toks[start].value in (")",) and start > 0 and toks[start - 1].value in ("if", "while", "for"):
            return None
    end = i
    depth = 0
    while end < len(toks):
        v = toks[end].value
        if v in ("(", "[", "{"):
            depth += 1
        elif v in (")", "]", "}"):
            if depth == 0:
                return None
            depth -= 1
        elif v == ";" and depth == 0:
            break
        end += 1
    if end >= len(toks) or toks[start].value in ("if", "for", "while", "return", "else", "do", "switch"):
        return None
    return M.Span(toks[start].start, toks[end].end)


def _close(toks: list[Any], i: int) -> int:
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].value in ("(", "[", "{"):
            depth += 1
        elif toks[j].value in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return j
    return len(toks)


def _spans(b: _Builder, anchor: int, designated: bool) -> tuple[M.Span, M.Span]:
    """The value after ``field =`` and the whole item (``.f = v,`` or ``x.f = v;``)."""
    toks = b.lexed.tokens
    i = bisect.bisect_left(b.token_starts, anchor)
    if i >= len(toks) or toks[i].start != anchor or i + 2 >= len(toks) or toks[i + 1].value != "=":
        return M.Span(anchor, anchor), M.Span(anchor, anchor)
    j = expression_end(toks, i + 2)
    value = M.Span(toks[i + 2].start, toks[j - 1].end)
    # back to the start of the designator or lvalue
    k = i
    while k > 0:
        p = toks[k - 1].value
        if p in (".", "->") or toks[k - 1].kind == "id" and toks[k].value in (".", "->", "["):  # kps[i].addr
            k -= 1
            continue
        if p == "]":
            k = _back_to_open(toks, k, "[", "]")
            continue
        if p == ")" and not designated and toks[k].value in (".", "->", "["):  # (*pp)->addr, not if (c) kp.addr
            k = _back_to_open(toks, k, "(", ")")
            continue
        if p == "*" and not designated and k > 1 and toks[k - 2].value in (";", "{", "}", "("):
            k -= 1
        break
    end = toks[j].end if j < len(toks) and toks[j].value in (",", ";") else value.end
    return value, M.Span(toks[k].start, end)


def _back_to_open(toks: list[Any], k: int, open_: str, close: str) -> int:
    """Index of the ``open_`` that matches the ``close`` just before token ``k``."""
    depth = 0
    while k > 0:
        k -= 1
        if toks[k].value == close:
            depth += 1
        elif toks[k].value == open_:
            depth -= 1
            if depth == 0:
                break
    return k


_VERSION_RE = re.compile(
    r"LINUX_VERSION_CODE\s*(<=|>=|<|>|==)\s*KERNEL_VERSION\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)"
    r"|KERNEL_VERSION\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)\s*(<=|>=|<|>)\s*LINUX_VERSION_CODE"
)
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "=="}
_NEGATE = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!="}
SYMBOL_NAME_SINCE = (2, 6, 19)


def _version_bound(cond: str) -> tuple[str, tuple[int, int, int]] | None:
    if "||" in cond:
        return None
    m = _VERSION_RE.search(cond)
    if not m:
        return None
    if m.group(1):
        return m.group(1), (int(m.group(2)), int(m.group(3)), int(m.group(4)))
    return _FLIP[m.group(8)], (int(m.group(5)), int(m.group(6)), int(m.group(7)))


def _only_before(op: str, ver: tuple[int, int, int]) -> bool:
    return op == "<" and ver <= SYMBOL_NAME_SINCE or op == "<=" and ver < SYMBOL_NAME_SINCE or op == "==" and ver < SYMBOL_NAME_SINCE


def _pre_2619(lexed: Lexed, offset: int) -> bool:
    """Is ``offset`` in a branch that only kernels older than 2.6.19 compile?"""
    for b in lexed.enclosing_branches(offset):
        if b.directive in ("if", "elif"):
            bound = _version_bound(b.condition)
            if bound and _only_before(*bound):
                return True
        if b.directive in ("else", "elif") and b.earlier:
            # every earlier branch was false
            for directive, cond in b.earlier:
                if directive not in ("if", "elif"):
                    continue
                bound = _version_bound(cond)
                if bound and bound[0] in _NEGATE and _only_before(_NEGATE[bound[0]], bound[1]):
                    return True
    return False
