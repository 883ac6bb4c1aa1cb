"""Blank the function bodies that cannot matter, before the file is lexed.

Most of a large candidate file (``kernel/bpf/verifier.c`` mentions ``kallsyms_lookup_name`` in a
handful of its 572 functions) is function bodies no rule will ever look at, and lexing, masking and
splitting them was most of the cost of a whole-tree run. In kernel style a function body opens
with ``{`` in column 1 after a header ending in ``)`` and closes with ``}`` in column 1; such a body
is replaced by spaces of the same length (newlines and preprocessor lines kept, so offsets, lines
and ``#if`` structure stay those of the file) unless

- round one: its header or body holds a trigger (a probe type, a probe field write, ``kallsyms``,
  ``System.map``, relocation and module-base names, SystemTap's runtime), or a macro whose body
  holds one, or its name says "relocat";
- round two: it mentions a name round one gives meaning to: a round-one function that can return
  an address or reads a symbol file (a kallsyms wrapper, a relocation helper, a parser), a global
  assigned an address in a round-one body (a pointer harvested with the kprobe trick), a name a
  file-scope statement holding a trigger declares (``static const char *path = "/proc/kallsyms";``).

The builder (``probes.py``) parses the same way: its interesting constructs, then one level up
through the names they give meaning to. ``tests/test_prune.py`` checks that every corpus module
gives the same findings with and without this step. Bodies in other styles (``int f(void) {``) are
never blanked.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from migrator.core import names
from migrator.frontends.c.lex import blank
from migrator.frontends.c.shapes import PROBE_WRITE_MARKERS
from migrator.frontends.c.words import ANNOTATION_CALLS, KEYWORDS

# What makes a body worth analysing: the identifiers the builder treats as strong, the words of
# kallsyms/System.map paths, and writes of the probe fields. Found by plain substring search over
# the whole file (a regex alternation of words is ten times slower), then placed in bodies.
TRIGGER_WORDS = names.TRIGGER_IDENTIFIERS
TRIGGER_SUBSTRINGS = names.TRIGGER_SUBSTRINGS
# a write of a probe field: the field's name first (a literal is found fast), what is before it checked after
_FIELD_WRITE_RES = tuple(re.compile(f + r"\s*=(?!=)") for f in names.PROBE_FIELDS)
_KP_BEFORE_RE = re.compile(r"\bkp\s*(?:\.|->)$")
# {0xffff..., "name"} and {"name", 0xffff...}: two regexes, each starting with a literal (fast)
# a probe's address called in place through a cast: "((lookup_t)kp.addr)(name)" (the kprobe trick)
_ADDR_CALLED_RE = re.compile(r"(?:\.|->)\s*" + names.ADDR + r"\s*\)\s*\(")
_TABLE_ENTRY_RES = (re.compile(r"0x[0-9a-fA-F]{4,}[uUlL]*\s*,\s*\""), re.compile(r"\"\s*,\s*0x[0-9a-fA-F]{4,}"))
_RELOCATE_RE = re.compile(names.RELOCATE_STEM, re.IGNORECASE)
_PATH_RE = re.compile("|".join(re.escape(f) for f in (*names.SYMBOL_FILES, names.FTRACE_ADDRS_FILE)))
# a header made only of these returns no address: "static int __init relocate_all(...)"
STATUS_HEADER_WORDS = frozenset("static inline extern const int void bool _Bool char short signed".split())
# A body: "{" alone in column 1 up to the next "}" in column 1 (kernel style).
_BODY_RE = re.compile(r"^\{[ \t]*\r?\n(.*?)^\}", re.MULTILINE | re.DOTALL)
_HEADER_END_RE = re.compile(r"\)\s*$")
_CALLEE_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
# "name = value;" (not a member: "p->name =") whose value reads an address or kallsyms
_ASSIGNED_RE = re.compile(r"(?<![.>\w])([A-Za-z_]\w*)\s*(?:\[[^\]\n]*\]\s*)?=(?!=)([^;]*)")
_ADDRESS_VALUE_RE = re.compile(rf"\b{names.ADDR}\b|{names.KALLSYMS_WORD}")
# what follows a file-scope variable's name in its declarator
_DECLARATOR_END_RE = re.compile(r"\s*(?:\[[^\]\n]*\]\s*)*(?:=|;|\)\s*\()")
# what a statement declares: variables, struct/union tags, typedef names
_DECLARED_RE = re.compile(r"\b([A-Za-z_]\w*)\s*(?:\[[^\]\n]*\]\s*)*(?:=|;|,|\)\s*\(|\{|$)")
# "#define NAME body" (the # is found by its literal; _in_directive checks it starts its line)
_DEFINE_RE = re.compile(r"#[ \t]*define[ \t]+([A-Za-z_]\w*)((?:[^\n\\]|\\\r?\n|\\.)*)")
_STATEMENT_END_RE = re.compile(r"[;}]|^[ \t]*#[^\n]*$", re.MULTILINE)


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def word_hits(text: str, words: Iterable[str]) -> list[int]:
    """Sorted offsets where one of ``words`` occurs as a whole identifier."""
    out = []
    n = len(text)
    for w in words:
        i = text.find(w)
        while i >= 0:
            j = i + len(w)
            if (i == 0 or not _is_word_char(text[i - 1])) and (j >= n or not _is_word_char(text[j])):
                out.append(i)
            i = text.find(w, j)
    return sorted(out)


def trigger_hits(text: str, probe_types_named: bool) -> list[int]:
    """Sorted offsets of the triggers in ``text``. Without a probe type named in the file, a field
    write is a probe's only as "kp.addr =" (a container declared in a header)."""
    hits = word_hits(text, TRIGGER_WORDS)
    for s in TRIGGER_SUBSTRINGS:
        i = text.find(s)
        while i >= 0:
            hits.append(i)
            i = text.find(s, i + 1)
    hits += [m.start() for m in _ADDR_CALLED_RE.finditer(text)]
    for field_re in _FIELD_WRITE_RES:
        for m in field_re.finditer(text):
            before = text[max(m.start() - 40, 0):m.start()].rstrip()
            if before.endswith((".", "->")) and (probe_types_named or _KP_BEFORE_RE.search(before)):
                hits.append(m.start())
    return sorted(hits)


@dataclass
class _Body:
    header: int  # where the function's header starts
    start: int  # the inside: after the "{" line, up to the "}"
    end: int
    name: str  # the function's name ("" when not found)


def prune(text: str) -> str:
    """``text`` with the bodies that cannot matter blanked (same length), or ``text`` itself."""
    code = text  # comments are read as code: at worst a body is kept that need not be
    bodies = _bodies(code)
    if not bodies:
        return text
    starts = [b.header for b in bodies]

    def at_file_scope(offset: int) -> bool:
        i = bisect.bisect_right(starts, offset) - 1
        return i < 0 or offset >= bodies[i].end

    names: set[str] = set()  # what makes a body mention something that matters (round two)
    code_hits = trigger_hits(code, bool(word_hits(code, PROBE_WRITE_MARKERS)))
    path_macros = set()
    for m in _DEFINE_RE.finditer(code):
        if not _in_directive(code, m.start() + 1):
            continue
        i = bisect.bisect_left(code_hits, m.start(2))
        if i < len(code_hits) and code_hits[i] < m.end(2):
            names.add(m.group(1))  # a macro holding a trigger
        if _PATH_RE.search(m.group(2)):
            path_macros.add(m.group(1))
    for h in code_hits + [m.start() for r in _TABLE_ENTRY_RES for m in r.finditer(code)]:
        if at_file_scope(h) and not _in_directive(code, h):
            stmt = code[_statement_start(code, h):_statement_end(code, h)]
            names.update(w for w in _DECLARED_RE.findall(stmt) if w not in KEYWORDS)
    kept = [bool(_RELOCATE_RE.search(b.name)) for b in bodies]
    for i in _bodies_holding(code_hits + word_hits(code, names), starts, bodies):
        kept[i] = True  # round one
    paths = set(_bodies_holding(word_hits(code, path_macros), starts, bodies)) if path_macros else set()
    for i, (b, keep) in enumerate(zip(bodies, kept, strict=True)):
        if not keep:
            continue
        if b.name and (not _returns_status(code[b.header:b.start], b.name) or i in paths
                       or _PATH_RE.search(code, b.start, b.end) or _PASSES_ADDR_OUT_RE.search(code, b.start, b.end)):
            names.add(b.name)
        names.update(w for w, value in _ASSIGNED_RE.findall(code, b.start, b.end)
                     if w not in names and _ADDRESS_VALUE_RE.search(value) and _declared_at_file_scope(
                         code, w, at_file_scope))
    for i in _bodies_holding(word_hits(code, names), starts, bodies):
        kept[i] = True  # round two
    return text if all(kept) else _blanked(text, bodies, kept)


# a probe's address stored through a pointer parameter: ``*out = (fn_t)kp.addr;``
_PASSES_ADDR_OUT_RE = re.compile(r"[;{]\s*\*\s*\w+\s*=[^;=]*(?:\.|->)\s*addr\b")


def _bodies(code: str) -> list[_Body]:
    """The kernel-style function bodies of ``code`` (not "= {" initializers or struct definitions)."""
    bodies = []
    prev = 0
    for m in _BODY_RE.finditer(code):
        if _HEADER_END_RE.search(code, prev, m.start()):
            header = _last_statement_start(code, prev, m.start())
            bodies.append(_Body(header, m.start(1), m.end(1), _function_name(code[header:m.start()])))
        prev = m.end()
    return bodies


def _blanked(text: str, bodies: list[_Body], kept: list[bool]) -> str:
    parts = []
    last = 0
    for b, keep in zip(bodies, kept, strict=True):
        if keep or text.count("/*", b.start, b.end) != text.count("*/", b.start, b.end):
            continue  # (a body that opens or closes a comment is not one)
        parts.append(text[last:b.start])
        parts.append(_blank_body(text[b.start:b.end]))
        last = b.end
    parts.append(text[last:])
    return "".join(parts)


def _returns_status(header: str, name: str) -> bool:
    """Is the header's return type an int, a bool or void (so the function returns no address)?"""
    before = header[:header.find(name)] if name in header else header
    words = before.replace("*", " * ").split()
    return bool(words) and all(w in STATUS_HEADER_WORDS for w in words)


def _in_directive(code: str, offset: int) -> bool:
    line = code.rfind("\n", 0, offset) + 1
    return code[line:offset].lstrip(" \t").startswith("#")


def _statement_start(code: str, offset: int) -> int:
    """After the ``;`` or the directive line before ``offset``."""
    return max(code.rfind(";", 0, offset), _directive_line_end(code, offset)) + 1


def _directive_line_end(code: str, offset: int) -> int:
    i = code.rfind("\n#", 0, offset)
    return code.find("\n", i + 1) if i >= 0 else -1


def _statement_end(code: str, offset: int) -> int:
    ends = [i for i in (code.find(";", offset), code.find("\n#", offset)) if i >= 0]
    return min(ends) if ends else len(code)


def _declared_at_file_scope(code: str, name: str, at_file_scope: Callable[[int], bool]) -> bool:
    """Is there a file-scope declarator of ``name`` ("name;", "name = ...", "name[...]", "(*name)(...)")
    on a line that is not indented (an indented one is a struct member)?"""
    for i in word_hits(code, (name,)):
        line = code.rfind("\n", 0, i) + 1
        if (at_file_scope(i) and code[line:line + 1] not in (" ", "\t")
                and _DECLARATOR_END_RE.match(code, i + len(name))):
            return True
    return False


def _bodies_holding(hits: list[int], starts: list[int], bodies: list[_Body]) -> set[int]:
    """Indexes of the bodies (header included) that hold one of ``hits``."""
    found = set()
    for h in hits:
        i = bisect.bisect_right(starts, h) - 1
        if i >= 0 and h < bodies[i].end:
            found.add(i)
    return found


def _last_statement_start(code: str, start: int, end: int) -> int:
    """Where the last statement of ``code[start:end]`` starts (after its last ``;``, ``}`` or directive)."""
    for m in _STATEMENT_END_RE.finditer(code, start, end):
        start = m.end()
    return start


def _function_name(header: str) -> str:
    """The defined function's name: the first ``name(`` of the header's last statement."""
    for m in _CALLEE_RE.finditer(header):
        if m.group(1) not in KEYWORDS and m.group(1) not in ANNOTATION_CALLS:
            return m.group(1)
    return ""


def _blank_body(body: str) -> str:
    """Spaces for everything but newlines and preprocessor lines (with their continuations)."""
    if "#" not in body:
        return blank(body)
    lines = []
    continued = False
    for line in body.split("\n"):
        if continued or line.lstrip().startswith("#"):
            lines.append(line)
            continued = line.endswith("\\") or line.endswith("\\\r")
        else:
            lines.append(" " * len(line))
            continued = False
    return "\n".join(lines)
