"""The split of a file into top-level constructs (declarations, function definitions, file-scope
macro invocations), after the token-level masking of ``normalize``.

The masks applied here keep lengths too: a macro-defined function header becomes ``void _m(void)``,
a macro loop head ``for(;;)``, a struct-member macro ``int _<n>``, each padded with spaces.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrator.frontends.c.brackets import close as matching
from migrator.frontends.c.lex import Lexed, Token
from migrator.frontends.c.normalize import normalize
from migrator.frontends.c.words import ALL_CAPS, KEYWORDS


@dataclass
class Construct:
    kind: str  # func, decl, macro, macrofunc
    start: int  # offset of the first character
    end: int  # offset after the last character
    first: int  # index of the first token in Unit.tokens
    last: int  # index after the last token
    name: str = ""  # function name, typedef name, macro name


@dataclass
class Split:
    masked: str  # lexed.masked plus the token-level masking
    tokens: list[Token]  # the tokens pycparser will see
    constructs: list[Construct]
    typedefs: set[str]



def split(lexed: Lexed) -> Split:
    return _Splitter(lexed).run()


class _Splitter:
    """Walks the masked tokens once, construct by construct; each step returns the index of the
    token after the construct it took."""

    def __init__(self, lexed: Lexed) -> None:
        self.chars, self.toks = normalize(lexed)
        self.text = lexed.text
        self.n = len(self.toks)
        self.constructs: list[Construct] = []
        self.typedefs: set[str] = set()

    def run(self) -> Split:
        i = 0
        while i < self.n:
            if self.toks[i].value in (";", "}"):
                i += 1
                continue
            after_macro = self.file_scope_macro(i)
            i = after_macro if after_macro is not None else self.declaration(i)
        return Split("".join(self.chars), self.toks, self.constructs, self.typedefs | _implied_types(self.toks))

    def file_scope_macro(self, i: int) -> int | None:
        """A file-scope macro invocation: IDENT(...) with no type before it, optionally after
        "static" for DEFINE_MUTEX-style macros. None when there is none at ``i``."""
        toks, n, t = self.toks, self.n, self.toks[i]
        j = i  # the macro's name
        if t.value == "static" and i + 2 < n and ALL_CAPS.match(toks[i + 1].value) and toks[i + 2].value == "(":
            j = i + 1
        if not (toks[j].kind == "id" and toks[j].value not in KEYWORDS and j + 1 < n and toks[j + 1].value == "("):
            return None
        close = matching(toks, j + 1)
        after = min(close + 1, n)  # unclosed "(": the rest of the file
        if after < n and toks[after].value == "{":
            return self.macro_defined_function(i, j, close, after)
        if after < n and toks[after].value == "=":
            # DEFINE_PER_CPU(type, name) = init;  ->  "int _" declarator, same length; it is then
            # split as a declaration
            _blank(self.chars, t.start, toks[close].end)
            self.chars[t.start:t.start + 5] = "int _"
        elif after < n and toks[after].value == ";":
            after += 1
        if after >= n or toks[after].kind == "id" or toks[after].value in (";", "}"):
            last = toks[min(after, n) - 1]
            self.constructs.append(Construct("macro", t.start, last.end, i, after, toks[j].value))
            return after
        return None

    def macro_defined_function(self, i: int, name: int, close: int, brace: int) -> int:
        """SYSCALL_DEFINE2(name, ...) { body }: tokens ``i`` to the body's closing brace."""
        toks = self.toks
        body_end = matching(toks, brace)
        _mask_macro_header(self.chars, toks[name], toks[close], "void")
        last = min(body_end, self.n - 1)  # unclosed: to the end
        self.constructs.append(Construct("macrofunc", toks[i].start, toks[last].end, i, last + 1, toks[name].value))
        return body_end + 1

    def declaration(self, i: int) -> int:
        """A declaration (to its ";") or a function definition (to its body's "}") from token ``i``."""
        toks, t = self.toks, self.toks[i]
        k, kind = self._declaration_end(i)
        last = min(k, self.n - 1)
        c = Construct(kind, t.start, toks[last].end, i, last + 1)
        if kind == "func":
            _mask_statement_macros(self.chars, toks, i, last + 1)
            self._name_function(c, i, k)
        elif t.value in ("struct", "union"):
            _mask_member_macros(self.chars, toks, i, last + 1)
        elif t.value == "typedef":
            c.name = _typedef_name(toks, i, last)
            if c.name:
                self.typedefs.add(c.name)
        self.constructs.append(c)
        return last + 1

    def _declaration_end(self, i: int) -> tuple[int, str]:
        """Index of the token that ends the construct starting at ``i``, and its kind ("func" or
        "decl"); ``n`` when it runs to the end of the file."""
        toks, n = self.toks, self.n
        depth = 0
        func_body = False
        seen_assign = False
        k = i
        while k < n:
            v = toks[k].value
            if v in ("(", "[", "{"):
                if v == "{" and depth == 0 and not seen_assign and k > i and toks[k - 1].value == ")":
                    func_body = True
                depth += 1
            elif v in (")", "]", "}"):
                depth -= 1
                if v == "}" and (depth == 0 and func_body or depth > 0 and _column_one(self.text, toks[k].start)):
                    if depth > 0:  # unbalanced branches of #if: trust kernel style, } in column 1
                        depth = 0
                    if func_body:
                        return k, "func"
                depth = max(depth, 0)
            elif depth == 0:
                if v == ";":
                    return k, "decl"
                if v == "=":
                    seen_assign = True
            k += 1
        return k, "decl"

    def _name_function(self, c: Construct, i: int, k: int) -> None:
        """The name before the first "(" of the function definition spanning tokens i..k."""
        toks = self.toks
        for m in range(i, k):
            if toks[m].value == "(" and m > i and toks[m - 1].kind == "id":
                c.name = toks[m - 1].value
                if ALL_CAPS.match(c.name) and c.name not in self.typedefs:
                    # "int BPF_PROG(name, struct x *a)": a macro that defines the function
                    close = matching(toks, m)
                    if close < self.n:  # unclosed at the end of the file: nothing to mask
                        _mask_macro_args(self.chars, toks[m], toks[close])
                break


_STMT_PREV = frozenset((";", "{", "}", ":", "else"))
_NOT_LOOP_NEXT = frozenset(
    [";", ",", ")", "]", "}", "=", ".", "->", "+", "-", "*", "/", "%", "&", "|", "^", "?", ":", "<", ">", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "|=", "&=", "^=", "<<=", ">>=", "[", "(", "++", "--"]
)


def _mask_statement_macros(chars: list[str], toks: list[Token], i: int, j: int) -> None:
    """Inside a function body (tokens i..j): a macro loop head such as
    ``list_for_each_entry(pos, head, member) {`` becomes a ``for(;;)`` of equal length."""
    depth = 0
    k = i
    while k < j:
        v = toks[k].value
        if v == "{":
            depth += 1
        elif v == "}":
            depth -= 1
        elif (
            depth > 0
            and toks[k].kind == "id"
            and v not in KEYWORDS
            and k + 1 < j
            and toks[k + 1].value == "("
            and toks[k - 1].value in _STMT_PREV
        ):
            close = matching(toks, k + 1)
            if close + 1 < j and toks[close + 1].value not in _NOT_LOOP_NEXT:
                start, end = toks[k].start, toks[close].end
                width = end - start
                head = "for(;;)" if width >= 7 else "if(1)" if width >= 5 else ""
                if head:
                    _fill(chars, start, end, head)
                k = close
        k += 1


def _fill(chars: list[str], start: int, end: int, text: str) -> bool:
    """Blank [start, end) and write ``text`` at its start, if it fits before the first newline."""
    if len(text) > end - start or "\n" in chars[start:start + len(text)]:
        return False
    _blank(chars, start, end)
    chars[start:start + len(text)] = text
    return True


def _blank(chars: list[str], start: int, end: int) -> None:
    """Spaces over [start, end), newlines kept."""
    for m in range(start, end):
        if chars[m] != "\n":
            chars[m] = " "


def _mask_macro_header(chars: list[str], name: Token, close: Token, ret: str) -> None:
    """SYSCALL_DEFINE2(name, int, a, ...) {  ->  void _m(void) {"""
    _fill(chars, name.start, close.end, f"{ret} _m(void)") or _fill(chars, name.start, close.end, "_m(void)")


def _mask_macro_args(chars: list[str], lparen: Token, rparen: Token) -> None:
    _fill(chars, lparen.start, rparen.end, "(void)")


def _mask_member_macros(chars: list[str], toks: list[Token], i: int, j: int) -> None:
    """DECLARE_BITMAP(bits, N); or __uint(type, X); as a struct member -> "int _<n>;" """
    depth = 0
    for k in range(i, j):
        v = toks[k].value
        if v == "{":
            depth += 1
        elif v == "}":
            depth -= 1
        elif (
            depth >= 1
            and toks[k].kind == "id"
            and toks[k - 1].value in ("{", ";")
            and k + 1 < j
            and toks[k + 1].value == "("
            and v not in KEYWORDS
        ):
            close = matching(toks, k + 1)
            if close + 1 < j and toks[close + 1].value == ";":
                _fill(chars, toks[k].start, toks[close].end, f"int _{k}")


def _typedef_name(toks: list[Token], i: int, j: int) -> str:
    """Declared name of the typedef spanning tokens i..j (exclusive)."""
    for k in range(i, j - 2):
        if toks[k].value == "(" and toks[k + 1].value == "*" and toks[k + 2].kind == "id":
            return toks[k + 2].value
    depth = 0
    name = ""
    for k in range(i, j):
        v = toks[k].value
        if v in ("(", "[", "{"):
            depth += 1
        elif v in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and toks[k].kind == "id":
            name = v
    return name


def _column_one(text: str, offset: int) -> bool:
    return offset == 0 or text[offset - 1] == "\n"


_DECL_PREV = frozenset((";", "{", "}", "(", ",", "static", "const", "extern", "volatile", "register", "inline"))


def _implied_types(toks: list[Token]) -> set[str]:
    """Names used as types: two identifiers in a row at a declaration start (``foo_t x``)."""
    found: set[str] = set()
    for k in range(1, len(toks) - 1):
        a, b = toks[k], toks[k + 1]
        if (
            a.kind == "id"
            and b.kind == "id"
            and a.value not in KEYWORDS
            and b.value not in KEYWORDS
            and toks[k - 1].value in _DECL_PREV
        ):
            found.add(a.value)
        elif (
            a.kind == "id"
            and b.value == "*"
            and a.value not in KEYWORDS
            and toks[k - 1].value in (";", "{", "}", "extern", "static", "const")
        ):
            m = k + 1
            while m < len(toks) and toks[m].value in ("*", "const", "volatile"):
                m += 1
            if m + 1 < len(toks) and toks[m].kind == "id" and toks[m + 1].value in (";", "=", "[", ","):
                found.add(a.value)
    return found
