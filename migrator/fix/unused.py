"""Static functions that a migration left without callers (gcc: -Wunused-function).

After ``kp.addr = (kprobe_opcode_t *)my_lookup("f")`` becomes ``kp.symbol_name = "f"``, a
``static`` lookup helper may have no caller left; a maintainer deletes it in the same patch.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from migrator.frontends.c.constructs import split
from migrator.frontends.c.lex import lex


@dataclass
class _Functions:
    spans: dict[str, list[tuple[int, int]]]  # static function -> its definition and prototypes
    uses: Counter[str]  # identifier -> references outside those spans


def _scan(text: str) -> _Functions:
    sp = split(lex(text))
    spans: dict[str, list[tuple[int, int]]] = {}
    owner: list[str] = []
    for c in sp.constructs:
        toks = sp.tokens[c.first:c.last]
        name = ""
        if toks and toks[0].value == "static":
            if c.kind == "func" and c.name:
                name = c.name
            elif c.kind == "decl" and toks[-1].value == ";" and not any(t.value == "," for t in toks):
                name = _declared_name(toks)
        owner.append(name)
        if name:
            spans.setdefault(name, []).append((c.start, c.end))
    uses: Counter[str] = Counter()
    for c, own in zip(sp.constructs, owner, strict=True):
        for t in sp.tokens[c.first:c.last]:
            if t.kind == "id" and t.value != own:
                uses[t.value] += 1
    return _Functions({n: s for n, s in spans.items() if any(True for _ in s)}, uses)


def _declared_name(toks: list) -> str:  # type: ignore[type-arg]
    """The one name a ``static`` declaration declares: a prototype, a variable, a function pointer."""
    for i in range(1, len(toks) - 2):
        if toks[i].value == "(" and toks[i + 1].value == "*" and toks[i + 2].kind == "id":
            return str(toks[i + 2].value)  # static T (*name)(...);
    depth = 0
    name = ""
    for t in toks[1:]:
        if t.value in ("(", "[", "{"):
            if depth == 0 and t.value == "(" and name:
                return name  # static T name(...);
            depth += 1
        elif t.value in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and t.value == "=":
            return name
        elif depth == 0 and t.kind == "id":
            name = str(t.value)
    return name


def newly_unused(old_text: str, new_text: str) -> list[tuple[str, list[tuple[int, int]]]]:
    """(name, spans to delete in new_text) for static functions used before and unused now."""
    old, new = _scan(old_text), _scan(new_text)
    return [(name, spans) for name, spans in new.spans.items()
            if old.uses[name] > 0 and new.uses[name] == 0 and name in old.spans]


def newly_unused_macros(old_text: str, new_text: str) -> list[tuple[str, list[tuple[int, int]]]]:
    """Object-like address macros (``#define TARGET 0xffffffff...``) used before and unused now."""
    old, new = lex(old_text), lex(new_text)
    old_uses = Counter(t.value for t in old.tokens if t.kind == "id")
    new_uses = Counter(t.value for t in new.tokens if t.kind == "id")
    # uses inside other macro bodies count too
    for m in new.macros.values():
        for word in _IDENT.findall(m.body):
            new_uses[word] += 1
    out = []
    for name, m in new.macros.items():
        if m.params is not None or not _ADDRESS.match(m.body.strip()):
            continue
        if old_uses[name] > 0 and new_uses[name] == 0:
            end = new_text.find("\n", m.name_start)
            while end > 0 and new_text[end - 1] == "\\":
                end = new_text.find("\n", end + 1)
            out.append((name, [(m.start, end if end >= 0 else len(new_text))]))
    return out


_IDENT = re.compile(r"[A-Za-z_]\w*")
_ADDRESS = re.compile(r"^\(*\s*(\(\s*[\w\s]+\*?\s*\)\s*)*\(*0[xX][0-9a-fA-F]{6,}[uUlL]*\s*\)*$")
