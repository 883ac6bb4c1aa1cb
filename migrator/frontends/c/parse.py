"""pycparser, one top-level construct at a time, with the retries that make kernel code parse.

A construct is fed with its first line padded to its original column, and coordinates are
shifted back by its first line, so every node's coord is its place in the file.
"""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass
from typing import Any

from pycparser import c_ast, c_parser

from migrator.frontends.c.constructs import Construct, Split
from migrator.frontends.c.lex import Lexed
from migrator.frontends.c.words import KERNEL_TYPEDEFS

_ERR_COORD = re.compile(r":(\d+):(\d+):")


class _KernelParser(c_parser.CParser):  # type: ignore[misc]
    """pycparser with kernel typedefs in scope and type names allowed as call arguments."""

    typedef_names: frozenset[str] | set[str] = frozenset()

    def _parse_translation_unit_or_empty(self) -> Any:
        self._scope_stack = [dict.fromkeys(self.typedef_names, True)]
        return super()._parse_translation_unit_or_empty()

    def _parse_argument_expression_list(self) -> Any:
        exprs = [self._parse_argument()]
        while self._accept("COMMA"):
            exprs.append(self._parse_argument())
        return c_ast.ExprList(exprs, exprs[0].coord)

    def _parse_argument(self) -> Any:
        # min_t(u32, a, b), container_of(p, struct kretprobe, kp), va_arg(ap, int)
        if self._starts_declaration():
            return self._parse_type_name()
        if self._peek_type() == "PERIOD":  # LIBBPF_OPTS(t, o, .x = y)
            desig = self._parse_designation()
            init = self._parse_initializer()
            return c_ast.NamedInitializer(desig, init, desig[0].coord if desig else None)
        return self._parse_assignment_expression()


@dataclass
class Parsed:
    construct: Construct
    nodes: list[Any]  # top-level pycparser nodes (Decl, FuncDef, Typedef, ...)
    line_offset: int  # add to coord.line for the file line
    variant: str  # "", "typedef:NAME", "branch:N/K"


@dataclass
class Failure:
    construct: Construct
    message: str


SQUEEZE_FROM = 1 << 16  # characters
_BLANK_LINES_RE = re.compile(r"(?:\n[ \t]*){64,}\n")


def _squeeze(text: str) -> str:
    """Long runs of blank lines (a blanked data table) as one ``#line`` marker: pycparser's lexer
    takes each newline in Python, and coordinates stay those of the construct's own lines."""
    parts = []
    last = 0
    line = 1
    for m in _BLANK_LINES_RE.finditer(text):
        line += text.count("\n", last, m.end())
        parts.append(text[last:m.start()])
        parts.append(f"\n#line {line}\n")
        last = m.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _error_position(msg: str) -> tuple[int, int] | None:
    m = _ERR_COORD.search(msg)
    return (int(m.group(1)), int(m.group(2))) if m else None


class ConstructParser:
    """Parses constructs of one file; learns typedef names as it goes."""

    def __init__(self, lexed: Lexed, split: Split, line_starts: list[int]) -> None:
        self.lexed = lexed
        self.split = split
        self.typedefs: set[str] = set(KERNEL_TYPEDEFS) | split.typedefs
        self.parser = _KernelParser()
        self.line_starts = line_starts

    def _line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def parse_text(self, text: str) -> Any:
        """Parse C text with the typedef names learned so far (raises pycparser's ParseError)."""
        self.parser.typedef_names = self.typedefs
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, 60000))
        try:
            return self.parser.parse(text, "")
        finally:
            sys.setrecursionlimit(old)

    def _text(self, c: Construct, masked: str) -> str:
        _, col = self._line_col(c.start)
        text = " " * (col - 1) + masked[c.start:c.end]
        return _squeeze(text) if len(text) > SQUEEZE_FROM else text

    def parse(self, c: Construct) -> Parsed | Failure:
        line, _ = self._line_col(c.start)
        masked = self.split.masked
        text = self._text(c, masked)
        learned: list[str] = []
        message = ""
        for _attempt in range(6):
            try:
                ast = self.parse_text(text)
                return Parsed(c, list(ast.ext), line - 1, ",".join(learned))
            except c_parser.ParseError as e:
                message = str(e)
                name = self._unknown_type_name(text, message)
                if not name or name in self.typedefs:
                    break
                self.typedefs.add(name)
                learned.append("typedef:" + name)
            except RecursionError:
                return Failure(c, "nesting too deep for the parser")
        # One #if branch at a time: blank the other branches inside the construct.
        touching = {b.cond_id for b in self.lexed.branches if c.start <= b.start < c.end}
        inner = [b for b in self.lexed.branches if b.cond_id in touching]
        for cond_id in dict.fromkeys(b.cond_id for b in inner):
            group = [b for b in inner if b.cond_id == cond_id]
            for keep in group:
                chars = list(masked)
                for other in group:
                    if other is not keep:
                        for k in range(other.start, min(other.end, c.end)):
                            if chars[k] != "\n":
                                chars[k] = " "
                try:
                    ast = self.parse_text(self._text(c, "".join(chars)))
                    return Parsed(c, list(ast.ext), line - 1, f"branch:{cond_id}/{keep.index}")
                except (c_parser.ParseError, RecursionError):
                    continue
        return Failure(c, message.lstrip(": ") or "unparsable construct")

    def _unknown_type_name(self, text: str, message: str) -> str | None:
        """The identifier before the error position when it looks like an unknown type name."""
        pos = _error_position(message)
        if not pos:
            return None
        lines = text.split("\n")
        if pos[0] - 1 >= len(lines):
            return None
        before = "\n".join(lines[: pos[0] - 1] + [lines[pos[0] - 1][: pos[1] - 1]])
        m = re.search(r"([A-Za-z_]\w*)\s*(\*\s*)*$", before) or re.search(
            r"\(\s*([A-Za-z_]\w*)\s*(\*\s*)*\)\s*$", before)  # a cast to it: (name_t)x
        if not m:
            return None
        name = m.group(1)
        if name in ("struct", "union", "enum", "return", "sizeof", "case", "goto", "else"):
            return None
        return name
