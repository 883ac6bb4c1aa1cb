"""Python sources -> ProbeModel.

- BPF C in string literals (``BPF(text=...)`` or a name passed there) is analysed by the C front end
  and every position is mapped back through the literal; fixes stay possible only where the literal's
  text equals its value (triple-quoted, no escapes in the lines the fix touches).
- ``attach_kprobe(event=<number>)``, libbpf through ctypes with no function name and an absolute
  offset, BCC's ``bpf_attach_kprobe`` likewise, perf ``kprobe_addr``/``config2`` with no name:
  ``attach_addrs``.
- tracefs definitions in strings (literal addresses, ``0x%x``/``{a:#x}`` formatting): ``tracefs_defs``.
- ``"/proc/kallsyms"`` / ``"System.map"`` path strings: ``kallsyms_paths``.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import tokenize
from io import BytesIO
from typing import Any

from migrator.core import model as M
from migrator.core.source import Source, decode, encode
from migrator.frontends.python.literals import Literal, scan
from migrator.frontends.text import tracefs

PATH_RE = re.compile(r"^(?:/proc/kallsyms|(?:[\w./%{}-]*/)?System\.map(?:[-.%][^\s]*)?)$")
NOT_FIXED_IN_STRING = ("the C code is in a Python string whose text differs from its value here (escapes, line "
                       "continuations or quotes on the same line), so it is reported but not rewritten")


def build(src: Source) -> M.ProbeModel:
    model = M.ProbeModel(src.path)
    try:
        tree = ast.parse(src.data, filename=src.path)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
        # CPython's parser gives up on very deep nesting with MemoryError/RecursionError (found by fuzzing)
        why = getattr(e, "msg", None) or str(e) or "nesting too deep for the Python parser"
        model.syntax_error = f"not valid Python 3 ({why}); only string-level checks ran"
        _token_fallback(src, model)
        return model
    _Front(src, model, tree).run()
    return model


def all_nodes(root: ast.AST) -> list[ast.AST]:
    """``list(ast.walk(root))``, in the same order, at twice the speed (no generators per node)."""
    out = [root]
    i = 0
    node_type = ast.AST
    while i < len(out):
        node = out[i]
        i += 1
        for name in node._fields:
            v = getattr(node, name, None)
            if isinstance(v, node_type):
                out.append(v)
            elif isinstance(v, list):
                out.extend(x for x in v if isinstance(x, node_type))
    return out


class _Front:
    def __init__(self, src: Source, model: M.ProbeModel, tree: ast.Module) -> None:
        self.src = src
        self.model = model
        self.tree = tree
        self.text = src.text
        self._py_lines: list[int] | None = None
        self.nodes = all_nodes(tree)
        self.tracefs = "kprobe_events" in self.text
        self.perf = "perf_event" in self.text  # once: it is asked for every assignment
        self._parent: dict[int, ast.AST] | None = None  # built on first use: most files never ask

    def scope_nodes(self, node: ast.AST) -> list[ast.AST]:
        """The nodes of the function holding ``node`` (the module's when at top level)."""
        if self._parent is None:
            self._parent = {id(c): n for n in self.nodes for c in ast.iter_child_nodes(n)}
        parent = self._parent
        p = parent.get(id(node))
        while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
            p = parent.get(id(p))
        return all_nodes(p) if p is not None else self.nodes

    # -- positions ----------------------------------------------------------------------------
    def off(self, line: int, col: int) -> int:
        # ast counts lines as Python does: a lone CR ends a line too (Source counts only LF)
        if self._py_lines is None:
            self._py_lines = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", self.text)]
        starts = self._py_lines
        ls = starts[min(line, len(starts)) - 1]
        end = starts[line] if line < len(starts) else len(self.text)
        seg = self.text[ls:end]
        return ls + len(decode(encode(seg)[:col]))

    def span(self, node: ast.AST) -> tuple[int, int]:
        n: Any = node
        return self.off(n.lineno, n.col_offset), self.off(n.end_lineno, n.end_col_offset)

    def literal(self, node: ast.Constant) -> Literal:
        a, b = self.span(node)
        return scan(self.text, a, b, str(node.value))

    # -- driver -------------------------------------------------------------------------------
    def run(self) -> None:
        bpf = self._bpf_literals()
        for i, node in enumerate(bpf):
            self._embedded(node, i + 1)
        bpf_ids = {id(n) for n in bpf}
        bpf_ids |= {id(v) for n in self.nodes if isinstance(n, ast.JoinedStr) for v in n.values}
        inner_adds = {id(n.left) for n in self.nodes if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add)}
        for n in self.nodes:
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in bpf_ids:
                self._string(n)
            elif isinstance(n, ast.JoinedStr):
                self._fstring(n)
            elif isinstance(n, ast.Call):
                self._call(n)
            elif isinstance(n, ast.Assign):
                self._perf_assign(n)
            if self.tracefs and isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add) and id(n) not in inner_adds:
                self._concatenation(n)

    # -- BPF C in strings ---------------------------------------------------------------------
    def _bpf_literals(self) -> list[ast.Constant]:
        if "BPF" not in self.text:
            return []  # no BPF(text=...) call: no embedded C
        names: set[str] = set()
        found: list[ast.Constant] = []

        def collect(e: ast.AST) -> None:
            if isinstance(e, ast.Constant) and isinstance(e.value, str):
                if all(e is not f for f in found):
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

        for n in self.nodes:
            if isinstance(n, ast.Call) and _callee(n) == "BPF":
                for kw in n.keywords:
                    if kw.arg == "text":
                        collect(kw.value)
        for _round in range(3):
            before = len(names)
            for n in self.nodes:
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

    def _embedded(self, node: ast.Constant, index: int) -> None:
        from migrator.frontends.c.probes import build as build_c

        lit = self.literal(node)
        inner_src = Source.from_bytes(self.src.path, encode(lit.value))
        inner = build_c(inner_src)
        unfixable = self._unfixable_writes(inner, inner_src, lit)
        _Remap(lit, inner_src, self.src, index).model(inner)
        for w in unfixable:
            w.value_span = M.Span(w.value_span.start, w.value_span.start)
            w.item_span = M.Span(w.item_span.start, w.item_span.start)
            self.model.site_notes[w.anchor.start] = NOT_FIXED_IN_STRING
        for f in dataclasses.fields(M.ProbeModel):
            v = getattr(inner, f.name)
            if isinstance(v, list):
                getattr(self.model, f.name).extend(v)
        self.model.constructs_total += inner.constructs_total
        self.model.constructs_parsed += inner.constructs_parsed
        if inner.old_kernel_guard and not self.model.old_kernel_guard:
            self.model.old_kernel_guard = inner.old_kernel_guard

    @staticmethod
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

    # -- strings: kallsyms paths, tracefs definitions -----------------------------------------
    def _string(self, node: ast.Constant) -> None:
        value = str(node.value)
        if PATH_RE.match(value):
            a, b = self.span(node)
            q = a + len(re.match(r"[rRbBuU]*", self.text[a:b]).group())  # type: ignore[union-attr]
            self.model.kallsyms_paths.append(M.Located(M.Span(q, b), value))
            return
        if not self.tracefs or not re.search(r"(?:^|\n)[ \t]*[pr]\d*[: \t]", value):
            return
        lit = self.literal(node)
        for d in tracefs.find(value):
            if d.address is None and not d.formatted:
                continue  # a $VAR: not known to be an address
            a, b = lit.offset(d.loc_start), lit.end_offset(d.loc_end)
            span = M.Span(a, max(a, b))
            site = M.AddrSite(span, M.TRACEFS_PYTHON, d.address, d.loc, d.cmd == "r", command=d.cmd, event=d.event)
            if d.address is not None:
                site.address_span = span
                site.address_escaped = not (lit.exact and all(lit.verbatim[d.loc_start:d.loc_end]))
            else:
                site.origin = M.FORMATTED
            self.model.tracefs_defs.append(site)

    def _concatenation(self, node: ast.BinOp) -> None:
        """"p:" + grp + "/" + ev + " 0x" + format(a, "x"): a definition built by ``+``. The parts
        that are not string literals stand in as {expression}, so "0x{...}" and "{hex(a)}" read as
        addresses formatted at run time."""
        parts: list[ast.AST] = []
        e: ast.AST = node
        while isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):
            parts.append(e.right)
            e = e.left
        parts.append(e)
        parts.reverse()
        if not any(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
            return
        text = ""
        pieces: list[tuple[int, ast.AST]] = []  # (offset in text, part)
        for p in parts:
            pieces.append((len(text), p))
            if isinstance(p, ast.Constant) and isinstance(p.value, str):
                text += p.value
            else:
                text += "{" + re.sub(r"[{}'\"\n]", "", ast.unparse(p)) + "}"
        if not re.search(r"(?:^|\n)[ \t]*[pr]\d*[: \t]", text):
            return
        for d in tracefs.find(text):
            if not d.formatted:
                continue  # a literal address lies inside one string literal: _string reports it
            at, part = next((o, p) for o, p in reversed(pieces) if o <= d.loc_start)
            if isinstance(part, ast.Constant):
                a = self.literal(part).offset(d.loc_start - at)
            else:
                a = self.span(part)[0]
            self.model.tracefs_defs.append(M.AddrSite(M.Span(a, a + 1), M.TRACEFS_PYTHON, None, d.loc, d.cmd == "r",
                                                      origin=M.FORMATTED, command=d.cmd, event=d.event))

    def _fstring(self, node: ast.JoinedStr) -> None:
        a, b = self.span(node)
        seg = self.text[a:b]
        m = re.match(r"[rRfFbBuU]*('''|\"\"\"|'|\")", seg)
        if not m:
            return
        consts = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        if PATH_RE.match(consts + "x") and ("kallsyms" in consts or "System.map" in consts):
            self.model.kallsyms_paths.append(M.Located(M.Span(a + m.end() - len(m.group(1)), b), consts))
            return
        if not self.tracefs:
            return
        body_at = a + m.end()
        body = seg[m.end():len(seg) - len(m.group(1))] if seg.endswith(m.group(1)) else seg[m.end():]
        for d in tracefs.find(body):
            if d.address is None and not d.formatted:
                continue
            span = M.Span(body_at + d.loc_start, body_at + d.loc_end)
            self.model.tracefs_defs.append(M.AddrSite(
                span, M.TRACEFS_PYTHON_FSTRING, d.address, d.loc, d.cmd == "r",
                origin=M.FORMATTED if d.formatted else M.LITERAL, address_span=span if d.address is not None else None,
                command=d.cmd, event=d.event))

    # -- attach calls -------------------------------------------------------------------------
    def _call(self, node: ast.Call) -> None:
        name = _callee(node)
        if name in ("attach_kprobe", "attach_kretprobe"):
            self._bcc_attach(node, name == "attach_kretprobe")
        elif name == "bpf_program__attach_kprobe_opts" and len(node.args) >= 3:
            self._libbpf(node)
        elif name == "bpf_attach_kprobe" and len(node.args) >= 5:
            self._libbcc(node)

    def _bcc_attach(self, node: ast.Call, kret: bool) -> None:
        event = next((kw.value for kw in node.keywords if kw.arg == "event"), node.args[0] if node.args else None)
        if event is None:
            return
        number, computed = self._address_of(event)
        if number is None and not computed:
            return
        a, b = self.span(event)
        span = M.Span(a, b)
        self.model.attach_addrs.append(M.AddrSite(
            span, M.BCC_ATTACH_KRETPROBE if kret else M.BCC_ATTACH_KPROBE, number, self.text[a:b], kret,
            origin=M.LITERAL if number is not None else M.COMPUTED, address_span=span,
            variable=event.id if isinstance(event, ast.Name) else "",
            offset_given=any(kw.arg == "event_off" for kw in node.keywords)))

    def _address_of(self, e: ast.AST) -> tuple[int | None, bool]:
        """(constant address, computed address) of an event= value; (None, False) for a name."""
        if isinstance(e, ast.Constant):
            if isinstance(e.value, bool):
                return None, False
            if isinstance(e.value, int):
                return (e.value, False) if e.value else (None, False)
            if isinstance(e.value, (str, bytes)):
                s = e.value.decode("latin-1") if isinstance(e.value, bytes) else e.value
                if tracefs.NUMBER_RE.fullmatch(s):
                    return tracefs.location_kind(s)[0], False
            return None, False
        if isinstance(e, ast.Call) and _callee(e) in ("int", "hex"):
            return None, True
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Mod) and isinstance(e.left, ast.Constant) \
                and isinstance(e.left.value, (str, bytes)):
            s = e.left.value.decode("latin-1") if isinstance(e.left.value, bytes) else e.left.value
            return None, bool(tracefs.PLACEHOLDER_RE.fullmatch(s))
        if isinstance(e, ast.JoinedStr):
            consts = "".join(v.value for v in e.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            fmt = [v for v in e.values if isinstance(v, ast.FormattedValue)]
            return None, consts in ("0x", "0X") or any(
                isinstance(f.format_spec, ast.JoinedStr) and "x" in ast.unparse(f.format_spec) for f in fmt)
        if isinstance(e, ast.Name):
            values = [n.value for n in self.nodes if isinstance(n, ast.Assign)
                      and any(isinstance(t, ast.Name) and t.id == e.id for t in n.targets)]
            if not values:
                return None, False
            # "addr = 0" (or None) before the loop that finds it is a placeholder, not a value
            got = [self._address_of(v) for v in values if not isinstance(v, ast.Name) and not (
                isinstance(v, ast.Constant) and v.value in (0, None) and not isinstance(v.value, bool))]
            if got and all(g[0] is not None or g[1] for g in got):
                nums = {g[0] for g in got}
                return (nums.pop() if len(nums) == 1 else None), True
            if any(isinstance(v, ast.BinOp) and not isinstance(v.op, ast.Mod) for v in values):
                return None, True
        return None, False

    def _opts_var(self, arg: ast.AST) -> str | None:
        if isinstance(arg, ast.Call) and _callee(arg) in ("byref", "pointer", "addressof") and arg.args:
            arg = arg.args[0]
        return arg.id if isinstance(arg, ast.Name) else None

    def _libbpf(self, node: ast.Call) -> None:
        if not _no_name(node.args[1]):
            return
        opts = self._opts_var(node.args[2])
        if opts is None:
            return
        value: ast.AST | None = None
        kret = False
        for n in self.scope_nodes(node):
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == opts:
                        if t.attr == "offset":
                            value = n.value
                        elif t.attr == "retprobe":
                            kret = _truthy(n.value)
                if any(isinstance(t, ast.Name) and t.id == opts for t in n.targets) and isinstance(n.value, ast.Call):
                    for kw in n.value.keywords:
                        if kw.arg == "offset":
                            value = kw.value
                        elif kw.arg == "retprobe":
                            kret = _truthy(kw.value)
        if value is None:
            return
        self._name_and_offset(node.args[1], value, kret, M.LIBBPF_OPTS_CTYPES)

    def _libbcc(self, node: ast.Call) -> None:
        if not _no_name(node.args[3]):
            return
        t = node.args[1]
        kret = (isinstance(t, ast.Constant) and t.value == 1) or "RET" in ast.unparse(t).upper()
        self._name_and_offset(node.args[3], node.args[4], kret, M.LIBBCC_ATTACH_CTYPES)

    def _name_and_offset(self, name_arg: ast.AST, value: ast.AST, kret: bool, form: str) -> None:
        """A call with an empty name argument and an address where the offset goes."""
        a, b = self.span(value)
        span = M.Span(a, b)
        site = M.AddrSite(span, form, None, self.text[a:b], kret, origin=M.COMPUTED, address_span=span,
                          name_span=M.Span(*self.span(name_arg)))
        if isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool):
            if not value.value:
                return
            site.address, site.origin = value.value, M.LITERAL
        else:  # not an integer literal (a string is converted at run time)
            site.address, computed = self._address_of(value)
            if site.address is None and not computed and not isinstance(value, ast.Name):
                return
            if isinstance(value, ast.Name):
                site.variable = value.id
                site.origin = M.LITERAL if site.address is not None else M.COMPUTED
        self.model.attach_addrs.append(site)

    def _perf_assign(self, node: ast.Assign) -> None:
        if not self.perf:
            return
        for t in node.targets:
            if not (isinstance(t, ast.Attribute) and t.attr in ("kprobe_addr", "config2")):
                continue
            v = node.value
            if not (isinstance(v, ast.Constant) and isinstance(v.value, int) and v.value):
                continue
            obj = ast.unparse(t.value)
            named = any(isinstance(n, ast.Assign) and any(
                isinstance(x, ast.Attribute) and x.attr in ("kprobe_func", "config1", "uprobe_path")
                and ast.unparse(x.value) == obj for x in n.targets) and _truthy(n.value) for n in self.nodes)
            if named:
                continue
            a, b = self.span(v)
            self.model.attach_addrs.append(M.AddrSite(M.Span(a, b), M.PERF_ATTR_PYTHON, v.value, self.text[a:b],
                                                      address_span=M.Span(a, b)))


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


def _callee(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _target_name(t: ast.AST) -> str:
    return t.id if isinstance(t, ast.Name) else t.attr if isinstance(t, ast.Attribute) else ""


def _no_name(e: ast.AST) -> bool:
    return isinstance(e, ast.Constant) and (e.value is None or e.value in (b"", "", 0)) and not isinstance(e.value, bool)


def _truthy(e: ast.AST) -> bool:
    return not (isinstance(e, ast.Constant) and not e.value)


def _token_fallback(src: Source, model: M.ProbeModel) -> None:
    """Strings of a file ``ast`` cannot read (Python 2): kallsyms paths only, never fixed."""
    try:
        toks = list(tokenize.tokenize(BytesIO(src.data).readline))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return
    for t in toks:
        if t.type != tokenize.STRING:
            continue
        body = re.sub(r"^[rRbBuU]*(['\"]{1,3})", "", t.string)
        body = body[:len(body) - len(t.string) + len(t.string.rstrip("'\""))] if body else body
        body = body.rstrip("'\"")
        if PATH_RE.match(body):
            (line, col) = t.start
            ls = src.line_starts[line - 1]
            nl = src.text.find("\n", ls)
            seg = src.text[ls:nl if nl >= 0 else len(src.text)]
            a = ls + len(decode(encode(seg)[:col]))
            q = a + len(re.match(r"[rRbBuU]*", t.string).group())  # type: ignore[union-attr]
            model.kallsyms_paths.append(M.Located(M.Span(q, q + len(t.string) - (q - a)), body))
