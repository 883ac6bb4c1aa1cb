"""A file's jprobe code as facts (``core/jprobe_facts.py``), for the jprobe -> kprobe migration.

Read from the tokens of the whole file, not from the parsed constructs: every ``#if`` branch is
seen (a handler defined once per branch is two handlers), and the handlers' bodies, which the
pruner blanks (they hold no trigger), are here as written. Only files with a jprobe get here.
"""

from __future__ import annotations

import re

from migrator.core import names
from migrator.core.jprobe_facts import HandlerParam, JprobeCode, JprobeEntry, JprobeHandler, KpBlock
from migrator.core.model import Span
from migrator.frontends.c.lex import Token, lex

_DECL_QUALIFIERS = frozenset(("const", "volatile", "__read_mostly", "__initdata", "__maybe_unused", "__used"))
_STATEMENT_WORDS = frozenset(("return", "if", "else", "for", "while", "do", "switch", "case", "default", "goto",
                              "break", "continue", "sizeof"))
_TYPE_START = frozenset(("struct", "union", "enum", "static", "float", "double", "extern")) | frozenset(
    w for w in names.C_SCALAR_WORDS if w not in ("__user", "__kernel", "__iomem", "__force"))
_VERSION_TEST = re.compile(r"KERNEL_VERSION\s*\(\s*(\d+)\s*,\s*(\d+)")
_VERSION_HEADER = re.compile(r"^[ \t]*#[ \t]*include[ \t]*<linux/version\.h>", re.MULTILINE)
_DIRECTIVE_LINE = re.compile(r"\n[ \t]*#")
_OPENERS = {"(": ")", "[": "]", "{": "}"}


def scan(text: str) -> JprobeCode:
    toks = lex(text).tokens
    code = JprobeCode()
    depth = _paren_depths(toks)
    for i, t in enumerate(toks):
        if t.value == names.JPROBE and i > 0 and toks[i - 1].value == "struct":
            code.type_words.append(Span(t.start, t.end))
            _declarators(toks, i + 1, depth[i] > 0, code, text)
    objects = set(code.objects)
    for i, t in enumerate(toks):
        if t.kind != "id":
            continue
        if t.value in names.JPROBE_TO_KPROBE_CALLS and i + 1 < len(toks) and toks[i + 1].value == "(":
            code.calls.append((Span(t.start, t.end), names.JPROBE_TO_KPROBE_CALLS[t.value]))
        elif i >= 2 and toks[i - 1].value in (".", "->") and _object_before(toks, i - 2) in objects:
            _member(toks, i, code, text)
    handlers = {e.handler for e in code.entries if e.handler}
    brace, defined, called = 0, set(), []
    for i, t in enumerate(toks):
        brace += 1 if t.value == "{" else -1 if t.value == "}" else 0
        if t.kind != "id" or i + 1 >= len(toks) or toks[i + 1].value != "(":
            continue
        if brace == 0 and toks[_match(toks, i + 1) + 1:_match(toks, i + 1) + 2] and \
                toks[_match(toks, i + 1) + 1].value == "{":
            defined.add(t.value)
        elif names.JPROBE in t.value.lower() and t.value not in names.JPROBE_TO_KPROBE_CALLS \
                and t.value not in (names.JPROBE_RETURN, names.JPROBE_ENTRY_MACRO):
            called.append(t.value)
        if brace == 0 and t.value in handlers:
            h = _handler(toks, i, text)
            if h is not None:
                code.handlers.append(h)
    code.foreign_calls = sorted({c for c in called if c not in defined})
    for line in text.splitlines():
        if "LINUX_VERSION_CODE" in line:
            code.kernel_versions_compared += [(int(a), int(b)) for a, b in _VERSION_TEST.findall(line)]
    code.has_version_header = bool(_VERSION_HEADER.search(text))
    return code


def _paren_depths(toks: list[Token]) -> list[int]:
    out, d = [], 0
    for t in toks:
        out.append(d)
        d += 1 if t.value == "(" else -1 if t.value == ")" and d > 0 else 0
    return out


def _match(toks: list[Token], i: int) -> int:
    """The index of the bracket closing the one at ``i`` (the last token if unbalanced)."""
    opener, closer, d = toks[i].value, _OPENERS[toks[i].value], 0
    for j in range(i, len(toks)):
        d += 1 if toks[j].value == opener else -1 if toks[j].value == closer else 0
        if d == 0:
            return j
    return len(toks) - 1


def _skip_to(toks: list[Token], i: int, stops: tuple[str, ...]) -> int:
    """From ``i``, the first of ``stops`` outside brackets."""
    while i < len(toks) and toks[i].value not in stops:
        i = _match(toks, i) + 1 if toks[i].value in _OPENERS else i + 1
    return i


def _declarators(toks: list[Token], i: int, in_parens: bool, code: JprobeCode, text: str) -> None:
    """The names declared after ``struct jprobe`` (and their initializers)."""
    if i < len(toks) and toks[i].value == "{":  # a definition of the struct itself
        return
    first = i - 1  # the "jprobe" of "struct jprobe"
    while i < len(toks):
        j = i
        while j < len(toks) and (toks[j].value in ("*", "(") or toks[j].value in _DECL_QUALIFIERS):
            j += 1
        pointer = any(t.value == "*" for t in toks[i:j])  # its initializer holds addresses of jprobes
        if j < len(toks) and toks[j].kind == "id":
            code.objects.append(toks[j].value)
        k = _skip_to(toks, j, ("=", ",", ";", ")", "{"))
        if k < len(toks) and toks[k].value == "=":
            if k + 1 < len(toks) and toks[k + 1].value == "{" and not pointer:
                _initializer(toks, k + 1, code, text)
            k = _skip_to(toks, k + 1, (",", ";", ")"))
        if in_parens or k >= len(toks) or toks[k].value != ",":
            if not in_parens and k < len(toks) and toks[k].value == ";":
                code.declarations.append(Span(toks[first - 1].start, toks[k].end))
            return
        i = k + 1


def _initializer(toks: list[Token], open_i: int, code: JprobeCode, text: str) -> None:
    """A jprobe's ``{ ... }`` (or an array's ``{ {...}, ... }``)."""
    end = _match(toks, open_i)
    i = open_i + 1
    while i < end:
        t = toks[i]
        if t.value == "[":  # [N] = {...}
            i = _skip_to(toks, i, ("{", ","))
            continue
        if t.value == "{":
            close = _match(toks, i)
            _initializer(toks, i, code, text)
            i = close + 1
            continue
        if t.value == "." and i + 1 < end:
            i = _designator(toks, i, end, code, text)
            continue
        if t.value == ",":
            i += 1
            continue
        item_end = _skip_to(toks, i, (",", "}"))
        code.positional.append(Span(t.start, toks[min(item_end, len(toks)) - 1].end))
        i = item_end


def _designator(toks: list[Token], i: int, end: int, code: JprobeCode, text: str) -> int:
    """``.kp = {...}``, ``.kp.f = v`` or ``.entry = v`` at ``i``; the index after the item."""
    field, nxt = toks[i + 1].value, toks[i + 2].value if i + 2 < end else ""
    item_end = _skip_to(toks, i, (",", "}"))
    if field == names.JPROBE_KP_FIELD and nxt == "=" and i + 3 < end and toks[i + 3].value == "{":
        close = _match(toks, i + 3)
        after = close + 1 if close + 1 < len(toks) and toks[close + 1].value == "," else close
        code.kp_blocks.append(KpBlock(Span(toks[i].start, toks[i + 3].end), Span(toks[close].start, toks[after].end),
                                      Span(toks[i + 3].end, toks[close].start)))
        return after + 1
    if field == names.JPROBE_KP_FIELD and nxt == ".":
        code.kp_members.append(Span(toks[i].start, toks[i + 1].end))
    elif field == names.JPROBE_ENTRY_FIELD and nxt == "=":
        code.entries.append(_entry(toks, i + 1, i + 3, item_end))
    return item_end


def _entry(toks: list[Token], member: int, first: int, stop: int) -> JprobeEntry:
    value = toks[first:stop]
    ids = [t.value for t in value if t.kind == "id" and t.value not in _TYPE_START
           and t.value not in (names.JPROBE_ENTRY_MACRO, names.PROBE_ADDRESS_TYPE)]
    span = Span(value[0].start, value[-1].end) if value else None
    return JprobeEntry(Span(toks[member].start, toks[member].end), span, ids[-1] if len(ids) == 1 else "")


def _object_before(toks: list[Token], k: int) -> str:
    """The name right before a member access at ``k`` (``jps[i]`` -> ``jps``)."""
    while k >= 0 and toks[k].value == "]":
        d = 0
        while k >= 0:
            d += 1 if toks[k].value == "]" else -1 if toks[k].value == "[" else 0
            k -= 1
            if d == 0:
                break
    return toks[k].value if k >= 0 and toks[k].kind == "id" else ""


def _member(toks: list[Token], i: int, code: JprobeCode, text: str) -> None:
    """``x.kp`` / ``x->kp`` / ``x.entry`` on a jprobe object ``x``."""
    t, arrow = toks[i], toks[i - 1].value == "->"
    nxt = toks[i + 1].value if i + 1 < len(toks) else ""
    if t.value == names.JPROBE_KP_FIELD:
        if arrow and nxt in (".", "->"):  # jp->kp.addr -> jp->addr
            code.kp_members.append(Span(t.start, toks[i + 1].end))
        elif not arrow:  # jp.kp.addr -> jp.addr, &jp.kp -> &jp
            code.kp_members.append(Span(toks[i - 1].start, t.end))
        else:
            code.positional.append(Span(toks[i - 1].start, t.end))  # &jp->kp: nothing to write instead
    elif t.value == names.JPROBE_ENTRY_FIELD:
        if nxt == "=" and i + 2 < len(toks):
            code.entries.append(_entry(toks, i, i + 2, _skip_to(toks, i + 2, (";", ",", ")"))))
        else:
            code.entries.append(JprobeEntry(Span(t.start, t.end), None, ""))


def _handler(toks: list[Token], i: int, text: str) -> JprobeHandler | None:
    close = _match(toks, i + 1)
    if close + 1 >= len(toks) or toks[close + 1].value != "{":
        return None  # a declaration or a call, not the definition
    body_end = _match(toks, close + 1)
    k = i - 1
    while k >= 0 and (toks[k].kind == "id" or toks[k].value == "*"):
        k -= 1
    specifiers = toks[k + 1:i]
    ret = [Span(t.start, t.end) for t in specifiers
           if t.value not in names.HANDLER_QUALIFIERS and t.value != names.ASMLINKAGE]
    asm = [Span(t.start, _next_start(toks, n)) for n, t in enumerate(toks[k + 1:i], k + 1)
           if t.value == names.ASMLINKAGE]
    params = _params(toks[i + 2:close], text)
    body = toks[close + 1:body_end + 1]
    whole = toks[k + 1:body_end + 1]
    h = JprobeHandler(toks[i].value, Span(toks[i].start, toks[i].end), ret, asm,
                      Span(toks[i + 1].end, toks[close].start), params,
                      Span(toks[close + 1].start, toks[body_end].end), _starts_declaration(body[1:4]))
    h.words = frozenset(t.value for t in whole if t.kind == "id")
    h.used = frozenset(t.value for n, t in enumerate(body) if t.kind == "id" and body[n - 1].value not in (".", "->"))
    h.address_taken = frozenset(_address_taken(body, {p.name for p in params if p.name}))
    h.directive_in_signature = bool(_DIRECTIVE_LINE.search(text, toks[k + 1].start, toks[close + 1].start))
    _statements(body, text, h)
    return h


def _next_start(toks: list[Token], n: int) -> int:
    return toks[n + 1].start if n + 1 < len(toks) else toks[n].end


def _params(toks: list[Token], text: str) -> list[HandlerParam]:
    if not toks or [t.value for t in toks] == ["void"]:
        return []
    out, start = [], 0
    for j in range(len(toks) + 1):
        if j == len(toks) or toks[j].value == "," and _balanced(toks[start:j]):
            if j > start:
                out.append(_param(toks[start:j], text))
            start = j + 1
    return out


def _balanced(toks: list[Token]) -> bool:
    return sum(1 if t.value in "([" else -1 if t.value in ")]" else 0 for t in toks) == 0


def _param(toks: list[Token], text: str) -> HandlerParam:
    values = [t.value for t in toks]
    whole = _collapse(text[toks[0].start:toks[-1].end])
    if "..." in values:
        return HandlerParam("", "...", whole, "variadic")
    if "(" in values:
        return HandlerParam("", whole, whole, "funcptr")
    last = toks[-1]
    if "[" in values:
        return HandlerParam("", whole, whole, "array")
    words = [t.value for t in toks[:-1] if t.kind == "id"]
    if last.kind != "id" or len(toks) == 1 or last.value in _TYPE_START or last.value in names.SCALAR_TYPEDEFS:
        return HandlerParam("", whole, whole, "unnamed")
    type_text = _collapse(text[toks[0].start:last.start])
    return HandlerParam(last.value, type_text, whole, _shape(words, "*" in values[:-1]))


def _shape(words: list[str], pointer: bool) -> str:
    if pointer:
        return "pointer"
    if "float" in words or "double" in words:
        return "float"
    if "struct" in words or "union" in words:
        return "struct"
    unknown = [w for w in words if w not in names.C_SCALAR_WORDS and w not in names.SCALAR_TYPEDEFS]
    return f"typedef:{unknown[0]}" if unknown and "enum" not in words else "scalar"


def _collapse(s: str) -> str:
    return " ".join(s.split())


def _starts_declaration(first: list[Token]) -> bool:
    if not first or first[0].kind != "id" or first[0].value in _STATEMENT_WORDS:
        return False
    if first[0].value in _TYPE_START or first[0].value in names.SCALAR_TYPEDEFS:
        return True
    if len(first) >= 2 and first[1].kind == "id":
        return True  # typedef_name var
    return len(first) >= 3 and first[1].value == "*" and first[2].kind == "id"


def _address_taken(body: list[Token], params: set[str]) -> set[str]:
    out = set()
    for j in range(1, len(body) - 1):
        if body[j].value == "&" and body[j + 1].value in params and body[j - 1].kind not in ("id", "num") \
                and body[j - 1].value not in (")", "]"):
            if j + 2 >= len(body) or body[j + 2].value not in ("->", "[", "."):
                out.add(body[j + 1].value)
    return out


def _statements(body: list[Token], text: str, h: JprobeHandler) -> None:
    """The handler's jprobe_return() and return statements, and how the body ends."""
    for j, t in enumerate(body):
        if t.value == names.JPROBE_RETURN and [x.value for x in body[j + 1:j + 4]] == ["(", ")", ";"]:
            span = Span(t.start, body[j + 3].end)
            starts_statement = body[j - 1].value in (";", "{", "}")
            followed = j + 4 < len(body) and body[j + 4].value == "return"
            h.jprobe_returns.append((span, starts_statement and followed and _alone(text, span)))
        elif t.value == "return":
            end = _skip_to(body, j + 1, (";",))
            if end < len(body):
                h.returns.append((Span(t.start, body[end].end), _collapse(text[t.end:body[end].start])))
    last = len(body) - 2  # the token before the closing brace
    if last > 0 and body[last].value == ";":
        k = last - 1
        while k > 0 and body[k].value not in (";", "{", "}"):
            k = k - 1 if body[k].value != ")" else _open_of(body, k) - 1
        h.ends_with_return = body[k + 1].value in ("return", names.JPROBE_RETURN)


def _open_of(toks: list[Token], k: int) -> int:
    d = 0
    while k >= 0:
        d += 1 if toks[k].value == ")" else -1 if toks[k].value == "(" else 0
        if d == 0:
            return k
        k -= 1
    return 0


def _alone(text: str, span: Span) -> bool:
    ls = text.rfind("\n", 0, span.start) + 1
    le = text.find("\n", span.end)
    return not text[ls:span.start].strip() and not text[span.end:le if le >= 0 else len(text)].strip()
