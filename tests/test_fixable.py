"""check --format json|sarif says `fixable`: true where fix rewrites the finding, "needs-map" where only
a symbol map is missing, false elsewhere; the text path never computes it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import CORPUS, corpus_modules

from migrator.check.engine import Options, check_bytes
from migrator.check.registry import all_rules
from migrator.fix.fixability import annotate
from migrator.fix.fixer import fix_bytes
from migrator.fix.symbols import load

MAP = CORPUS / "maps" / "debian-6.1.0-56-amd64.kallsyms.gz"
MODULES = corpus_modules()
IDS = [str(m.relative_to(CORPUS)) for m in MODULES]


@pytest.fixture(scope="module")
def symbols():
    return load(str(MAP))


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_fixable_matches_what_fix_does_on_the_corpus(module, symbols):
    data = module.read_bytes()
    opts = Options(rules=list(all_rules()))
    result = check_bytes(str(module), data, opts)
    annotate([result])
    state = {(f.rule, f.start): f.fixable for f in result.findings}
    assert all(s in (True, False, "needs-map") for s in state.values())
    ff = fix_bytes(str(module), data, opts, symbols)
    applied = [(f.rule, f.start) for a in ff.applied for f in a.findings]
    for key in applied:  # what fix rewrote (with the map) was announced
        assert state[key] in (True, "needs-map"), key
    if not module.with_name(module.name + ".fixed").exists():
        assert True not in state.values()
    else:
        assert applied


PASS_THROUGH = textwrap.dedent("""\
    #include <linux/kprobes.h>
    static struct kprobe kp = { .symbol_name = "kernel_clone", .addr = (kprobe_opcode_t *)0xffffffff810a0a60 };
    static struct kprobe lp;
    static struct kprobe mp;
    int attach(const char *sym, kprobe_opcode_t *addr)
    {
    	lp.symbol_name = sym;
    	lp.addr = addr;
    	mp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
    	return register_kprobe(&lp) ?: register_kprobe(&mp);
    }
    """)


def run(cwd, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migrator", "check", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_json_and_sarif_say_true_needs_map_false(tmp_path, cache):
    (tmp_path / "m.c").write_text(PASS_THROUGH)
    for _ in range(2):  # the second run reads the cache (unless --no-cache): the answer is the same
        found = json.loads(run(tmp_path, "--format", "json", *cache, "m.c").stdout)
        assert [(f["line"], f["rule"], f["fixable"]) for f in found] == [
            (2, "addr-and-symbol-conflict", True), (8, "addr-computed", False),
            (9, "addr-literal", "needs-map")]
        sarif = json.loads(run(tmp_path, "--format", "sarif", *cache, "m.c").stdout)
        assert [r["properties"]["fixable"] for r in sarif["runs"][0]["results"]] == [True, False, "needs-map"]
