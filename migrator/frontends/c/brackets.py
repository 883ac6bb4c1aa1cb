"""Balanced-bracket scans over tokens: one forward scan (``scan_to``) and one backward scan
(``back_to_open``) serve the splitter, the fallback and the span finder."""

from __future__ import annotations

from migrator.frontends.c.lex import Token

OPENERS = frozenset("([{")
CLOSERS = frozenset(")]}")


def scan_to(tokens: list[Token], i: int, stops: frozenset[str]) -> int:
    """Index of the first token in ``stops`` at bracket depth 0 from ``i`` on, or of an unmatched
    closing bracket, or ``len(tokens)``."""
    depth = 0
    n = len(tokens)
    while i < n:
        v = tokens[i].value
        if v in OPENERS:
            depth += 1
        elif v in CLOSERS:
            if depth == 0:
                return i
            depth -= 1
        elif depth == 0 and v in stops:
            return i
        i += 1
    return n


EXPRESSION_STOPS = frozenset((",", ";"))
STATEMENT_STOPS = frozenset((";",))


def close(tokens: list[Token], i: int) -> int:
    """Index of the bracket closing the one at ``i`` (or ``len(tokens)``)."""
    return scan_to(tokens, i + 1, frozenset())


def expression_end(tokens: list[Token], i: int) -> int:
    """Index of the token ending the expression that starts at ``i``: the first ``,`` or ``;`` at
    bracket depth 0, or an unmatched closing bracket (or len(tokens))."""
    return scan_to(tokens, i, EXPRESSION_STOPS)


def back_to_open(tokens: list[Token], k: int, open_: str, close_: str) -> int:
    """Index of the ``open_`` that matches the ``close_`` just before token ``k``."""
    depth = 0
    while k > 0:
        k -= 1
        if tokens[k].value == close_:
            depth += 1
        elif tokens[k].value == open_:
            depth -= 1
            if depth == 0:
                break
    return k
