"""Every corpus module gives exactly the findings in its .expected file."""

from __future__ import annotations

import pytest
from conftest import CORPUS, corpus_modules, read_expected

from migrator.check.engine import Options, check_bytes
from migrator.check.registry import all_rules

MODULES = corpus_modules()


def test_corpus_is_big_enough():
    assert len(MODULES) >= 30


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(CORPUS)) for m in MODULES])
def test_module_findings(module):
    data = module.read_bytes()
    result = check_bytes(str(module), data, Options(rules=list(all_rules())))
    internal = [d for d in result.diagnostics if d.kind == "internal"]
    assert not internal, internal
    got = sorted((f.line, f.column, f.rule, f.severity.label == "info") for f in result.findings)
    expected = read_expected(module.with_suffix(".expected"))
    assert got == expected
