"""What the author says an address is: symbol-like words next to it.

A comment on a write's lines or right above it (``/* do_sys_open+0x11 */``), the name of an
address macro (``DO_FORK_ADDR``) and the comment of its ``#define``. The fix of a literal
address compares them with what the symbol map says and refuses when they disagree.
"""

from __future__ import annotations

import bisect
import re

from migrator.core.model import MACRO_HINT, Span
from migrator.core.source import Source
from migrator.frontends.c.lex import Lexed
from migrator.frontends.c.spans import TokenIndex

_WORD = re.compile(r"\b[A-Za-z_]\w*_\w+\b")
_ADDR_SUFFIX = re.compile(r"_(ADDR|ADDRESS|OFF|OFFSET|LOC|PTR)$")


class Hints:
    """Hint words for the writes of one file (comments are indexed once)."""

    def __init__(self, src: Source, lexed: Lexed, tokens: TokenIndex) -> None:
        self.src, self.lexed, self.tokens = src, lexed, tokens
        # Comments are sorted and disjoint: only those ending after the start of the line above and
        # starting before the end of the last line can qualify (one bisect, not a scan per write).
        self.comment_ends = [c.end for c in lexed.comments]
        self.comment_starts = [c.start for c in lexed.comments]

    def near(self, anchor: int, value: Span) -> tuple[str, ...]:
        """Symbol-like words the author put next to an address written at ``anchor``."""
        first, last = self.src.line_of(anchor), self.src.line_of(max(value.end - 1, anchor))
        words: list[str] = []
        macros = self.lexed.macros
        toks = self.tokens.tokens
        for k in range(self.tokens.at(value.start), len(toks)):  # no slice: O(value), not O(file)
            t = toks[k]
            if t.start >= value.end:
                break
            m = macros.get(t.value) if t.kind == "id" else None
            if m is not None and m.params is None:
                words.append(MACRO_HINT + _ADDR_SUFFIX.sub("", t.value).lower())
                if not m.header:  # a header's comments are in another file
                    first_m = self.src.line_of(m.start)
                    words += self._comment_words(first_m, first_m)
        words += self._comment_words(first, last)
        return tuple(dict.fromkeys(w for w in words if w))

    def _comment_words(self, first: int, last: int) -> list[str]:
        src = self.src
        out: list[str] = []
        lo = src.line_starts[first - 2] if first >= 2 else 0
        hi = src.line_starts[last] if last < len(src.line_starts) else len(src.text)
        comments = self.lexed.comments
        for c in comments[bisect.bisect_right(self.comment_ends, lo):bisect.bisect_left(self.comment_starts, hi)]:
            c_first, c_last = src.line_of(c.start), src.line_of(max(c.end - 1, c.start))
            on_lines = first <= c_first <= last
            above = c_last == first - 1 and not src.text[src.line_starts[c_first - 1]:c.start].strip()
            if on_lines or above:
                out += _WORD.findall(c.text)
        return out
