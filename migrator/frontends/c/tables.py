"""Token-level facts that need no parse: embedded symbol tables and kallsyms/System.map paths.

Reading them from tokens keeps a 100,000-entry table (SystemTap's ``-d kernel``) cheap, and
finds the paths in constructs the parser could not take.
"""

from __future__ import annotations

import re

from migrator.core import model as M
from migrator.core import names
from migrator.frontends.c.constructs import Split
from migrator.frontends.c.lex import Lexed, Token

PATH_RE = re.compile(r'^"(?:' + re.escape(names.PROC_KALLSYMS) + r'|(?:[\w./%-]*/)?' + re.escape(names.SYSTEM_MAP)
                     + r'(?:[-.%][^"\s]*)?)"$')
# a path ("/sys/kernel/tracing/...", "/..." after a macro): the bare name is the kernel creating the file
FTRACE_ADDRS_RE = re.compile(r'^"[\w./-]*/' + re.escape(names.FTRACE_ADDRS_FILE) + '"$')
SYMBOL_RE = re.compile(r'^"[A-Za-z_.$][\w.$]*"$')
NOT_SYMBOL_FIELDS = frozenset(("module", "section", "mod", "sec", "modname", "pp", "secname", "file"))
PROBE_TYPES = frozenset(names.PROBE_STRUCTS)


def scan(model: M.ProbeModel, lexed: Lexed, split: Split) -> None:
    toks = split.tokens
    for c in split.constructs:
        if c.kind == "decl":
            _symbol_table(model, toks[c.first:c.last])
    macros = lexed.macros
    toks = lexed.tokens
    for i, t in enumerate(toks):
        found: list[M.Located] | None = None
        path = ""
        if t.kind == "str" and PATH_RE.match(t.value):
            found, path = model.kallsyms_paths, t.value.strip('"')
        elif t.kind == "str" and FTRACE_ADDRS_RE.match(t.value):
            found, path = model.ftrace_addr_paths, t.value.strip('"')
        elif t.kind == "str" and _shell_reads_map(t.value):
            found, path = model.kallsyms_paths, names.PROC_KALLSYMS
        elif t.kind == "id" and t.value in macros and macros[t.value].params is None:
            body = macros[t.value].body.strip()
            if PATH_RE.match(body):
                found, path = model.kallsyms_paths, body.strip('"')
            elif body.startswith('"') and _shell_reads_map(_joined(body)):
                found, path = model.kallsyms_paths, names.PROC_KALLSYMS
            elif FTRACE_ADDRS_RE.match(body):
                found, path = model.ftrace_addr_paths, body.strip('"')
        # "open " KSYMS_PATH " failed", fprintf(stderr, "... %s", KSYMS_PATH): a message names the file
        if found is not None and not _in_message(toks, i):
            found.append(M.Located(M.Span(t.start, t.end), path))


# A shell command in a string (for call_usermodehelper, system(), popen()) that reads the symbol
# file with a text tool, not a message naming it
_SHELL_READ_RE = re.compile(r"\b(?:awk|grep|egrep|sed|cut|cat|head|sort)\b.*?(?:" + re.escape(names.PROC_KALLSYMS)
                            + "|" + re.escape(names.SYSTEM_MAP) + ")")
_STRING_PIECE_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')


# calls whose string arguments are messages for a human, not paths to open
MESSAGE_CALLS = frozenset((
    "printf", "fprintf", "dprintf", "perror", "puts", "fputs", "die", "err", "errx", "warn", "warnx", "error",
    "syslog", "printk", "pr_err", "pr_warn", "pr_info", "pr_notice", "pr_debug", "pr_cont", "p_err", "p_info"))


def _in_message(toks: list[Token], i: int) -> bool:
    """Is token ``i`` part of a message: glued to another string literal, or an argument of a call
    that prints?"""
    t = toks[i]
    glued = [toks[k] for k in (i - 1, i + 1) if 0 <= k < len(toks) and toks[k].kind == "str"]
    if t.kind == "id" and any(" " in g.value for g in glued):  # words around it (a path goes on without blanks)
        return True
    depth = 0
    for k in range(i - 1, max(i - 64, -1), -1):  # back to the "(" of the call holding it
        v = toks[k].value
        if v in (")", "]"):
            depth += 1
        elif v in ("(", "["):
            if depth == 0:
                return v == "(" and k > 0 and toks[k - 1].value in MESSAGE_CALLS
            depth -= 1
        elif v in (";", "{", "}"):
            return False
    return False


def _shell_reads_map(literal: str) -> bool:
    return (names.PROC_KALLSYMS in literal or names.SYSTEM_MAP in literal) and bool(_SHELL_READ_RE.search(literal))


def _joined(body: str) -> str:
    """The string a macro of adjacent literals ("a " "b") makes."""
    return '"' + "".join(_STRING_PIECE_RE.findall(body)) + '"'


def _symbol_table(model: M.ProbeModel, toks: list[Token]) -> None:
    name = None
    eq = None
    for i, t in enumerate(toks):
        if t.value == "=":
            eq = i
            break
        if t.value == "[" and name is None and i > 0 and toks[i - 1].kind == "id":
            name = toks[i - 1]
        if t.value in PROBE_TYPES:
            return
    if name is None or eq is None:
        return
    entries = 0
    depth = 0
    has_num = has_sym = False
    for i in range(eq + 1, len(toks)):
        t = toks[i]
        if t.value == "{":
            depth += 1
            if depth == 2:
                has_num = has_sym = False
        elif t.value == "}":
            if depth == 2 and has_num and has_sym:
                entries += 1
            depth -= 1
        elif depth == 2:
            if t.kind == "num" and _address_like(t.value):
                has_num = True
            elif t.kind == "str" and SYMBOL_RE.match(t.value):
                field = toks[i - 2].value if i >= 3 and toks[i - 1].value == "=" and toks[i - 3].value == "." else ""
                if field not in NOT_SYMBOL_FIELDS:
                    has_sym = True
    if entries:
        model.address_tables.append(M.AddressTable(M.Span(name.start, name.end), name.value, entries))


def _address_like(text: str) -> bool:
    """A hex constant big enough to be a text address or a section offset (not an ID or a size)."""
    digits = text.rstrip("uUlL")
    if not digits.lower().startswith("0x"):
        return False
    try:
        return int(digits, 16) >= 0x1000
    except ValueError:
        return False
