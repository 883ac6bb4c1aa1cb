"""Function-like macros that build probes: expanded at each invocation and parsed as C.

``#define PROBE(n, a) static struct kprobe kp_##n = { .addr = (void *)a }`` makes every
``PROBE(open, 0xffff...)`` a probe definition. The expansion is parsed on its own and every node
of it is located at the macro's name in the invocation (findings point there, never into the
``#define``).
"""

from __future__ import annotations

import re
from typing import Any

from migrator.frontends.c.constructs import Construct
from migrator.frontends.c.lex import Macro, Token
from migrator.frontends.c.parse import ConstructParser, Parsed

# One pass over a macro body: string and character literals stay as they are (a parameter's
# name inside a string is text, not the parameter), ``##`` pastes, ``#x`` stringifies.
_BODY_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|\s*##\s*|#\s*([A-Za-z_]\w*)|[A-Za-z_]\w*')


class Collapsed:
    """Locate every node of a macro expansion at the macro invocation."""

    def __init__(self, anchor: int) -> None:
        self.anchor = anchor

    def __call__(self, node: Any) -> int:
        return self.anchor


def arguments(m: Macro, arg_tokens: list[Token], text: str) -> list[str] | None:
    """The argument texts of one invocation (tokens after its ``(``); None if it never closes."""
    args: list[str] = []
    depth = 0
    cur: list[str] = []
    for t in arg_tokens:
        if t.value in ("(", "[", "{"):
            depth += 1
        elif t.value in (")", "]", "}"):
            if depth == 0:
                args.append(" ".join(cur))
                return args
            depth -= 1
        if t.value == "," and depth == 0 and not (m.variadic and len(args) >= len(m.params or []) - 1):
            args.append(" ".join(cur))
            cur = []
            continue
        cur.append(text[t.start:t.end])
    return None


def substitute(m: Macro, args: list[str]) -> str:
    """``m``'s body with the arguments substituted (``#`` and ``##`` applied)."""
    values = dict(zip(m.params or [], args, strict=False))

    def one(x: re.Match[str]) -> str:
        s = x.group(0)
        if s[0] in "\"'":
            return s
        if s.strip() == "##":
            return ""
        if x.group(1) is not None:
            return '"' + values[x.group(1)] + '"' if x.group(1) in values else s
        return values.get(s, s)

    return _BODY_TOKEN.sub(one, m.body)


def expand(m: Macro, arg_tokens: list[Token], text: str) -> str | None:
    args = arguments(m, arg_tokens, text)
    return None if args is None else substitute(m, args)


def parse_expansion(parser: ConstructParser, text: str, name: str) -> Parsed | None:
    c = Construct("macro", 0, len(text), 0, 0, name)
    try:
        ast = parser.parse_text(text)
    except Exception:  # noqa: BLE001 - an expansion we cannot read is just not analysed
        return None
    return Parsed(c, list(ast.ext), 0, "macro")
