"""Same-length masking of the GNU/kernel syntax pycparser does not take, token by token.

Every replacement keeps the length of what it replaces, so an offset in the masked text is the
same offset in the file and pycparser's line:column points at the original characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from migrator.frontends.c.brackets import close as matching
from migrator.frontends.c.lex import Lexed, Token
from migrator.frontends.c.words import (
    ALL_CAPS,
    ANNOTATION_CALLS,
    ANNOTATIONS,
    ASM,
    KERNEL_TYPEDEFS,
    KEYWORDS,
    RENAMES,
)

_LOWER = re.compile(r"^_*[a-z][a-z0-9_]*$")
_SPEC_BEFORE = frozenset(("static", "inline", "extern", ";", "}"))
_BASIC_TYPES = frozenset(("void", "int", "long", "char", "short", "unsigned", "signed", "bool"))
_GLUED = re.compile(r"^(?:[A-Z_][A-Z0-9_]*|(?:PRI|SCN)[a-zA-Z0-9]+)$")
_TYPE_START = frozenset(("void", "int", "long", "char", "short", "unsigned", "signed", "bool", "struct",
                         "union", "enum", "const", "static", "inline", "volatile", "u8", "u16", "u32",
                         "u64", "s32", "s64", "size_t", "double", "float"))
_ASM_QUALIFIERS = ("volatile", "__volatile__", "goto", "inline")


def _annotation_macro_shaped(word: str) -> bool:
    """Could ``word`` name an annotation macro (nokprobe_inline, __exception_irq_entry, __KPROBE)?"""
    return word not in KEYWORDS and bool(_LOWER.match(word) or ALL_CAPS.match(word))


# What may stand before a macro glued to a string literal when the literal follows it.
_BEFORE_GLUED = ("(", ",", "?", ":", "=")


class _Masking:
    """The masking of one file: its characters, masked in place, and the tokens pycparser will see.

    Each ``mask_*`` method looks at token ``i``. When its syntax is there, it masks it, puts what
    remains of it in ``keep`` and returns the index of the last token it took; otherwise it changes
    nothing and returns None.
    """

    def __init__(self, lexed: Lexed) -> None:
        self.chars = list(lexed.masked)
        self.toks = lexed.tokens
        self.n = len(self.toks)
        self.keep: list[Token] = []
        self.depth = 0  # braces open at the current token (mask_brace keeps count)
        self.lexed_text = lexed.text

    def put(self, start: int, text: str) -> None:
        self.chars[start:start + len(text)] = text

    def blank(self, i: int, j: int) -> None:
        """Spaces over tokens i..j inclusive, newlines kept."""
        chars = self.chars
        for t in self.toks[i:j + 1]:
            for k in range(t.start, t.end):
                if chars[k] != "\n":
                    chars[k] = " "

    # -- identifiers ----------------------------------------------------------------------------
    def mask_nothing_in_member_name(self, i: int) -> int | None:
        """A member name is never an annotation: func->sec->noinstr."""
        if i > 0 and self.toks[i - 1].value in (".", "->"):
            self.keep.append(self.toks[i])
            return i
        return None

    def mask_annotation(self, i: int) -> int | None:
        if self.toks[i].value in ANNOTATIONS:
            self.blank(i, i)
            return i
        return None

    def mask_annotation_call(self, i: int) -> int | None:
        """__attribute__((...)), __aligned(8), SEC("kprobe/x"): the name and its arguments."""
        toks = self.toks
        if toks[i].value in ANNOTATION_CALLS and i + 1 < self.n and toks[i + 1].value == "(":
            last = matching(toks, i + 1)
            self.blank(i, last)
            return last
        return None

    def mask_asm(self, i: int) -> int | None:
        toks, n = self.toks, self.n
        if toks[i].value not in ASM:
            return None
        j = i + 1
        while j < n and toks[j].value in _ASM_QUALIFIERS:
            j += 1
        if j < n and toks[j].value == "(":
            last = matching(toks, j)
            self.blank(i, last)
            return last
        return None

    def mask_unknown_annotation_macro(self, i: int) -> int | None:
        """A name that stands where only an annotation can: "static nokprobe_inline void f(...)",
        "void __exception_irq_entry f(...)", "long x __my_attr;"."""
        toks, n = self.toks, self.n
        v = toks[i].value
        if (
            0 < i < n - 1
            and (
                toks[i - 1].value in _SPEC_BEFORE
                and (toks[i + 1].value in _TYPE_START or toks[i + 1].value in KERNEL_TYPEDEFS)
                or toks[i - 1].value in _BASIC_TYPES and toks[i + 1].kind == "id"
                and toks[i + 1].value not in KEYWORDS and toks[i + 1].value not in ASM
                and i + 2 < n and toks[i + 2].value == "("
                or v.startswith("__") and toks[i - 1].kind == "id" and toks[i - 1].value not in KEYWORDS
                and toks[i + 1].value in (")", ",", ";", "=")
            )
            and _annotation_macro_shaped(v)  # last: the regexes are the dear part
        ):
            self.blank(i, i)
            return i
        return None

    def mask_brace(self, i: int) -> int | None:
        """Counts braces (the token stays): nested functions are only looked for inside one."""
        self.depth += 1 if self.toks[i].value == "{" else -1
        return None

    def mask_nested_function(self, i: int) -> int | None:
        """A GNU nested function inside a function body, "int h(struct kprobe *p, ...) { ... }":
        blanked whole (pycparser cannot read it); its name stays a plain identifier where it is used."""
        toks, n = self.toks, self.n
        if self.depth < 1 or i == 0 or toks[i - 1].value not in (";", "{", "}") or i + 2 >= n:
            return None
        line_start = self.lexed_text.rfind("\n", 0, toks[i].start) + 1
        if line_start == toks[i].start:
            return None  # in column 1: a function of the file (brace counts mislead across #if branches)
        j = i + 1
        if toks[j].kind != "id" or toks[j].value in KEYWORDS or toks[j + 1].value != "(":
            return None
        close = matching(toks, j + 1)
        if close + 1 >= n or toks[close + 1].value != "{":
            return None
        end = matching(toks, close + 1)
        self.blank(i, end)
        return end

    def mask_typeof(self, i: int) -> int | None:
        """GNU typeof(x) -> "long" and blanks: pycparser has no typeof; the type's exact shape never
        matters to a rule, the declarator and its initializer do."""
        toks = self.toks
        if i + 1 < self.n and toks[i + 1].value == "(":
            last = matching(toks, i + 1)
            self.blank(i, last)
            self.put(toks[i].start, "long")
            self.keep.append(Token("id", toks[i].start, toks[i].start + 4, "long"))
            return last
        return None

    def mask_rename(self, i: int) -> int | None:
        """__typeof__ -> typeof, padded with spaces."""
        t = self.toks[i]
        new = RENAMES.get(t.value)
        if new is None:
            return None
        self.put(t.start, new + " " * (len(t.value) - len(new)))
        self.keep.append(Token("id", t.start, t.start + len(new), new))
        return i

    def mask_call_glued_to_string(self, i: int) -> int | None:
        """"a" __stringify(X) "b": a call glued to a string literal expands to one."""
        toks, n = self.toks, self.n
        if 0 < i < n - 1 and toks[i + 1].value == "(" and (toks[i - 1].kind == "str" or (
                toks[i - 1].value in _BEFORE_GLUED and toks[i].value == "__stringify")):
            close = matching(toks, i + 1)
            if close + 1 < n and (toks[i - 1].kind == "str" or toks[close + 1].kind == "str"):
                self.blank(i, close)
                return close
        return None

    def mask_macros_glued_to_string(self, i: int) -> int | None:
        """KERN_INFO DRV_NAME ": x" and "%" PRIu64 "\\n": macros glued to string literals."""
        toks, n = self.toks, self.n
        if not (0 < i < n - 1 and (toks[i - 1].kind == "str" or toks[i - 1].value in _BEFORE_GLUED)
                and _GLUED.match(toks[i].value)):
            return None
        j = i
        while j < n and toks[j].kind == "id" and _GLUED.match(toks[j].value):
            j += 1
        before, after = toks[i - 1], toks[j] if j < n else None
        if after is not None and (
            after.kind == "str" and (before.value in _BEFORE_GLUED or before.kind == "str")
            or before.kind == "str" and after.value in (")", ",", ";")
        ):
            self.blank(i, j - 1)
            return j - 1
        return None

    # -- punctuation ----------------------------------------------------------------------------
    def mask_gnu_conditional(self, i: int) -> int | None:
        """GNU "a ?: b" -> "a *+ b": same length, still one expression."""
        toks = self.toks
        if toks[i].value == "?" and i + 1 < self.n and toks[i + 1].value == ":":
            question, colon = toks[i], toks[i + 1]
            self.put(question.start, "*")
            self.put(colon.start, "+")
            self.keep.append(Token("p", question.start, question.start + 1, "*"))
            self.keep.append(Token("p", colon.start, colon.start + 1, "+"))
            return i + 1
        return None

    def mask_range(self, i: int) -> int | None:
        """Case ranges and designator ranges: "1 ... 3" -> "1 +   3" (a variadic "..." follows
        "," or "(")."""
        t = self.toks[i]
        if t.value == "..." and i > 0 and self.toks[i - 1].value not in (",", "("):
            self.put(t.start, "+  ")
            self.keep.append(Token("p", t.start, t.start + 1, "+"))
            return i
        return None


_Mask = Callable[[_Masking, int], int | None]
_TYPEOF = frozenset(("typeof", "__typeof__", "__typeof"))
# what a GNU nested function's definition starts with (no storage class; a pointer return type is
# not looked for)
_NESTED_START = frozenset(("int", "void", "long", "bool", "unsigned", "char", "short"))
# Every mask, in the order they are tried: the first that applies takes the token. Each is tried
# on one kind of token, and only on the words it can apply to (None: any), which spares most
# tokens most calls; the mask itself checks everything.
_MASKS: tuple[tuple[str, Callable[[str], object] | None, _Mask], ...] = (
    ("id", None, _Masking.mask_nothing_in_member_name),
    ("id", ANNOTATIONS.__contains__, _Masking.mask_annotation),
    ("id", ANNOTATION_CALLS.__contains__, _Masking.mask_annotation_call),
    ("id", ASM.__contains__, _Masking.mask_asm),
    ("id", _annotation_macro_shaped, _Masking.mask_unknown_annotation_macro),
    ("id", _TYPEOF.__contains__, _Masking.mask_typeof),
    ("id", _NESTED_START.__contains__, _Masking.mask_nested_function),
    ("id", RENAMES.__contains__, _Masking.mask_rename),
    ("id", None, _Masking.mask_call_glued_to_string),
    ("id", _GLUED.match, _Masking.mask_macros_glued_to_string),
    ("p", "{}".__contains__, _Masking.mask_brace),
    ("p", "?".__eq__, _Masking.mask_gnu_conditional),
    ("p", "...".__eq__, _Masking.mask_range),
)
_KINDS = frozenset(kind for kind, _, _ in _MASKS)


def _masks_for(kind: str, value: str) -> tuple[_Mask, ...]:
    return tuple(mask for k, applies_to, mask in _MASKS if k == kind and (applies_to is None or applies_to(value)))


def normalize(lexed: Lexed) -> tuple[list[str], list[Token]]:
    """Mask annotations, asm, glued string macros, ``?:`` and ranges; same length.

    Returns the masked characters and the tokens pycparser will see.
    """
    m = _Masking(lexed)
    toks = m.toks
    # kind -> token value -> the masks to try on it (a file repeats its words: look them up once)
    masks_of: dict[str, dict[str, tuple[_Mask, ...]]] = {kind: {} for kind in _KINDS}
    i = 0
    while i < m.n:
        t = toks[i]
        last = None
        of_kind = masks_of.get(t.kind)
        if of_kind is not None:
            masks = of_kind.get(t.value)
            if masks is None:
                masks = of_kind[t.value] = _masks_for(t.kind, t.value)
            for mask in masks:
                last = mask(m, i)
                if last is not None:
                    break
        if last is None:
            m.keep.append(t)
            last = i
        i = last + 1
    return m.chars, m.keep
