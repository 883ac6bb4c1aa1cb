"""Every meaningful name is declared once, in migrator/core/names.py.

The prefilter, the pruner, the C builder, the classifier and the other front ends derive their
triggers from that registry; a front end or rule that spells such a name as a string literal of
its own would drift from the others (as `_sinittext` once did). This test reads their sources
and fails on any kernel-name literal that is not in the registry.
"""

from __future__ import annotations

import ast
import re

from conftest import ROOT

from migrator.check import discover
from migrator.core import names
from migrator.frontends.c import prune, shapes

# What a kernel probe/symbol name looks like: the stems of the registry's groups.
KERNEL_NAME = re.compile(
    r"^[\w./]*(?:kallsyms|kprobe|kretprobe|jprobe|relocat|register_k|register_j|_text|_stext|layout|module_core|"
    r"sect_attrs|MOD_TEXT|System\.map|attach_k|config[12]|perf_event|_stp_)[\w./]*$")
SOURCES = [*(ROOT / "migrator" / "frontends").rglob("*.py"), *(ROOT / "migrator" / "check").rglob("*.py"),
           *(ROOT / "rules").glob("*.py")]


def _literals(path):
    tree = ast.parse(path.read_text())
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    fstring_parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings | fstring_parts:
            yield n.lineno, n.value


def test_front_ends_and_rules_spell_no_kernel_name_of_their_own():
    strays = [f"{p.relative_to(ROOT)}:{line}: {value!r}" for p in SOURCES for line, value in _literals(p)
              if KERNEL_NAME.match(value) and value not in names.ALL_NAMES]
    assert not strays, "declare these in migrator/core/names.py and use them from there:\n" + "\n".join(strays)


def test_every_stage_derives_its_triggers_from_the_registry():
    # the drift the registry exists to prevent: every text base is a trigger everywhere
    for base in names.TEXT_BASES:
        assert base in prune.TRIGGER_WORDS
        assert base in shapes.TEXT_BASES
        assert any(p.pattern.startswith(re.escape(base).encode()) for p in discover._WORD_SIGNALS)
    for word in names.REGISTRATION_CALLS:
        assert word in shapes.REGISTER and word in prune.TRIGGER_WORDS
    data = b"#include <linux/kprobes.h>\nstatic unsigned long f(unsigned long off)\n{\n\treturn (unsigned long)_sinittext + off;\n}\n"
    assert discover.worth_parsing(data, "m.c")
