"""Each rule's BAD example triggers it, and its GOOD example is clean."""

from __future__ import annotations

import json
import re
import types

import pytest
from click.testing import CliRunner

from migrator.check.registry import DOC_FIELDS, RuleError, all_rules, load_rule
from migrator.cli.main import main
from migrator.output.ruledoc import SECTIONS

RULES = all_rules()


def test_catalog_is_complete():
    names = {r.name for r in RULES}
    assert names == {
        "addr-literal", "addr-kallsyms", "addr-function-ref", "addr-relocated", "addr-computed",
        "addr-and-symbol-conflict", "offset-without-symbol", "relocation-helper", "embedded-symbol-table",
        "kallsyms-kprobe-trick", "kallsyms-lookup-use", "kallsyms-parse", "jprobe", "tracefs-addr",
        "bpf-attach-addr", "symbol-name-marker", "stap-kprobe-table", "kallsyms-walk", "kprobe-as-resolver",
        "sprint-symbol-scan", "kprobe-addr-harvest", "livepatch-resolver-trick", "cli-probe-addr", "modparam-kaddr",
        "sysmap-header-gen", "kprobe-multi-addrs", "ftrace-addrs-parse", "generated-probe-addr", "kaddr-from-user",
        "kaddr-to-module",
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


DOC_ATTRS = ("summary", "what", "why", "example", "use_instead", "fix_availability", "fix_safety")
KERNEL_FILE = re.compile(r"\b(?:kernel|include|arch|Documentation|tools)/[\w/.-]+\.(?:c|h|rst)\b")


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_documents_itself(rule):
    for attr in DOC_ATTRS:
        value = getattr(rule, attr)
        assert isinstance(value, str) and value.strip(), attr
    assert rule.references and all(r.strip() for r in rule.references)
    assert rule.code.startswith("PM") and rule.module.__doc__
    assert len(rule.why) > 200
    # why it is bad rests on the kernel: a file and a function, and a version or a commit
    assert KERNEL_FILE.search(rule.why) and re.search(r"\w\(\)", rule.why), rule.why
    assert re.search(r"Linux \d+\.\d+|commit [0-9a-f]{12}", rule.why), rule.why
    assert any(KERNEL_FILE.search(r) for r in rule.references)
    # EXAMPLE/USE_INSTEAD are what the example tests above run; the old names still read them
    assert (rule.bad, rule.good, rule.rationale) == (rule.example, rule.use_instead, rule.why)
    # "never" exactly when the module has no fix of its own and is not fixed with its address
    assert rule.fix_availability.lower().startswith("never") == (not rule.fixable)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_explain_prints_every_section(rule):
    out = CliRunner().invoke(main, ["explain", rule.name])
    assert out.exit_code == 0, out.output
    text = out.output
    positions = [text.index(f"## {heading}\n") for heading in SECTIONS]
    assert positions == sorted(positions)
    assert text.startswith(f"# {rule.name} ({rule.code})")
    for part in (rule.example, rule.use_instead, *rule.references):
        assert part.strip() in text
    for prose in (rule.what, rule.why, rule.fix_availability, rule.fix_safety):
        assert prose.strip() in text
    assert CliRunner().invoke(main, ["explain", rule.code]).output == text


def test_rules_json_carries_the_documentation():
    out = CliRunner().invoke(main, ["rules", "--format", "json"])
    assert out.exit_code == 0
    entries = json.loads(out.output)
    assert [e["code"] for e in entries] == [r.code for r in RULES]
    for e in entries:
        for key in ("name", "severity", "summary", "what", "why", "example", "use_instead", "fix", "fix_safety",
                    "references"):
            assert e[key], (e["name"], key)
        assert isinstance(e["references"], list) and isinstance(e["fixable"], bool)


def _module(**fields) -> types.ModuleType:
    mod = types.ModuleType("migrator.rules.fake")
    base = {f: getattr(RULES[0].module, f) for f in ("CODE", "NAME", "SEVERITY", *DOC_FIELDS, "REFERENCES")}
    base["check"] = lambda model: []
    base.update(fields)
    for k, v in base.items():
        if v is not None:
            setattr(mod, k, v)
    return mod


@pytest.mark.parametrize("field", [*DOC_FIELDS, "REFERENCES"])
def test_a_missing_or_empty_field_is_a_rule_error(field):
    with pytest.raises(RuleError, match=field):
        load_rule(_module(**{field: None}))
    with pytest.raises(RuleError, match=field):
        load_rule(_module(**{field: "  " if field != "REFERENCES" else ()}))


def test_fix_availability_must_match_the_module():
    fixable = RULES[0].module  # addr-literal has a fix()
    assert RULES[0].fixable
    with pytest.raises(RuleError, match="FIX"):
        load_rule(_module(FIX="Never.", fix=fixable.fix))
    with pytest.raises(RuleError, match="FIX"):
        load_rule(_module(FIX="Always."))
    assert load_rule(_module(FIX="Never: by hand.")).fix_availability == "Never: by hand."
