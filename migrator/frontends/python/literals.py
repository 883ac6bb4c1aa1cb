"""Python string literals as written: the source offset of every character of the value.

A literal (possibly several concatenated pieces, raw or not, triple-quoted or not) is scanned
from its source text; each value character gets the offset of the source character it came from
and whether it is *verbatim* (the source holds exactly that character there). Escapes, line
continuations and CRLF line ends are not verbatim; they map to the offset of their backslash.
If our decoding disagrees with Python's value, every character maps to the literal's start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PREFIX_RE = re.compile(r"([rRbBuUfF]{0,2})('''|\"\"\"|'|\")")
_SIMPLE = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
           "v": "\v"}


@dataclass
class Literal:
    start: int  # offset of the first character of the first piece (its prefix)
    end: int
    value: str
    pos: list[int]  # source offset of each value character (len(value) + 1 entries: the last is the end)
    verbatim: list[bool]
    triple: bool  # every piece is triple-quoted
    exact: bool  # the decoding matched Python's value

    def offset(self, i: int) -> int:
        """Source offset of value index ``i`` (``len(value)`` maps to the end of the last piece)."""
        if not self.exact:
            return self.start
        return self.pos[max(0, min(i, len(self.pos) - 1))]

    def end_offset(self, i: int) -> int:
        """Source offset just after value index ``i - 1`` (for span ends)."""
        if not self.exact or i <= 0:
            return self.start if not self.exact else self.pos[0]
        j = min(i, len(self.value)) - 1
        return self.pos[j] + 1 if self.verbatim[j] else self.pos[j]

    def is_verbatim(self, a: int, b: int) -> bool:
        return self.exact and self.triple and all(self.verbatim[a:b])


def scan(text: str, start: int, end: int, expected: str) -> Literal:
    value: list[str] = []
    pos: list[int] = []
    verb: list[bool] = []
    triple = True
    i = start
    ok = True
    while i < end:
        ch = text[i]
        if ch in " \t\r\n\f\\(":
            i += 1
            continue
        if ch == "#":
            nl = text.find("\n", i)
            i = end if nl < 0 else nl + 1
            continue
        m = _PREFIX_RE.match(text, i)
        if not m:
            ok = False
            break
        raw = "r" in m.group(1).lower()
        quote = m.group(2)
        triple = triple and len(quote) == 3
        i = m.end()
        while i < end and not text.startswith(quote, i):
            ch = text[i]
            if ch == "\r" and text.startswith("\n", i + 1):
                value.append("\n")
                pos.append(i)
                verb.append(False)
                i += 2
                continue
            if ch != "\\":
                value.append(ch)
                pos.append(i)
                verb.append(True)
                i += 1
                continue
            nxt = text[i + 1] if i + 1 < end else ""
            if raw:  # a backslash keeps itself and protects the next character
                value.append("\\")
                pos.append(i)
                verb.append(True)
                i += 1
                if nxt:
                    value.append(nxt)
                    pos.append(i)
                    verb.append(True)
                    i += 1
                continue
            i = _escape(text, i, nxt, value, pos, verb)
        i += len(quote)
    got = "".join(value)
    exact = ok and got == expected
    pos.append(end)
    return Literal(start, end, expected if not exact else got, pos if exact else [start] * (len(expected) + 1),
                   verb if exact else [False] * len(expected), triple, exact)


def _escape(text: str, i: int, nxt: str, value: list[str], pos: list[int], verb: list[bool]) -> int:
    if nxt == "\n":
        return i + 2
    if nxt == "\r":
        return i + (3 if text.startswith("\n", i + 2) else 2)
    if nxt in _SIMPLE:
        value.append(_SIMPLE[nxt])
        pos.append(i)
        verb.append(False)
        return i + 2
    m = re.compile(r"[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}").match(text, i + 1)
    if m:
        s = m.group()
        if s[0] in "01234567":
            c = chr(int(s, 8))
        elif s[0] == "N":
            import unicodedata

            try:
                c = unicodedata.lookup(s[2:-1])
            except KeyError:
                c = "\ufffd"
        else:
            c = chr(int(s[1:], 16))
        value.append(c)
        pos.append(i)
        verb.append(False)
        return m.end()
    # an unknown escape keeps both characters: that is verbatim
    value.append("\\")
    pos.append(i)
    verb.append(True)
    return i + 1
