"""Token-level spans of the C front end: where a value, an item, a statement starts and ends.

Spans are cut from the lexed tokens of the original text, never regenerated from the AST, so an
edit of a span replaces exactly what the author wrote.
"""

from __future__ import annotations

import bisect
from typing import Any

from migrator.core.model import Span
from migrator.frontends.c.brackets import CLOSERS, EXPRESSION_STOPS, STATEMENT_STOPS, back_to_open, close, scan_to
from migrator.frontends.c.lex import Token


class TokenIndex:
    """The tokens of a file with their start offsets, for offset -> token lookups."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.starts = [t.start for t in tokens]

    def at(self, offset: int) -> int:
        """Index of the first token starting at or after ``offset``."""
        return bisect.bisect_left(self.starts, offset)

    def span(self, start: int) -> Span:
        """The token starting at ``start`` (a one-character span if none starts there)."""
        i = self.at(start)
        if i < len(self.tokens) and self.tokens[i].start == start:
            return Span(start, self.tokens[i].end)
        return Span(start, start + 1)

    def expression(self, start: int) -> Span:
        """An expression starting at ``start``: its first token to the end of its balanced extent."""
        i = self.at(start)
        j = scan_to(self.tokens, i, EXPRESSION_STOPS)
        return Span(start, self.tokens[j - 1].end if j > i else start)

    def node(self, node: Any, locate: Any) -> Span:
        """The expression a pycparser node starts (located in the file by ``locate``)."""
        return self.expression(locate(node) if getattr(node, "coord", None) else 0)

    def if_statement(self, start: int) -> Span | None:
        """The whole ``if (...) stmt`` starting at ``start``, without an ``else``."""
        toks = self.tokens
        i = self.at(start)
        if i >= len(toks) or toks[i].value != "if" or i + 1 >= len(toks) or toks[i + 1].value != "(":
            return None
        j = close(toks, i + 1) + 1
        if j >= len(toks):
            return None
        end = close(toks, j) if toks[j].value == "{" else scan_to(toks, j, STATEMENT_STOPS)
        if end >= len(toks) or toks[end].value in CLOSERS and toks[j].value != "{":
            return None
        if end + 1 < len(toks) and toks[end + 1].value == "else":
            return None
        return Span(toks[i].start, toks[end].end)

    def enclosing_statement(self, at: int) -> Span | None:
        """The simple statement or declaration holding ``at``: from after the previous ; { } to its ;"""
        toks = self.tokens
        i = bisect.bisect_right(self.starts, at) - 1
        if i < 0:
            return None
        start = i
        while start > 0 and toks[start - 1].value not in (";", "{", "}"):
            start -= 1
            if toks[start].value == ")" and start > 0 and toks[start - 1].value in ("if", "while", "for"):
                return None
        end = scan_to(toks, i, STATEMENT_STOPS)
        if end >= len(toks) or toks[end].value != ";":
            return None
        if toks[start].value in ("if", "for", "while", "return", "else", "do", "switch"):
            return None
        return Span(toks[start].start, toks[end].end)

    def field_write(self, anchor: int, designated: bool) -> tuple[Span, Span]:
        """The value after ``field =`` and the whole item (``.f = v,`` or ``x.f = v;``)."""
        toks = self.tokens
        i = self.at(anchor)
        if i >= len(toks) or toks[i].start != anchor or i + 2 >= len(toks) or toks[i + 1].value != "=":
            return Span(anchor, anchor), Span(anchor, anchor)
        j = scan_to(toks, i + 2, EXPRESSION_STOPS)
        value = Span(toks[i + 2].start, toks[j - 1].end)
        k = self._lvalue_start(i, designated)
        end = toks[j].end if j < len(toks) and toks[j].value in (",", ";") else value.end
        return value, Span(toks[k].start, end)

    def _lvalue_start(self, k: int, designated: bool) -> int:
        """Back from the field name to the start of the designator or lvalue."""
        toks = self.tokens
        while k > 0:
            p = toks[k - 1].value
            if p in (".", "->") or toks[k - 1].kind == "id" and toks[k].value in (".", "->", "["):  # kps[i].addr
                k -= 1
                continue
            if p == "]":
                k = back_to_open(toks, k, "[", "]")
                continue
            if p == ")" and not designated and toks[k].value in (".", "->", "["):  # (*pp)->addr, not if (c) kp.addr
                k = back_to_open(toks, k, "(", ")")
                continue
            if p == "*" and not designated and k > 1 and toks[k - 2].value in (";", "{", "}", "("):
                k -= 1
            break
        return k
