"""The modules we wrote in the styles found in real code (corpus/wild, catalogue in corpus/WILD.md).

Their .expected files were written by hand before the tool ran on them, several with
``PROPOSED:<rule>`` for shapes no rule covers yet. A module the tool gets exactly right must stay
right; a module listed in corpus/wild/GAPS is a known gap, and the test fails as soon as it is
right (remove it from GAPS then: the list only shrinks).
"""

from __future__ import annotations

import pytest
from conftest import WILD, corpus_modules, read_expected

from migrator.check.engine import Options, check_bytes
from migrator.check.registry import all_rules

MODULES = corpus_modules(WILD)


def _gaps() -> dict[str, str]:
    out = {}
    for raw in (WILD / "GAPS").read_text().splitlines():
        if raw.strip() and not raw.startswith("#"):
            name, _, why = raw.partition(" ")
            out[name] = why.strip()
    return out


GAPS = _gaps()


def test_every_gap_names_a_module():
    names = {str(m.relative_to(WILD)) for m in MODULES}
    assert set(GAPS) <= names, set(GAPS) - names
    assert len(MODULES) >= 30


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(WILD)) for m in MODULES])
def test_wild_module(module):
    result = check_bytes(str(module), module.read_bytes(), Options(rules=list(all_rules())))
    assert not [d for d in result.diagnostics if d.kind == "internal"]
    got = sorted((f.line, f.column, f.rule, f.severity.label == "info") for f in result.findings)
    expected = read_expected(module.with_suffix(".expected"))
    name = str(module.relative_to(WILD))
    if name in GAPS:
        assert got != expected, f"{name} is right now: remove it from corpus/wild/GAPS"
    else:
        assert got == expected
