"""Kernel addresses that user space hands a module, later called as functions.

A module that cannot call kallsyms_lookup_name() (unexported since Linux 5.7) can have a user look
the address up in /proc/kallsyms and pass it in: as a module parameter (``insmod m.ko
kln=0xffffffff...``) or written to a sysctl, procfs or debugfs file whose handler parses it with
kstrtoul()/sscanf(). The module stores it in a function pointer and calls it. Found at token level
on the file's own text (the handler that parses the number holds no probe word, so the pruned and
selected constructs the parser reads may not include it):

* ``ptr = (cast)value;`` at statement level (or as a declaration's initializer), where ``value`` is
  a numeric module parameter, a variable the same function filled with kstrto*()/simple_strto*()/
  sscanf(), or a macro the file tests with #ifdef and never defines (given on the build's
  command line: ``-DKALLSYMS_ADDR=0x...``); or ``ptr = (cast)simple_strtoul(str, ...)``, a number
  parsed from a string (a charp module parameter, a written buffer) and cast in one statement;
* and ``ptr`` is a function pointer: called somewhere in the file, or declared with a
  function-pointer type (no function of that name is defined).
"""

from __future__ import annotations

import re

from migrator.core import model as M

_PARAM_RES = (  # a literal first: the regex engine then searches at memchr speed
    re.compile(r"module_param\s*\(\s*(\w+)\s*,\s*(?:ulong|long|ullong|llong|hexint)\s*,"),
    re.compile(r"module_param_named\s*\(\s*\w+\s*,\s*(\w+)\s*,\s*(?:ulong|long|ullong|llong|hexint)\s*,"),
)
_PARSED_BY_REFERENCE = re.compile(r"(?:kstrto(?:u?l|u?ll|u?int)|sscanf)\s*\([^;]*?&\s*(\w+)\s*\)")
_ASSIGNED_FROM = re.compile(r"(\w+)\s*=\s*(?:\([^()]*\)\s*)?\Z")  # "v = (cast)" right before the call
# a macro tested with #ifdef whose name says it is an address (KLN_ADDR, KALLSYMS_LOOKUP_NAME_ADDR)
_IFDEF_ADDRESS = re.compile(r"#[ \t]*if(?:def[ \t]+|[ \t]+defined[ \t]*\(?[ \t]*)(\w*(?:ADDR|KALLSYMS|KLN)\w*)")
# "ptr = (cast)" (one cast or more) ending where the value starts, and ";" after the value
_CAST_ASSIGNED = re.compile(r"(\w+)\s*=\s*(?:\(\s*[\w\s*()]*?\)\s*)+\Z")
_STATEMENT_END = re.compile(r"\s*;")
_FN_PTR_TYPEDEF = re.compile(r"typedef\b[^;]*?\(\s*\*\s*(\w+)\s*\)\s*\(")
_FUNCTION_START = re.compile(r"^\{", re.MULTILINE)  # kernel style: a body opens in column 1
_WORDS = ("module_param", "strto", "sscanf", "ADDR", "KALLSYMS", "KLN")


def scan(text: str, defined_functions: set[str], model: M.ProbeModel) -> None:
    if not any(w in text for w in _WORDS):
        return
    sources: dict[str, str] = {}  # candidate value -> where it comes from
    if "module_param" in text:
        sources.update((m.group(1), f"the module parameter {m.group(1)}") for r in _PARAM_RES for m in r.finditer(text))
    if "strto" in text or "sscanf" in text:
        sources.update((name, f"{name}, a number parsed from text") for name in _parsed_in(text))
    if "#" in text:
        sources.update((name, f"{name}, a number the build command line defines (-D{name}=...)")
                       for name in {m.group(1) for m in _IFDEF_ADDRESS.finditer(text)}
                       if not re.search(r"#\s*define\s+" + re.escape(name) + r"\b", text))
    starts = [m.start() for m in _FUNCTION_START.finditer(text)]
    pointer_types = {m.group(1) for m in _FN_PTR_TYPEDEF.finditer(text)} if "typedef" in text else set()
    if "simple_strto" in text:  # "ptr = (cast)simple_strtoul(str, NULL, 16);": parsed and cast in one
        _parsed_and_cast(text, defined_functions, pointer_types, model)
    if not sources:
        return
    for value, source in sources.items():
        for at in _uses(text, value):
            m = _CAST_ASSIGNED.search(text, max(0, at - 200), at)  # "ptr = (cast)" right before the value
            if m is None or not _STATEMENT_END.match(text, at + len(value)):
                continue
            target = m.group(1)
            if target in defined_functions or not _function_pointer(text, target, pointer_types):
                continue
            if "parsed from text" in source and value not in _parsed_before(text, starts, at):
                continue  # parsed in another function: another variable of the same name
            model.user_addr_calls.append(M.Located(M.Span(at, at + len(value)), target, source))


_STRTO_CALL = re.compile(r"simple_strto(?:u?l|u?ll)\s*\(")


def _parsed_and_cast(text: str, defined_functions: set[str], pointer_types: set[str], model: M.ProbeModel) -> None:
    i = text.find("simple_strto")
    while i >= 0:
        call = _STRTO_CALL.match(text, i)
        m = _CAST_ASSIGNED.search(text, max(0, i - 200), i) if call else None
        if call and m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            target = m.group(1)
            if target not in defined_functions and _function_pointer(text, target, pointer_types):
                name = call.group(0).rstrip("( \t\n")
                model.user_addr_calls.append(M.Located(M.Span(i, i + len(name)), target,
                                                       f"a number {name}() parses from text"))
        i = text.find("simple_strto", i + 1)


def _uses(text: str, word: str) -> list[int]:
    out, i = [], text.find(word)
    while i >= 0:
        end = i + len(word)
        if (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) and \
                (end >= len(text) or not (text[end].isalnum() or text[end] == "_")):
            out.append(i)
        i = text.find(word, end)
    return out


def _function_pointer(text: str, name: str, pointer_types: set[str]) -> bool:
    """Is ``name`` called, or declared as a function pointer (``T (*name)(...)``, ``fnptr_t name``)?"""
    word = re.escape(name)
    if re.search(r"\b" + word + r"\s*\(", text) or re.search(r"\(\s*\*\s*" + word + r"\s*\)\s*\(", text):
        return True
    return any(re.search(r"\b" + re.escape(t) + r"\s+" + word + r"\s*[;=,]", text) for t in pointer_types)


def _parsed_in(text: str) -> set[str]:
    """Variables kstrto*()/sscanf() fill (``&v``) or simple_strto*() returns into: each call found by
    a plain search first (a regex starting with an alternation or a word scans far slower)."""
    out: set[str] = set()
    for word in ("kstrto", "sscanf"):
        i = text.find(word)
        while i >= 0:
            m = _PARSED_BY_REFERENCE.match(text, i)
            if m:
                out.add(m.group(1))
            i = text.find(word, i + 1)
    i = text.find("simple_strto")
    while i >= 0:
        m = _ASSIGNED_FROM.search(text, max(0, i - 80), i)
        if m:
            out.add(m.group(1))
        i = text.find("simple_strto", i + 1)
    return out


def _parsed_before(text: str, starts: list[int], at: int) -> set[str]:
    """Variables kstrto*()/simple_strto*()/sscanf() fill between the start of the function holding
    ``at`` and ``at``."""
    begin = max((s for s in starts if s < at), default=0)
    return _parsed_in(text[begin:at])
