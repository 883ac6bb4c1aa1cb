"""Module parameters given a kernel address by a Python loader.

``subprocess.check_output(["insmod", ko, f"a1=0x{addr}"])`` where the file reads a symbol file
(/proc/kallsyms, System.map) for ``addr``: the Python form of what ``text/modparam.py`` finds in
shell scripts. A parameter is a string of the form ``NAME=0x`` + a formatted value: an f-string
(``f"a1=0x{a}"``, ``f"a1={a:#x}"``), ``"a1=0x%x" % a`` or ``"a1=0x{}".format(a)``. A file that runs
no module loader, or reads no symbol file, has none.
"""

from __future__ import annotations

import ast
import os
import re

from migrator.core import model as M
from migrator.core import names
from migrator.frontends.python.pyfile import PyFile

_HEAD_RE = re.compile(r"^\s*\w+=(0[xX])?$")  # an f-string's text before its first {value}
_TEMPLATE_RE = re.compile(r"(?<![\w.-])\w+=0[xX](?:%l*[xX]|%s|\{[^{}]*\})")  # "a1=0x%lx", "a1=0x{}"


def scan(f: PyFile) -> None:
    """After the strings are read: kallsyms_paths tell whether the file reads a symbol file."""
    if not f.model.kallsyms_paths or not any(_runs_loader(n) for n in f.nodes):
        return
    for n in f.nodes:
        if isinstance(n, ast.JoinedStr) and _address_fstring(n):
            _add(f, n)
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) and _template(n.left):
            _add(f, n.left)
        elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "format"
              and _template(n.func.value)):
            _add(f, n.func.value)


def _runs_loader(node: ast.AST) -> bool:
    """A string whose first word is insmod/modprobe (a path to one too)."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    words = node.value.split(None, 1)
    return bool(words) and os.path.basename(words[0]) in names.MODULE_LOADERS


def _address_fstring(node: ast.JoinedStr) -> bool:
    """``f"a1=0x{a}"`` or ``f"a1={a:#x}"``: a parameter whose value is a hex-formatted value."""
    if len(node.values) < 2 or not isinstance(node.values[0], ast.Constant):
        return False
    head = _HEAD_RE.match(str(node.values[0].value))
    value = node.values[1]
    if head is None or not isinstance(value, ast.FormattedValue):
        return False
    spec = value.format_spec
    hex_spec = isinstance(spec, ast.JoinedStr) and any(
        isinstance(v, ast.Constant) and str(v.value).endswith(("x", "X")) for v in spec.values)
    return head.group(1) is not None or hex_spec


def _template(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and _TEMPLATE_RE.search(node.value) is not None


def _add(f: PyFile, node: ast.AST) -> None:
    """Anchored at the value after ``NAME=``, as in shell scripts; the message quotes the whole string."""
    a, b = f.span(node)
    text = f.text[a:b]
    quote = next((i for i, ch in enumerate(text) if ch in "'\""), -1)
    eq = text.find("=", quote + 1)
    start = a + eq + 1 if quote >= 0 and eq > quote else a
    end = b - 1 if text.endswith(("'", '"')) and b - 1 > start else b
    f.model.modparam_addrs.append(M.Located(M.Span(start, end), "", text))
