"""corpus/jprobe: every jprobe module either migrates exactly as its hand-written `.fixed`
(tests/test_fix.py) or is refused for the reason corpus/jprobe/REFUSALS names (here)."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from migrator.check.engine import Options
from migrator.check.registry import all_rules
from migrator.fix.fixer import fix_bytes

HERE = CORPUS / "jprobe"
# the reasons of rules/jprobe.py's FIX_SAFETY, by the numbers REFUSALS uses
REASONS = {1: "is shared by", 2: "takes the address of its parameter", 3: "passes only 6 in registers",
           4: "parameter (", 5: "already uses every name", 6: "still built for kernels older than 4.20",
           7: "gets a pre_handler of its own"}


def _refusals() -> list[tuple[str, int]]:
    out = []
    for line in (HERE / "REFUSALS").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, number, _why = line.split(maxsplit=2)
            out.append((name, int(number)))
    return out


def test_every_jprobe_module_is_either_ported_or_refused():
    refused = {(HERE / name).resolve() for name, _n in _refusals()}
    for module in sorted(HERE.glob("*.c")):
        assert module.with_name(module.name + ".fixed").exists() != (module.resolve() in refused), module


@pytest.mark.parametrize(("name", "number"), _refusals())
def test_refused_for_the_listed_reason(name, number):
    module = HERE / name
    assert not module.with_name(module.name + ".fixed").exists() or "blind" in name
    ff = fix_bytes(str(module), module.read_bytes(), Options(rules=list(all_rules())), None)
    reasons = [why for f, why in ff.refused if f.rule == "jprobe"]
    assert reasons and all(REASONS[number] in why for why in reasons), reasons
    jprobe_lines = {f.line for f, _why in ff.refused if f.rule == "jprobe"}
    assert ff.new is None or all(b"struct jprobe" in ff.new.splitlines()[n - 1] for n in jprobe_lines)
