"""Which kernels a place of the file is compiled for, read from its LINUX_VERSION_CODE guards.

A fact, not a verdict: each rule decides what a range means for it (a probe by address in code
only built for kernels before 2.6.19 is an info, as those kernels have no symbol_name; a use of
kallsyms_lookup_name only built for kernels before 5.7 is legal there).
"""

from __future__ import annotations

import re

from migrator.core.model import ANY_KERNEL, KernelRange, Version
from migrator.frontends.c.lex import Branch, Lexed

_COMPARISON = re.compile(
    r"LINUX_VERSION_CODE\s*(<=|>=|<|>|==)\s*KERNEL_VERSION\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)"
    r"|KERNEL_VERSION\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)\s*(<=|>=|<|>)\s*LINUX_VERSION_CODE"
)
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "=="}
_NEGATE = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!="}

Bound = tuple[str, Version]


def _next(v: Version) -> Version:
    return (v[0], v[1], v[2] + 1)


def range_of(op: str, v: Version) -> KernelRange:
    """The versions for which ``LINUX_VERSION_CODE op v`` holds."""
    if op == "<":
        return KernelRange(high=v)
    if op == "<=":
        return KernelRange(high=_next(v))
    if op == ">=":
        return KernelRange(low=v)
    if op == ">":
        return KernelRange(low=_next(v))
    if op == "==":
        return KernelRange(v, _next(v))
    return ANY_KERNEL  # "!=": not an interval


def _unwrap(cond: str) -> tuple[str, bool]:
    """Strip enclosing parentheses and a ``!`` applied to the whole: ``!(A)`` -> (A, negated).
    (``!x && y`` negates ``x`` only, so a leading ``!`` counts only before a parenthesis that
    closes at the end.)"""
    negated = False
    cond = cond.strip()
    while True:
        rest = cond[1:].strip()
        if cond.startswith("!") and rest.startswith("(") and _closes_at_end(rest):
            negated, cond = not negated, rest[1:-1].strip()
        elif cond.startswith("(") and _closes_at_end(cond):
            cond = cond[1:-1].strip()
        else:
            return cond, negated


def _closes_at_end(cond: str) -> bool:
    depth = 0
    for i, ch in enumerate(cond):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i == len(cond) - 1
    return False


def bound(cond: str) -> Bound | None:
    """The version comparison a condition makes: (op, version), or None if it makes none we can
    read. ``!`` and ``!(...)`` negate a lone comparison; ``||`` is never read."""
    if "||" in cond:
        return None
    inner, negated = _unwrap(cond)
    # under a negation only a lone comparison can be read: !(a && b) says nothing about a
    m = _COMPARISON.fullmatch(inner) if negated else _COMPARISON.search(cond)
    if not m:
        return None
    if m.group(1):
        op, v = m.group(1), (int(m.group(2)), int(m.group(3)), int(m.group(4)))
    else:
        op, v = _FLIP[m.group(8)], (int(m.group(5)), int(m.group(6)), int(m.group(7)))
    return (_NEGATE[op], v) if negated else (op, v)


def _intersect(a: KernelRange, b: KernelRange) -> KernelRange:
    low = max(a.low, b.low)
    highs = [h for h in (a.high, b.high) if h is not None]
    return KernelRange(low, min(highs) if highs else None)


def branch_range(b: Branch) -> KernelRange:
    """The versions one #if/#elif/#else branch admits: its own condition and the negation of
    every earlier condition of the same conditional."""
    out = ANY_KERNEL
    if b.directive in ("if", "elif"):
        got = bound(b.condition)
        if got:
            out = _intersect(out, range_of(*got))
    if b.directive in ("else", "elif"):
        for directive, cond in b.earlier:
            got = bound(cond) if directive in ("if", "elif") else None
            if got:
                out = _intersect(out, range_of(_NEGATE[got[0]], got[1]))
    return out


def versions_at(lexed: Lexed, offset: int) -> KernelRange:
    """The kernels the code at ``offset`` is compiled for."""
    out = ANY_KERNEL
    for b in lexed.enclosing_branches(offset):
        out = _intersect(out, branch_range(b))
    return out
