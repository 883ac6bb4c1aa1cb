"""The shell front end: tracefs definitions echoed into ``kprobe_events`` and kallsyms/System.map reads.

Shell is not parsed; definitions are found where a word can start one (after a quote, after
``echo``/``printf``, at the start of a here-document line) in a script that mentions
``kprobe_events``. Comment lines are skipped.
"""

from __future__ import annotations

import re

from migrator.core import model as M
from migrator.core import names
from migrator.core.source import Source
from migrator.frontends.text import cli, genheader, modparam, tracefs

_START_RE = re.compile(r"""(?<![\w$\\=])['"]|\b(?:echo|printf)\s+(?:-[a-zA-Z]+\s+)*""")
_HEREDOC_RE = re.compile(r"""<<-?\s*(['"]?)(\w+)\1""")
_ASSIGN_RE = re.compile(r"""^[ \t]*(?:export[ \t]+|local[ \t]+|readonly[ \t]+|declare[ \t]+(?:-\w+[ \t]+)*)?"""
                        r"""([A-Za-z_]\w*)=(['"]?)([^\s'"]*)\2[ \t]*(?:[;#].*)?$""", re.M)
# a path word starts after a separator or a parameter expansion's default ("${1:-/boot/System.map}")
_PATH_RE = re.compile(r"""(?:(?<![\w/.-])|(?<=:[-=]))(["']?)(""" + re.escape(names.PROC_KALLSYMS)
                      + r"""|(?:(?!-)[\w./${}-]*/)?"""
                      + re.escape(names.SYSTEM_MAP) + r"""[\w.${}-]*)\1(?![\w/])""")
_MESSAGE_RE = re.compile(r"\b(?:echo|printf|die|warn|log|error|info)\b")


def build(src: Source) -> M.ProbeModel:
    model = M.ProbeModel(src.path)
    text = src.text
    lines = _code_lines(text)
    for start, end in lines:
        line = text[start:end]
        for m in _PATH_RE.finditer(line):
            if _MESSAGE_RE.search(line, 0, m.start()) or _not_read(line[:m.start()]) or names_only(line):
                continue  # a message that names the file, a file handled or tested, names read, no address
            if _only_names_through(text, lines, line, m):
                continue
            model.kallsyms_paths.append(M.Located(M.Span(start + m.start(), start + m.end()), m.group(2)))
    cli.find(text, lines, model)
    modparam.find(text, cli.commands(text, lines), model)
    genheader.find(text, lines, model)
    if "kprobe_events" not in text:
        return model
    starts: list[int] = []
    heredoc: str | None = None
    for start, end in lines:
        line = text[start:end]
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            else:
                starts.append(start)
            continue
        starts.extend(start + m.end() for m in _START_RE.finditer(line))
        h = _HEREDOC_RE.search(line)
        if h:
            heredoc = h.group(2)
    assigns = _assignments(text)
    seen: set[int] = set()
    for d in tracefs.find(text, sorted(set(starts))):
        if d.loc_start in seen:
            continue
        seen.add(d.loc_start)
        site = _site(text, d, assigns)
        if site is not None:
            model.tracefs_defs.append(site)
    return model


# Commands that handle a map as a file (kernel install scripts copy System.map into /boot, package
# scripts archive it) and file tests ("[ -r /proc/kallsyms ]"): no address is read there.
_FILE_COMMANDS = frozenset(("cp", "mv", "rm", "ln", "install", "rsync", "tar", "touch", "chmod", "chown", "scp", "cmp", "for"))
_FILE_TEST_RE = re.compile(r"(?:\[\[?|\btest)\s+(?:!\s+)?-[efrsdwxLh]\s+[\"']?$")
_SEGMENT_RE = re.compile(r"[;|&`]|\$\(|(?<!\$)[({]|\b(?:then|do|else)\b")  # "${VAR}" is a word
_PREFIX_WORDS = frozenset(("!", "if", "elif", "while", "until", "sudo", "command"))


# A read of the symbol file that yields no address: a count or an existence test (grep -c/-q/-l,
# wc -l), or only the name column (cut -f3, awk '{print $3}'). Field 1 is the address.
_COUNT_OR_TEST_RE = re.compile(r"\bgrep\s+(?:-[a-zA-Z]+\s+)*-[a-zA-Z]*[cqlL]|\bwc\s+-[lw]\b")
_NAME_FIELD_RE = re.compile(r"""\bcut\s[^|;]*-f\s*['"]?3\b|\bawk\b[^|;]*\{\s*print\s+\$3\s*;?\s*\}""")
_ADDRESS_FIELD_RE = re.compile(r"""\bprint\b[^}]*\$1\b|-f\s*['"]?1\b|0[xX]\$""")


def names_only(command: str) -> bool:
    """Does this command line read only names, counts or existence out of the symbol file?"""
    return bool(_COUNT_OR_TEST_RE.search(command) or _NAME_FIELD_RE.search(command)) \
        and not _ADDRESS_FIELD_RE.search(command)


def _only_names_through(text: str, lines: list[tuple[int, int]], line: str, m: re.Match[str]) -> bool:
    """``KSYMS=/proc/kallsyms``: the path goes into a variable; True when every line expanding it
    reads names only or tests the file."""
    a = re.match(r"[ \t]*(?:export[ \t]+|local[ \t]+|readonly[ \t]+)?([A-Za-z_]\w*)=[\"']?$", line[:m.start()])
    if a is None:
        return False
    use = re.compile(r"\$\{?" + re.escape(a.group(1)) + r"\b\}?")
    uses = [text[s:e] for s, e in lines if use.search(text, s, e)]
    return bool(uses) and all(names_only(u) or _not_read(u[:use.search(u).start()])  # type: ignore[union-attr]
                              for u in uses)


def _not_read(before: str) -> bool:
    """Is the path word that follows ``before`` on its line a file tested or handled, not read?"""
    if _FILE_TEST_RE.search(before):
        return True
    words = _SEGMENT_RE.split(before)[-1].split()
    while words and words[0] in _PREFIX_WORDS:
        words.pop(0)
    return bool(words) and words[0] in _FILE_COMMANDS


def _code_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line that is not a comment (here-document bodies included)."""
    out = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if not body.lstrip().startswith("#"):
            out.append((pos, pos + len(body)))
        pos += len(line)
    return out


def _assignments(text: str) -> dict[str, list[re.Match[str]]]:
    out: dict[str, list[re.Match[str]]] = {}
    for m in _ASSIGN_RE.finditer(text):
        out.setdefault(m.group(1), []).append(m)
    return out


def _site(text: str, d: tracefs.Definition, assigns: dict[str, list[re.Match[str]]]) -> M.AddrSite | None:
    span = M.Span(d.loc_start, d.loc_end)
    site = M.AddrSite(span, M.TRACEFS_SHELL, d.address, d.loc, d.cmd == "r", command=d.cmd, event=d.event)
    if d.address is not None:
        site.address_span = span
        return site
    if d.formatted:
        site.origin = M.FORMATTED
        return site
    # $VAR: an address only when the script sets it to a number (or reads it from kallsyms)
    site.variable = d.variable
    found = assigns.get(d.variable, [])
    if len(found) != 1:
        return _runtime_address(text, site)
    a = found[0]
    value = a.group(3)
    if tracefs.NUMBER_RE.fullmatch(value):
        site.address, _f, _v = tracefs.location_kind(value)
        site.text = value
        site.address_span = M.Span(a.start(3), a.end(3))
        site.variable_uses = len(re.findall(r"\$\{?" + re.escape(d.variable) + r"\b\}?", text))
        return site
    line_end = text.find("\n", a.start())
    rhs = text[a.start(3):line_end if line_end >= 0 else len(text)]
    if _SYMBOL_FILE_WORD_RE.search(rhs):
        if names_only(rhs):
            return None  # the variable holds a symbol's name (field 3), which tracefs resolves
        site.origin = M.KALLSYMS
        return site
    return _runtime_address(text, site)


# VAR=value anywhere on a line (after "case) ", "&&", "local"...); the value up to the line's end
_ANY_ASSIGN = r"""(?<![\w$/.-]){name}=(?P<value>[^\n]*)"""
# a value that is an address made at run time: 0x$a, "0x${a}", 0x$(awk ...), or read from a symbol file
_SYMBOL_FILE_WORD_RE = re.compile(names.KALLSYMS_WORD + "|" + re.escape(names.SYSTEM_MAP))
_RUNTIME_ADDRESS_RE = re.compile(r"""^["']?0[xX](?:\$|`|[0-9a-fA-F]+["']?(?:\s|;|$))|""" + _SYMBOL_FILE_WORD_RE.pattern)


def _runtime_address(text: str, site: M.AddrSite) -> M.AddrSite | None:
    """The site of a $VAR when every assignment of VAR in the script is an address: made at run
    time, or one of several literal addresses (case arms for two kernels)."""
    values = [m.group("value") for start, end in _code_lines(text)
              for m in re.finditer(_ANY_ASSIGN.format(name=re.escape(site.variable)), text[start:end])]
    if not values or not all(_RUNTIME_ADDRESS_RE.search(v) and not names_only(v) for v in values):
        return None
    site.origin = M.COMPUTED
    return site
