"""C headers of addresses written by a script from a symbol file (build-time helpers).

A script that reads /proc/kallsyms or System.map and prints ``#define NAME 0x$a`` (echo) or
``"#define %s 0x%s\\n"`` (printf, awk's printf): the address lands in C source that a module is
then built from. Each ``0x`` spliced with a run-time value after a ``#define`` is a site.
"""

from __future__ import annotations

import re

from migrator.core import model as M
from migrator.core import names
from migrator.frontends.text.cli import open_quote

_DEFINE_RE = re.compile(r"#\s*define\b")
_SPLICED_RE = re.compile(r"0[xX](?:\$\{?\w+\}?|\$\(|%[0-9]*(?:l{0,2}[xX]|s))")
_SYMBOL_FILE_RE = re.compile(re.escape(names.KALLSYMS_WORD) + "|" + re.escape(names.SYSTEM_MAP))


def find(text: str, lines: list[tuple[int, int]], model: M.ProbeModel) -> None:
    if "define" not in text or not _SYMBOL_FILE_RE.search(text):
        return
    for start, end in lines:
        line = text[start:end]
        d = _DEFINE_RE.search(line)
        quote = open_quote(line[:d.start()]) if d else ""
        if d is None or not quote:
            continue  # a #define only inside a string being printed
        close = line.find(quote, d.end())
        for m in _SPLICED_RE.finditer(line, d.end(), close if close >= 0 else len(line)):
            model.generated_addrs.append(M.Located(M.Span(start + m.start(), start + m.end()), "", m.group()))
