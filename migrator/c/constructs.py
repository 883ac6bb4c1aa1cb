"""Same-length masking of GNU/kernel syntax pycparser does not take, and the split of a file
into top-level constructs (declarations, function definitions, file-scope macro invocations).

Every replacement keeps the length of what it replaces, so an offset in the masked text is the
same offset in the file and pycparser's line:column points at the original characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lex import Lexed, Token

# Annotations that carry no meaning for the probe model.
ANNOTATIONS = frozenset(
    ["__init", "__exit", "__initdata", "__exitdata", "__initconst", "__read_mostly", "__kprobes", "notrace", "__user", "__iomem", "__force", "__must_check", "__always_inline", "noinline", "__maybe_unused", "__used", "__cold", "__hot", "__percpu", "__rcu", "asmlinkage", "__visible", "__nocfi", "__weak", "__packed", "__cacheline_aligned", "__cacheline_aligned_in_smp", "__ro_after_init", "__noreturn", "__always_unused", "__randomize_layout", "__nocast", "__bitwise", "fastcall", "__sched", "__latent_entropy", "__noinline", "__extension__", "__deprecated", "__pure", "__malloc", "__flatten", "__naked", "__init_or_module", "__meminit", "__meminitdata", "__devinit", "__devexit", "__devinitdata", "__devexitdata", "__cpuinit", "__cpuinitdata", "__ref", "__refdata", "__unused", "__initdata_or_module", "__lockfunc", "__irq_entry", "noinstr", "__no_kcsan", "__no_sanitize_address", "__safe", "__private", "__nonstring", "__ksym", "__kconfig", "__exitcall", "__initcall", "__net_init", "__net_exit", "__bpf_kfunc", "__kernel", "__designated_init", "__noclone", "__no_stack_protector", "__fastpath", "__attribute_const__", "__always_unused", "__init_memblock", "__head", "__page_aligned_data", "__page_aligned_bss", "__mustcheck", "__restrict__", "__restrict", "__STP_ATTRIBUTE_UNUSED", "noinline_for_stack", "__iomem", "__kprobes_text", "__nosavedata", "__initdata_memblock", "__must_be_array", "__user_ptr", "__counted", "__sparse_cache"]
)
# Annotations followed by a parenthesised argument list.
ANNOTATION_CALLS = frozenset(
    ["__attribute__", "__attribute", "__aligned", "__section", "__printf", "__scanf", "__acquires", "__releases", "__must_hold", "__counted_by", "__alloc_size", "__assume_aligned", "__free", "__cleanup", "__guarded_by", "__diag_push", "__diag_pop", "__nocapture", "__cond_acquires", "__no_sanitize_or_inline", "__ALIGN_KERNEL_MASK", "__retain", "__SEC", "__attribute_maybe_unused__", "_Alignas", "__declspec", "__aligned_largest", "__cacheline_aligned_by"]
)
RENAMES = {
    "__typeof__": "typeof",
    "__typeof": "typeof",
    "__inline__": "inline",
    "__inline": "inline",
    "__volatile__": "volatile",
    "__volatile": "volatile",
    "__const": "const",
    "__const__": "const",
    "__signed__": "signed",
    "__signed": "signed",
    "__builtin_offsetof": "offsetof",
    "__alignof__": "sizeof",
    "_Alignof": "sizeof",
    "__alignof": "sizeof",
    "__auto_type": "int",
}
ASM = frozenset(("asm", "__asm__", "__asm"))
KEYWORDS = frozenset(
    ["auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool", "_Complex", "_Static_assert", "typeof", "offsetof"]
)
_ALLCAPS = re.compile(r"^[A-Z_][A-Z0-9_]*$")


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


def _match(tokens: list[Token], i: int) -> int:
    """Index of the bracket closing the one at ``i`` (or len(tokens))."""
    depth = 0
    for j in range(i, len(tokens)):
        v = tokens[j].value
        if v in ("(", "[", "{"):
            depth += 1
        elif v in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return j
    return len(tokens)


def normalize(lexed: Lexed) -> tuple[list[str], list[Token]]:
    """Mask annotations, asm, glued string macros, ``?:`` and ranges; same length."""
    chars = list(lexed.masked)
    toks = lexed.tokens
    keep: list[Token] = []
    drop_until = -1
    n = len(toks)

    def put(start: int, text: str) -> None:
        chars[start:start + len(text)] = text

    def blank(i: int, j: int) -> None:  # tokens i..j inclusive
        for t in toks[i:j + 1]:
            for k in range(t.start, t.end):
                if chars[k] != "\n":
                    chars[k] = " "

    for i, t in enumerate(toks):
        if i <= drop_until:
            continue
        v = t.value
        if t.kind == "id":
            if v in ANNOTATIONS:
                blank(i, i)
                continue
            if v in ANNOTATION_CALLS and i + 1 < n and toks[i + 1].value == "(":
                drop_until = _match(toks, i + 1)
                blank(i, drop_until)
                continue
            if v in ASM:
                j = i + 1
                while j < n and toks[j].value in ("volatile", "__volatile__", "goto", "inline"):
                    j += 1
                if j < n and toks[j].value == "(":
                    drop_until = _match(toks, j)
                    blank(i, drop_until)
                    continue
            if v in RENAMES:
                new = RENAMES[v]
                put(t.start, new + " " * (len(v) - len(new)))
                keep.append(Token("id", t.start, t.start + len(new), new))
                continue
            if _ALLCAPS.match(v) and 0 < i < n - 1:
                # KERN_INFO DRV_NAME ": x" and "%" PRIu64 "\n": macros glued to string literals
                j = i
                while j < n and toks[j].kind == "id" and _ALLCAPS.match(toks[j].value):
                    j += 1
                before, after = toks[i - 1], toks[j] if j < n else None
                if after is not None and (
                    after.kind == "str" and (before.value in ("(", ",", "?", ":", "=") or before.kind == "str")
                    or before.kind == "str" and after.value in (")", ",", ";")
                ):
                    blank(i, j - 1)
                    drop_until = j - 1
                    continue
        elif t.kind == "p":
            if v == "?" and i + 1 < n and toks[i + 1].value == ":":
                # GNU "a ?: b" -> "a *+ b": same length, still one expression.
                put(t.start, "*")
                put(toks[i + 1].start, "+")
                keep.append(Token("p", t.start, t.start + 1, "*"))
                keep.append(Token("p", toks[i + 1].start, toks[i + 1].start + 1, "+"))
                drop_until = i + 1
                continue
            if v == "..." and i > 0 and toks[i - 1].value not in (",", "("):
                # case ranges and designator ranges: "1 ... 3" -> "1 +   3"
                put(t.start, "+  ")
                keep.append(Token("p", t.start, t.start + 1, "+"))
                continue
        keep.append(t)
    return chars, keep


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
            close = _match(toks, k + 1)
            if close + 1 < j and toks[close + 1].value not in _NOT_LOOP_NEXT:
                start, end = toks[k].start, toks[close].end
                width = end - start
                head = "for(;;)" if width >= 7 else "if(1)" if width >= 5 else ""
                if head and "\n" not in chars[start:start + len(head)]:
                    for m in range(start, end):
                        if chars[m] != "\n":
                            chars[m] = " "
                    chars[start:start + len(head)] = head
                k = close
        k += 1


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


def split(lexed: Lexed) -> Split:
    chars, toks = normalize(lexed)
    text = lexed.text
    out: list[Construct] = []
    typedefs: set[str] = set()
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        if t.value in (";", "}"):
            i += 1
            continue
        # A file-scope macro invocation: IDENT(...) with no type before it, optionally after
        # "static" for DEFINE_MUTEX-style macros.
        j = i
        if t.value == "static" and i + 2 < n and _ALLCAPS.match(toks[i + 1].value) and toks[i + 2].value == "(":
            j = i + 1
        if (
            toks[j].kind == "id"
            and toks[j].value not in KEYWORDS
            and j + 1 < n
            and toks[j + 1].value == "("
        ):
            close = _match(toks, j + 1)
            after = close + 1
            if after < n and toks[after].value == "{":
                body_end = _match(toks, after)
                out.append(Construct("macrofunc", t.start, toks[min(body_end, n - 1)].end, i,
                                     body_end + 1, toks[j].value))
                i = body_end + 1
                continue
            if after < n and toks[after].value == "=":
                # DEFINE_PER_CPU(type, name) = init;  ->  "int _" declarator, same length
                for m in range(t.start, toks[close].end):
                    if chars[m] != "\n":
                        chars[m] = " "
                chars[t.start:t.start + 5] = "int _"
            elif after < n and toks[after].value == ";":
                after += 1
            if after >= n or toks[after].kind == "id" or toks[after].value in (";", "}"):
                last = toks[min(after, n) - 1]
                out.append(Construct("macro", t.start, last.end, i, after, toks[j].value))
                i = after
                continue
        depth = 0
        func_body = False
        seen_assign = False
        k = i
        end_kind = "decl"
        while k < n:
            v = toks[k].value
            if v in ("(", "[", "{"):
                if v == "{" and depth == 0 and not seen_assign and k > i and toks[k - 1].value == ")":
                    func_body = True
                depth += 1
            elif v in (")", "]", "}"):
                depth -= 1
                if v == "}" and (depth == 0 and func_body or depth > 0 and _column_one(text, toks[k].start)):
                    if depth > 0:  # unbalanced branches of #if: trust kernel style, } in column 1
                        depth = 0
                    if func_body:
                        end_kind = "func"
                        break
                depth = max(depth, 0)
            elif depth == 0:
                if v == ";":
                    break
                if v == "=":
                    seen_assign = True
            k += 1
        last_index = min(k, n - 1)
        c = Construct(end_kind, t.start, toks[last_index].end, i, last_index + 1)
        if end_kind == "func":
            _mask_statement_macros(chars, toks, i, last_index + 1)
            for m in range(i, k):
                if toks[m].value == "(" and m > i and toks[m - 1].kind == "id":
                    c.name = toks[m - 1].value
                    break
        elif t.value == "typedef":
            c.name = _typedef_name(toks, i, last_index)
            if c.name:
                typedefs.add(c.name)
        out.append(c)
        i = last_index + 1
    return Split("".join(chars), toks, out, typedefs | _implied_types(toks))


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
            and toks[k - 1].value in (";", "{", "}")
        ):
            m = k + 1
            while m < len(toks) and toks[m].value == "*":
                m += 1
            if m + 1 < len(toks) and toks[m].kind == "id" and toks[m + 1].value in (";", "=", "[", ","):
                found.add(a.value)
    return found
