"""Large data initializers, read with regexes and blanked before the file is lexed.

SystemTap's kept ``stap_symbols.c`` is 16 MB: the kernel's whole symbol table (115,000
``{ 0x3669e0, "vfs_read" },`` entries) and its unwind tables (millions of ``20,0,0,...`` bytes).
Lexing that token by token took a minute. An initializer made only of numbers, or only of
``{ number, "name" }`` pairs, needs no lexer: the pairs are counted here (the embedded symbol
table, as ``tables.py`` would count it) and the body is replaced by ``0`` and spaces (newlines kept,
so offsets and lines stay those of the file). Smaller initializers are left to the lexer, which
reads them the same way.
"""

from __future__ import annotations

import re

from migrator.core import model as M
from migrator.core import names
from migrator.frontends.c.lex import blank

MIN_BODY = 4096  # characters: below this the lexer is as cheap
_OPEN_RE = re.compile(r"=\s*\{")
# what is before "= {" in an array definition: "NAME [ ... ] (attributes)"
_DECLARATOR_RE = re.compile(r"(?<!\w)([A-Za-z_]\w*)\s*\[[^\]\n]*\]\s*(?:__attribute__\s*\(\([^;{]*\)\)\s*)?\Z")
_NUMBERS_RE = re.compile(r"[0-9a-fA-FxXuUlL,\s]*\}")
_PAIRS_RE = re.compile(r'(?:\s*\{\s*(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*,\s*"(?:[^"\\\n]|\\.)*"\s*\}\s*,?)+')
# the pairs tables.py counts: a hex address and a symbol name (the whole string)
_ADDRESS_SYMBOL_RE = re.compile(r'\{\s*0[xX]([0-9a-fA-F]+)[uUlL]*\s*,\s*"[A-Za-z_.$][\w.$]*"\s*\}')
_CLOSE_RE = re.compile(r"\s*\}")
_PROBE_TYPE_RE = re.compile(r"\b(?:" + "|".join(names.PROBE_STRUCTS) + r")\b")


_last: tuple[str, str] | None = None  # the last (text, result): the C front end and cloader read the same text


def strip(text: str, model: M.ProbeModel | None = None) -> str:
    """``text`` with its large pure-data initializers blanked; symbol tables among them are added
    to ``model.address_tables``. Without a model, the result of the last call on the same text
    object is reused."""
    global _last
    if len(text) < MIN_BODY:
        return text
    if model is None and _last is not None and _last[0] is text:
        return _last[1]
    out = _strip(text, model)
    _last = (text, out) if out is not text else None
    return out


def _strip(text: str, model: M.ProbeModel | None) -> str:
    parts: list[str] = []
    last = 0
    pos = 0
    while True:
        m = _OPEN_RE.search(text, pos)  # "= {": a literal first, fast
        if m is None:
            break
        body = m.end()  # just after "{"
        pos = body
        end = _numbers(text, body)
        table = None
        if end is None:
            end, table = _pairs(text, body)
        if end is None or end - body < MIN_BODY:
            continue
        d = _DECLARATOR_RE.search(text, max(0, m.start() - 400), m.start())
        if d is None:  # not an array definition
            continue
        if table and model is not None and not _probe_typed(text, d.start()):
            model.address_tables.append(M.AddressTable(M.Span(d.start(1), d.end(1)), d.group(1), table))
        parts.append(text[last:body])
        inner = blank(text[body:end - 1])  # newlines kept: lines stay the file's
        i = inner.find(" ")
        parts.append(inner if i < 0 else inner[:i] + "0" + inner[i + 1:])  # "{0 }" is still C
        last = end - 1  # keep the closing "}"
        pos = end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _numbers(text: str, at: int) -> int | None:
    """End (after "}") of a body of numbers and commas starting at ``at``, or None."""
    m = _NUMBERS_RE.match(text, at)
    return m.end() if m else None


def _pairs(text: str, at: int) -> tuple[int | None, int | None]:
    """End of a body of ``{ number, "string" }`` pairs and how many of them pair a text address
    (a hex constant >= 0x1000) with a symbol name, or (None, None) if the body is anything else."""
    m = _PAIRS_RE.match(text, at)
    if m is None:
        return None, None
    close = _CLOSE_RE.match(text, m.end())
    if close is None:
        return None, None
    count = sum(1 for h in _ADDRESS_SYMBOL_RE.findall(text, at, m.end()) if int(h, 16) >= 0x1000)
    return close.end(), count


def _probe_typed(text: str, at: int) -> bool:
    """Is the array declared with a probe type (a kprobe array is not a symbol table)?"""
    head_start = max(text.rfind(";", 0, at), text.rfind("}", 0, at), text.rfind("\n#", 0, at)) + 1
    return _PROBE_TYPE_RE.search(text, head_start, at) is not None
