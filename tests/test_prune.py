"""Blanking the function bodies that cannot matter (migrator/c/prune.py) must never change a result."""

from __future__ import annotations

import pytest
from conftest import corpus_modules

import migrator.frontends.c.build as probes
from migrator.check.engine import Options, check_bytes
from migrator.check.registry import all_rules
from migrator.frontends.c.prune import prune

C_MODULES = [m for m in corpus_modules() if m.suffix in (".c", ".h")]

FILE = """\
#include <linux/kprobes.h>

static unsigned long (*kln)(const char *name);
static struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };

static int unrelated(struct device *dev)
{
\tint ret = dev->id + 1;
#ifdef CONFIG_FOO
\tret++;
#endif
\treturn ret;
}

static int harvest(void)
{
\tregister_kprobe(&kp);
\tkln = (void *)kp.addr;
\tunregister_kprobe(&kp);
\treturn 0;
}

static unsigned long user(void)
{
\treturn kln("do_fork");
}

static void also_unrelated(void)
{
\tpr_info("nothing here\\n");
}
"""


def _findings(path: str, data: bytes) -> list[tuple[int, int, str]]:
    r = check_bytes(path, data, Options(rules=list(all_rules())))
    return [(f.line, f.column, f.rule) for f in r.findings]


def test_prune_blanks_only_the_bodies_that_cannot_matter() -> None:
    out = prune(FILE)
    assert len(out) == len(FILE) and out.count("\n") == FILE.count("\n")
    assert "dev->id" not in out and "nothing here" not in out  # unrelated bodies are blank ...
    assert "#ifdef CONFIG_FOO" in out and "#endif" in out  # ... but keep their directives
    assert "kln = (void *)kp.addr;" in out  # the kprobe trick
    assert 'kln("do_fork")' in out  # a user of the harvested pointer (a global assigned there)
    for name in ("unrelated", "harvest", "user", "also_unrelated"):
        assert f"{name}(" in out  # every header stays


def test_prune_leaves_other_styles_alone() -> None:
    text = "static int f(void) {\n\treturn 1;\n}\n"  # K&R brace: not blanked
    assert prune(text) == text


@pytest.mark.parametrize("module", C_MODULES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_findings_are_the_same_without_pruning(module, monkeypatch) -> None:
    data = module.read_bytes()
    pruned = _findings(str(module), data)
    monkeypatch.setattr(probes, "prune", lambda text: text)
    assert _findings(str(module), data) == pruned
