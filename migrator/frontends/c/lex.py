"""Tokens, comments and preprocessor directives of unpreprocessed C.

One regex pass finds comments, directives, string/char literals, identifiers, numbers and
punctuation. Nothing is removed: every token keeps its offsets into the original text, and
``masked`` is the text with comments and directives replaced by spaces of the same length
(newlines kept), so positions in it are positions in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# One match per token, whitespace before it included (half the matches of a separate whitespace
# token): whole blank lines first, so that a directive is tried only where a line starts.
_TOKEN_RE = re.compile(
    r"""
    (?:[ \t\r\f\v]*\n)*
    (?:
      (?P<dir>^[ \t]*\#(?:/\*(?:[^*]|\*(?!/))*\*/|[^\n\\]|\\(?:\r?\n|.))*)
    | [ \t\r\f\v]*
      (?:
        (?P<bc>/\*[^*]*(?:\*+[^*/][^*]*)*(?:\*+/|\**\Z))  # unrolled: a lazy [\s\S]*? is 7x slower
      | (?P<lc>//[^\n]*)
      | (?P<str>(?:u8|[uUL])?"(?:[^"\\\n]|\\[\s\S])*"?)
      | (?P<chr>[uUL]?'(?:[^'\\\n]|\\[\s\S])*'?)
      | (?P<id>[A-Za-z_$][\w$]*)
      | (?P<num>\.?\d(?:[eEpP][+-]|[\w.'])*)
      | (?P<p>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|\#\#|[{}()\[\];,.?:~!+\-*/%&|^<>=\#])
      | (?P<eof>\Z)
      | (?P<other>[\s\S])
      )
    )
    """,
    re.VERBOSE | re.MULTILINE,
)

_DIRECTIVE_RE = re.compile(r"[ \t]*#[ \t]*([A-Za-z_]*)")
_DEFINE_RE = re.compile(r"([A-Za-z_]\w*)(\(([^)]*)\))?")


@dataclass(slots=True)
class Token:
    kind: str  # id, num, str, chr, p, other
    start: int
    end: int
    value: str


@dataclass
class Macro:
    name: str
    params: list[str] | None  # None for an object-like macro
    body: str
    start: int  # offset of the '#'
    name_start: int
    variadic: bool = False
    header: str = ""  # defined in this local header, not in the file (start and name_start are -1)


@dataclass
class Branch:
    cond_id: int
    index: int
    directive: str  # if, ifdef, ifndef, elif, else
    condition: str
    start: int  # first offset after the directive line
    end: int  # offset of the next directive of the same conditional
    # (directive, condition) of the branches before it in the same conditional
    earlier: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Comment:
    start: int
    end: int
    text: str


@dataclass
class Lexed:
    text: str
    masked: str
    tokens: list[Token]
    macros: dict[str, Macro]
    branches: list[Branch]
    comments: list[Comment]

    def branch_path(self, offset: int) -> tuple[tuple[int, int], ...]:
        """The (conditional, branch) pairs whose branch contains ``offset``."""
        return tuple((b.cond_id, b.index) for b in self.branches if b.start <= offset < b.end)

    def enclosing_branches(self, offset: int) -> list[Branch]:
        return [b for b in self.branches if b.start <= offset < b.end]


def _logical(text: str) -> str:
    """A directive's text with line continuations and comments removed."""
    text = re.sub(r"\\\r?\n", " ", text)
    text = re.sub(r"/\*[\s\S]*?\*/", " ", text)
    return re.sub(r"//.*", "", text)


_BLANK = str.maketrans({chr(c): " " for c in range(128) if c != 10})
_NOT_NEWLINE = re.compile(r"[^\n]")


def blank(text: str) -> str:
    """``text`` with every character but newlines replaced by a space (a table lookup for ASCII)."""
    out = text.translate(_BLANK)
    return out if out.isascii() else _NOT_NEWLINE.sub(" ", out)


def lex(text: str) -> Lexed:
    tokens: list[Token] = []
    masked_parts: list[str] = []
    last = 0
    macros: dict[str, Macro] = {}
    comments: list[Comment] = []
    branches: list[Branch] = []
    stack: list[list[Branch]] = []
    cond_count = 0
    append = tokens.append
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "eof" or kind is None:
            break
        start, end = m.span(kind)
        if kind in ("bc", "lc", "dir"):
            masked_parts.append(text[last:start])
            masked_parts.append(blank(text[start:end]))
            last = end
            if kind != "dir":
                comments.append(Comment(start, end, text[start:end]))
                continue
            line = _logical(text[start:end])
            d = _DIRECTIVE_RE.match(line)
            name = d.group(1) if d else ""
            rest = line[d.end():].strip() if d else ""
            if name == "define":
                dm = _DEFINE_RE.match(rest)
                if dm:
                    params = None
                    variadic = False
                    if dm.group(2) is not None:
                        params = [p.strip() for p in dm.group(3).split(",") if p.strip()]
                        if params and params[-1].endswith("..."):
                            variadic = True
                            params[-1] = params[-1][:-3].strip() or "__VA_ARGS__"
                    name_start = start + text[start:end].find(dm.group(1))
                    macros[dm.group(1)] = Macro(
                        dm.group(1), params, rest[dm.end():].strip(), start, name_start, variadic
                    )
            elif name in ("if", "ifdef", "ifndef"):
                cond_count += 1
                b = Branch(cond_count, 0, name, rest, end, len(text))
                stack.append([b])
                branches.append(b)
            elif name in ("elif", "else") and stack:
                group = stack[-1]
                prev = group[-1]
                prev.end = start
                b = Branch(prev.cond_id, prev.index + 1, name, rest, end, len(text),
                           earlier=[(x.directive, x.condition) for x in group])
                group.append(b)
                branches.append(b)
            elif name == "endif" and stack:
                stack.pop()[-1].end = start
            continue
        append(Token(kind, start, end, m.group(kind)))
    masked_parts.append(text[last:])
    masked = "".join(masked_parts).replace("\r", " ")
    return Lexed(text, masked, tokens, macros, branches, comments)


_KALLSYMS_WORD = "kallsyms"
_DEFINED_NAME_RE = re.compile(r"[ \t]*#[ \t]*define[ \t]+(\w+)")
_DEFINE_LINES_RE = re.compile(r"^[ \t]*#[ \t]*define\b(?:[^\n]*\\\r?\n)*[^\n]*", re.MULTILINE)


def add_header_macros(lexed: Lexed, headers: tuple[tuple[str, str], ...]) -> None:
    """The macros the file's local headers define, as if defined before the file's own (which win)."""
    for path, text in headers:
        lines = [d.group(0) for d in _DEFINE_LINES_RE.finditer(text)]  # lexing only these lines is cheap
        if not lines:
            continue
        found = lex("\n".join(lines)).macros  # one lex: a name defined twice keeps its last definition
        counts: dict[str, int] = {}
        for line in lines:
            d = _DEFINED_NAME_RE.match(line)
            if d:
                counts[d.group(1)] = counts.get(d.group(1), 0) + 1
        for line in lines:  # of a header's alternatives (#ifdef/#else), the one that reaches kallsyms
            d = _DEFINED_NAME_RE.match(line)
            if d and counts[d.group(1)] > 1 and _KALLSYMS_WORD in line[d.end():]:
                found.update(lex(line).macros)
        for name, m in found.items():
            if name not in lexed.macros:  # the file's own definition wins
                lexed.macros[name] = Macro(m.name, m.params, m.body, -1, -1, m.variadic, path)
