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
  command line: ``-DKALLSYMS_ADDR=0x...``);
* and ``ptr`` is a function pointer: called somewhere in the file, or declared with a
  function-pointer type (no function of that name is defined).
"""

from __future__ import annotations

import re

from migrator.core import model as M

_PARAM_RES = (
    re.compile(r"\bmodule_param\s*\(\s*(\w+)\s*,\s*(?:ulong|long|ullong|llong|hexint)\s*,"),
    re.compile(r"\bmodule_param_named\s*\(\s*\w+\s*,\s*(\w+)\s*,\s*(?:ulong|long|ullong|llong|hexint)\s*,"),
)
_PARSED_BY_REFERENCE = re.compile(r"\b(?:kstrto(?:u?l|u?ll|u?int)|sscanf)\s*\([^;]*?&\s*(\w+)\s*\)")
_PARSED_BY_VALUE = re.compile(r"\b(\w+)\s*=\s*(?:\([^()]*\)\s*)?simple_strtou?ll?\s*\(")
# "ptr = (cast)value;" as a statement: after ";", "{", "}" or a line start
_ASSIGN = re.compile(r"(?:^|(?<=[;{}]))[ \t]*(?:\w+[ \t]+\**[ \t]*)*"
                     r"(\w+)\s*=\s*((?:\(\s*[\w\s*()]*?\)\s*)+)(\w+)\s*;", re.MULTILINE)
_MACRO_NAME = re.compile(r"[A-Z][A-Z0-9_]*\Z")
_FN_PTR_TYPEDEF = re.compile(r"\btypedef\b[^;]*?\(\s*\*\s*(\w+)\s*\)\s*\(")
_FUNCTION_START = re.compile(r"^\{", re.MULTILINE)  # kernel style: a body opens in column 1


def scan(text: str, defined_functions: set[str], model: M.ProbeModel) -> None:
    if not any(w in text for w in ("module_param", "strto", "sscanf", "#ifdef", "defined")):
        return
    params = {m.group(1) for r in _PARAM_RES for m in r.finditer(text)}
    starts = [m.start() for m in _FUNCTION_START.finditer(text)]
    pointer_types = {m.group(1) for m in _FN_PTR_TYPEDEF.finditer(text)}
    for m in _ASSIGN.finditer(text):
        target, value = m.group(1), m.group(3)
        if target in defined_functions or not _function_pointer(text, target, pointer_types):
            continue
        if value in params:
            source = f"the module parameter {value}"
        elif value in _parsed_before(text, starts, m.start()):
            source = f"{value}, a number parsed from text"
        elif _from_build_command(text, value):
            source = f"{value}, a number the build command line defines (-D{value}=...)"
        else:
            continue
        model.user_addr_calls.append(M.Located(M.Span(m.start(3), m.end(3)), target, source))


def _function_pointer(text: str, name: str, pointer_types: set[str]) -> bool:
    """Is ``name`` called, or declared as a function pointer (``T (*name)(...)``, ``fnptr_t name``)?"""
    word = re.escape(name)
    if re.search(r"\b" + word + r"\s*\(", text) or re.search(r"\(\s*\*\s*" + word + r"\s*\)\s*\(", text):
        return True
    return any(re.search(r"\b" + re.escape(t) + r"\s+" + word + r"\s*[;=,]", text) for t in pointer_types)


def _from_build_command(text: str, value: str) -> bool:
    """A macro the file tests with #ifdef but never defines: it comes from the compiler's command line
    (``make KALLSYMS_ADDR=0x$(grep ...)``)."""
    if not _MACRO_NAME.match(value) or re.search(r"#\s*define\s+" + re.escape(value) + r"\b", text):
        return False
    return bool(re.search(r"#\s*(?:ifdef\s+" + re.escape(value) + r"\b|if\s+defined\s*\(?\s*" + re.escape(value) + r"\b)",
                          text))


def _parsed_before(text: str, starts: list[int], at: int) -> set[str]:
    """Variables kstrto*()/simple_strto*()/sscanf() fill between the start of the function holding
    ``at`` and ``at``."""
    begin = max((s for s in starts if s < at), default=0)
    region = text[begin:at]
    return {m.group(1) for r in (_PARSED_BY_REFERENCE, _PARSED_BY_VALUE) for m in r.finditer(region)}
