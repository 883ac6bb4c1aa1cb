"""Which top-level constructs of a C file are worth parsing.

A construct is parsed when it holds a trigger (``core/names.py``), a write of a probe field, a
kallsyms/System.map string, or may be a relocation helper; everything else is only counted. A
probe type in a function's parameters or body types a local, which is no reason of its own.
"""

from __future__ import annotations

import re

from migrator.core import names as known
from migrator.frontends.c.constructs import Construct, Split
from migrator.frontends.c.lex import Lexed
from migrator.frontends.c.prune import STATUS_HEADER_WORDS
from migrator.frontends.c.shapes import KALLSYMS, PROBE_WRITE_MARKERS, RELOCATE_RE, kallsyms_stand_in, walk_stand_in

KALLSYMS_WORD = known.KALLSYMS_WORD

STRONG = frozenset(known.TRIGGER_IDENTIFIERS)
PROBE_TYPE_NAMES = frozenset(known.PROBE_STRUCTS)
BODY_NEUTRAL_TYPES = frozenset((known.KPROBE, known.KRETPROBE, known.PROBE_ADDRESS_TYPE))
_PROBE_WORD_RE = re.compile(r"\b(?:" + "|".join(known.PROBE_TYPE_WORDS) + r")\b")
PROBE_FIELDS_SET = frozenset(known.PROBE_FIELDS)
PROBE_MACRO_BODY = re.compile(r"\.\s*(" + "|".join(known.PROBE_FIELDS) + r")\s*=|\bstruct\s+(?:"
                              + "|".join(known.PROBE_STRUCTS) + r")\b")
MAX_TOKENS_TO_PARSE = 6000  # larger declarations (embedded tables) are read token by token


def probe_macros(lexed: Lexed) -> set[str]:
    """Function-like macros whose bodies build probes."""
    return {name for name, m in lexed.macros.items() if m.params is not None and PROBE_MACRO_BODY.search(m.body)}


class Selector:
    def __init__(self, lexed: Lexed, split: Split, macros_building_probes: set[str], tables: set[str]) -> None:
        self.split = split
        # Probe type names make a declaration worth parsing (it types a global), but in a function's
        # parameters and body they only type a local or a parameter: what a rule needs there (a field
        # write, a kallsyms call, a registration) is a reason of its own. Unless the file harvests
        # kallsyms_lookup_name with the kprobe trick, whose read of .addr can stand alone.
        self.body_neutral: set[str] = set(BODY_NEUTRAL_TYPES)
        self.strong = self._strong_names(lexed, macros_building_probes, tables)
        if any(t.kind == "str" and KALLSYMS in t.value for t in split.tokens):
            self.body_neutral = set()
        # Without a probe type in the file no object's type is a probe's, and only the shapes
        # "kp.addr =" / "kp->offset =" (a container declared in a header) can be probe writes.
        self.probe_types_visible = any(t.kind == "id" and t.value in PROBE_WRITE_MARKERS for t in split.tokens)

    def _strong_names(self, lexed: Lexed, macros_building_probes: set[str], tables: set[str]) -> set[str]:
        """Identifiers that make a construct worth parsing in this file."""
        strong = set(STRONG) | macros_building_probes
        for name, m in lexed.macros.items():
            if any(s in m.body for s in known.TRIGGER_SUBSTRINGS) or _PROBE_WORD_RE.search(m.body):
                strong.add(name)
        for c in self.split.constructs:  # user types that hold a probe: struct my_probe { struct kprobe kp; }
            if c.kind == "decl":
                vals = [t.value for t in self.split.tokens[c.first:c.last]]
                if any(v in PROBE_TYPE_NAMES for v in vals):
                    if vals[0] in ("struct", "union") and len(vals) > 2 and vals[2] == "{":
                        strong.add(vals[1])
                        self.body_neutral.add(vals[1])
                    if vals[0] == "typedef" and c.name:
                        strong.add(c.name)
                        self.body_neutral.add(c.name)
        strong.update(tables)
        return strong

    def too_big(self, c: Construct) -> bool:
        return c.last - c.first > MAX_TOKENS_TO_PARSE

    def interesting(self, c: Construct) -> bool:
        """Can this construct hold something a rule needs? Everything else is not parsed."""
        toks = self.split.tokens
        if c.kind in ("func", "macrofunc") and RELOCATE_RE.search(c.name) and not self._returns_status(c):
            return True  # maybe a relocation helper
        neutral_from = c.last
        if c.kind in ("func", "macrofunc") and self.body_neutral:
            # from the parameter list on: what is before it is the return type, which types calls
            neutral_from = next((i for i in range(c.first, c.last) if toks[i].value == "("), c.last)
        for i in range(c.first, c.last):
            t = toks[i]
            if t.kind == "id":
                if KALLSYMS_WORD in t.value and (kallsyms_stand_in(t.value) or walk_stand_in(t.value)):
                    return True  # a call of the module's own name for kallsyms_lookup_name, defined elsewhere
                if t.value in self.strong and not (t.value in self.body_neutral and (
                        i > neutral_from or t.value == known.PROBE_ADDRESS_TYPE)):  # no function returns a probe as that
                    return True
                if (t.value == known.ADDR and toks[i - 1].value in (".", "->") and i + 2 < c.last
                        and toks[i + 1].value == ")" and toks[i + 2].value == "("):
                    return True  # ((lookup_t)kp.addr)(name): a probe's address called in place
                if (t.value in PROBE_FIELDS_SET and i + 1 < c.last and toks[i + 1].value == "="
                        and toks[i - 1].value in (".", "->")
                        and (self.probe_types_visible or toks[i - 2].value == "kp")):
                    return True  # a write of addr/symbol_name/offset
            elif t.kind == "str" and any(s in t.value for s in known.TRIGGER_SUBSTRINGS):
                return True
        return False

    def _returns_status(self, c: Construct) -> bool:
        """Does the function's header say it returns an int, a bool or nothing (so no address)?"""
        for t in self.split.tokens[c.first:c.last]:
            if t.value == c.name:
                return True
            if t.value not in STATUS_HEADER_WORDS:
                return False
        return False
