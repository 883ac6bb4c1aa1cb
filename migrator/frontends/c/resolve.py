"""Parse, before the origins of addresses are followed, what following them will need.

The builder parses only the constructs that can matter; a value written to a probe may name a
global declared in a skipped construct, or an object-like macro whose body is an expression.
This step parses those declarations and macro bodies up front, so that no later stage parses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from migrator.frontends.c.constructs import Construct, Split
from migrator.frontends.c.facts import Facts
from migrator.frontends.c.lex import Lexed
from migrator.frontends.c.parse import ConstructParser, Failure
from migrator.frontends.c.shapes import names_in, parse_int

_IDENT = re.compile(r"[A-Za-z_]\w*")


class Declarations:
    """File-scope declarations the builder skipped, parsed on request (each at most once)."""

    def __init__(self, split: Split, parser: ConstructParser, declare: Callable[[Any], None]) -> None:
        self.split, self.parser, self.declare = split, parser, declare
        self.skipped: list[Construct] = []
        self._index: dict[str, Construct] | None = None

    def parse(self, name: str) -> bool:
        """Parse and declare the skipped declaration of ``name``; True if there was one."""
        if self._index is None:
            self._index = {}
            toks = self.split.tokens
            for c in self.skipped:
                for i in range(c.first, c.last - 1):
                    if toks[i].kind == "id" and toks[i + 1].value in ("=", ";", "[", ","):
                        self._index.setdefault(toks[i].value, c)
        if name not in self._index:
            return False
        c = self._index.pop(name)
        r = self.parser.parse(c)
        if isinstance(r, Failure):
            return False
        for node in r.nodes:
            self.declare(node)
        return True


def value_names(facts: Facts) -> set[str]:
    """Every identifier an address's origin can lead to: the written values and what local
    variables were assigned."""
    out: set[str] = set()
    for w in facts.writes:
        if w.field == "addr":
            out |= names_in(w.value)
    for fn in facts.functions.values():
        for assigns in fn.assigns.values():
            for _off, value, _loc in assigns:
                out |= names_in(value)
    return out


def prepare(lexed: Lexed, facts: Facts, parser: ConstructParser, decls: Declarations) -> dict[str, Any]:
    """Parse the skipped declarations and the expression bodies of object-like macros that the
    written addresses can lead to; return the parsed macro bodies."""
    pending = value_names(facts)
    seen: set[str] = set()
    macro_exprs: dict[str, Any] = {}
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        m = lexed.macros.get(name)
        if m is not None and m.params is None:
            if parse_int(m.body) is None:
                macro_exprs[name] = _expression(parser, m.body)
                pending |= set(_IDENT.findall(m.body)) - seen
            continue
        if name not in facts.globals:
            decls.parse(name)
    return macro_exprs


def _expression(parser: ConstructParser, body: str) -> Any:
    try:
        ast = parser.parse_text("void __probe_migrator_value(void) { (" + body + "); }")
        return ast.ext[0].body.block_items[0]
    except Exception:  # noqa: BLE001 - a macro body that is not an expression
        return None
