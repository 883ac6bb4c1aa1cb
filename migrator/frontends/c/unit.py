"""One C file on its way to facts: what the stages after the walk share, as plain data.

The builder (``build.py``) fills it: lexed text, constructs, the parser's declarations and the
walker's raw events. The stages that turn events into model facts (``origins``, ``kallsyms``,
``functions``, ``writes``) read it and never parse: whatever they need parsed (a skipped global
declaration, an address macro's body) the builder parsed before them (``resolve.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from migrator.core.model import ProbeModel
from migrator.core.source import Source
from migrator.frontends.c.constructs import Split
from migrator.frontends.c.facts import Facts
from migrator.frontends.c.lex import Lexed
from migrator.frontends.c.spans import TokenIndex


@dataclass
class Unit:
    src: Source
    lexed: Lexed
    split: Split
    tokens: TokenIndex
    facts: Facts
    model: ProbeModel
    # object-like macro name -> its body parsed as an expression (None: not an expression)
    macro_exprs: dict[str, Any] = field(default_factory=dict)

    def span(self, start: int) -> Any:
        return self.tokens.span(start)

    def defined_functions(self) -> set[str]:
        """Every function defined in the file, parsed or not."""
        return {c.name for c in self.split.constructs if c.kind == "func" and c.name}

    def function_end(self, name: str) -> int:
        for c in self.split.constructs:
            if c.name == name and c.kind == "func":
                return c.end
        return -1
