"""Each rule's BAD example triggers it, and its GOOD example is clean."""

from __future__ import annotations

import pytest

from migrator.check.registry import all_rules

RULES = all_rules()


def test_catalog_is_complete():
    names = {r.name for r in RULES}
    assert names == {
        "addr-literal", "addr-kallsyms", "addr-function-ref", "addr-relocated", "addr-computed",
        "addr-and-symbol-conflict", "offset-without-symbol", "relocation-helper", "embedded-symbol-table",
        "kallsyms-kprobe-trick", "kallsyms-lookup-use", "kallsyms-parse", "jprobe", "tracefs-addr",
        "bpf-attach-addr", "stap-kprobe-table",
    }
    assert len({r.code for r in RULES}) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_bad_example_is_reported(rule, run_check):
    result = run_check(rule.bad, "mod" + getattr(rule.module, "EXAMPLE_SUFFIX", ".c"))
    assert rule.name in {f.rule for f in result.findings}, result.findings


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_good_example_is_clean(rule, run_check):
    result = run_check(rule.good, "mod" + getattr(rule.module, "EXAMPLE_SUFFIX", ".c"))
    assert result.findings == []
    assert not result.diagnostics


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_documents_itself(rule):
    assert rule.summary and len(rule.rationale) > 200
    assert rule.code.startswith("PM") and rule.module.__doc__
