"""Generators that print C code writing a probe's ``addr`` with a value spliced in at generation time.

``fprintf(out, "\\tp[%d].kp.addr = (kprobe_opcode_t *)(base + 0x%lx);\\n", ...)`` in C,
``out.write("\\tkp_%d.addr = (kprobe_opcode_t *)0x%x;\\n" % (...))`` in Python: inside a string
literal, a C statement ``.addr = VALUE;`` / ``->addr = VALUE;`` whose VALUE holds a format directive
(``%``). A statement is what makes it code: ``"kp.addr = %p\\n"`` (a message) has no ``;``. The site is
the ``addr`` token of the emitted text.
"""

from __future__ import annotations

import re

from migrator.core import model as M
from migrator.core import names
from migrator.frontends.text.cli import open_quote

_CHAR = r"""(?:[^"'\n;\\]|\\.)"""  # a character of the emitted value, escapes (\") included
_EMITTED_RE = re.compile(r"(?:\.|->)\s*(" + names.ADDR + r")\s*=\s*(?!NULL\s*;|0\s*;)" + _CHAR + "*%" + _CHAR + "*;")


def wanted(text: str) -> bool:
    return _EMITTED_RE.search(text) is not None


def find(text: str, model: M.ProbeModel) -> None:
    for m in _EMITTED_RE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if open_quote(text[line_start:m.start()]):
            model.generated_probe_addrs.append(M.Located(M.Span(m.start(1), m.end(1)), "", m.group()))
