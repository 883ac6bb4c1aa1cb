"""Strings in Python code: kallsyms/System.map paths, and tracefs definitions in literals,
f-strings and ``+`` concatenations (literal addresses, ``0x%x``/``{a:#x}`` formatting)."""

from __future__ import annotations

import ast
import re

from migrator.core import model as M
from migrator.frontends.python.pyfile import PyFile
from migrator.frontends.text import tracefs

PATH_RE = re.compile(r"^(?:/proc/kallsyms|(?:[\w./%{}-]*/)?System\.map(?:[-.%][^\s]*)?)$")
# text that may hold a definition (p:, r:, r32:, "p ADDR"); tracefs.find decides
_DEF_HEAD_RE = re.compile(r"(?:^|\n)[ \t]*[pr]\d*[: \t]")


def string(f: PyFile, node: ast.Constant) -> None:
    """A string literal: a kallsyms/System.map path, or tracefs definitions."""
    value = str(node.value)
    if PATH_RE.match(value):
        a, b = f.span(node)
        q = a + len(re.match(r"[rRbBuU]*", f.text[a:b]).group())  # type: ignore[union-attr]
        f.model.kallsyms_paths.append(M.Located(M.Span(q, b), value))
        return
    if not f.tracefs or not _DEF_HEAD_RE.search(value):
        return
    lit = f.literal(node)
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
        f.model.tracefs_defs.append(site)


def concatenation(f: PyFile, node: ast.BinOp) -> None:
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
    if not _DEF_HEAD_RE.search(text):
        return
    for d in tracefs.find(text):
        if not d.formatted:
            continue  # a literal address lies inside one string literal: string() reports it
        at, part = next((o, p) for o, p in reversed(pieces) if o <= d.loc_start)
        if isinstance(part, ast.Constant):
            a = f.literal(part).offset(d.loc_start - at)
        else:
            a = f.span(part)[0]
        f.model.tracefs_defs.append(M.AddrSite(M.Span(a, a + 1), M.TRACEFS_PYTHON, None, d.loc, d.cmd == "r",
                                               origin=M.FORMATTED, command=d.cmd, event=d.event))


def fstring(f: PyFile, node: ast.JoinedStr) -> None:
    """An f-string: a kallsyms/System.map path, or tracefs definitions read from its source text."""
    a, b = f.span(node)
    seg = f.text[a:b]
    m = re.match(r"[rRfFbBuU]*('''|\"\"\"|'|\")", seg)
    if not m:
        return
    consts = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if PATH_RE.match(consts + "x") and ("kallsyms" in consts or "System.map" in consts):
        f.model.kallsyms_paths.append(M.Located(M.Span(a + m.end() - len(m.group(1)), b), consts))
        return
    if not f.tracefs:
        return
    body_at = a + m.end()
    body = seg[m.end():len(seg) - len(m.group(1))] if seg.endswith(m.group(1)) else seg[m.end():]
    for d in tracefs.find(body):
        if d.address is None and not d.formatted:
            continue
        span = M.Span(body_at + d.loc_start, body_at + d.loc_end)
        f.model.tracefs_defs.append(M.AddrSite(
            span, M.TRACEFS_PYTHON_FSTRING, d.address, d.loc, d.cmd == "r",
            origin=M.FORMATTED if d.formatted else M.LITERAL, address_span=span if d.address is not None else None,
            command=d.cmd, event=d.event))
