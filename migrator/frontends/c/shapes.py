"""Names and small helpers both halves of the C front end share: the builder (``probes.py``) and
the classifier of written addresses (``classify.py``)."""

from __future__ import annotations

import re
from typing import Any

from pycparser import c_ast

from migrator.core import names

KALLSYMS = names.KALLSYMS_LOOKUP


def kallsyms_stand_in(name: str) -> bool:
    """A name the module gives a kallsyms_lookup_name it reached another way (not a kernel function)."""
    return _STAND_IN_RE.fullmatch(name) is not None and name not in names.KERNEL_KALLSYMS_NAMES


def walk_stand_in(name: str) -> bool:
    """A name the module gives a kallsyms_on_each_symbol (or _match_symbol) it reached another way."""
    return (_WALK_STAND_IN_RE.fullmatch(name) is not None and name not in names.KALLSYMS_WALKS
            and name not in names.KERNEL_KALLSYMS_NAMES)


_STAND_IN_RE = re.compile(names.KALLSYMS_STAND_IN)
_WALK_STAND_IN_RE = re.compile(names.KALLSYMS_WALK_STAND_IN)
RELOCATE_RE = re.compile(names.RELOCATE_STEM, re.IGNORECASE)
MODULE_BASE_NAMES = frozenset(names.MODULE_BASE_NAMES)
# Names that make a write of addr/symbol_name/offset possibly a probe's: the probe types, and the
# kprobe_opcode_t of an address cast (without any of them only "kp.addr" can be one)
PROBE_WRITE_MARKERS = names.PROBE_TYPE_WORDS
TEXT_BASES = frozenset(names.TEXT_BASES)
REGISTER = frozenset(names.REGISTRATION_CALLS)
_INT_RE = re.compile(r"^\s*\(*\s*(?:\(\s*[\w\s]+\*?\s*\)\s*)*\(*\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)*\s*$")


def parse_int(text: str) -> int | None:
    """The value of an integer constant, casts and parentheses around it allowed."""
    m = _INT_RE.match(text)
    if not m:
        return None
    try:
        return int(m.group(1), 0) if not re.match(r"^0\d", m.group(1)) else int(m.group(1), 8)
    except ValueError:
        return None


class FileLocator:
    """File offset of a pycparser node of a construct parsed ``line_offset`` lines into the file."""

    def __init__(self, line_starts: list[int], line_offset: int) -> None:
        self.line_starts = line_starts
        self.line_offset = line_offset

    def __call__(self, node: Any) -> int:
        coord = node.coord
        if coord is None:
            return 0
        line = coord.line + self.line_offset
        if line - 1 >= len(self.line_starts):
            return self.line_starts[-1]
        return self.line_starts[line - 1] + max(coord.column, 1) - 1


def names_in(node: Any) -> set[str]:
    """Every identifier under ``node``."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, c_ast.ID):
            out.add(n.name)
        for _name, child in n.children():
            stack.append(child)
    return out
