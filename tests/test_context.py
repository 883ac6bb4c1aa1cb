"""What a file is (migrator/check/context.py) and which rules apply there: synthetic kernel trees
built here (Makefile obj-y/obj-m/obj-$(CONFIG_X), Kconfig bool/tristate), files outside any tree,
--context, and the context in JSON/SARIF."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from migrator.check.context import decide, kernel_root
from migrator.check.engine import Options, check_bytes
from migrator.check.registry import all_rules

LOOKUP = b"""#include <linux/kallsyms.h>
static unsigned long where(void)
{
\treturn kallsyms_lookup_name("vfs_read");
}
"""
TRICK_MODULE = b"""#include <linux/module.h>
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
static unsigned long (*lookup)(const char *);
static int __init init(void)
{
\tregister_kprobe(&kp);
\tlookup = (void *)kp.addr;
\tunregister_kprobe(&kp);
\treturn 0;
}
module_init(init);
MODULE_LICENSE("GPL");
"""


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "linux"
    for d in ("lib", "kernel/trace", "tools/perf", "scripts", "drivers/foo"):
        (root / d).mkdir(parents=True)
    for f in ("Kbuild", "Kconfig", "Makefile", "MAINTAINERS"):
        (root / f).write_text("# top\n")
    (root / "lib" / "Makefile").write_text(
        "obj-y += always.o\nobj-$(CONFIG_TRI_TEST) += tri_test.o\nobj-$(CONFIG_BOOL_THING) += \\\n\tbool_thing.o\n"
        "obj-m += plain_mod.o\ncombo-y := part_a.o part_b.o\nobj-$(CONFIG_TRI_TEST) += combo.o\n")
    (root / "lib" / "Kconfig.debug").write_text(
        "config TRI_TEST\n\ttristate \"a test\"\n\tdepends on KUNIT\n\nconfig BOOL_THING\n\tbool \"a thing\"\n")
    kernel_root.cache_clear()
    return root


def _kind(path, data=b"int x;\n"):
    return decide(str(path), data).kind


def test_a_kernel_tree_decides_by_makefile_and_kconfig(tree):
    lib = tree / "lib"
    assert _kind(lib / "always.c") == "builtin"
    assert _kind(lib / "tri_test.c") == "module"
    assert _kind(lib / "bool_thing.c") == "builtin"  # the line continuation is read
    assert _kind(lib / "plain_mod.c") == "module"
    assert _kind(lib / "part_b.c") == "module"  # part of combo.o, which CONFIG_TRI_TEST builds as a module
    assert _kind(lib / "unlisted.c", b"module_init(x);\n") == "module"
    assert _kind(lib / "unlisted.c") == "builtin"
    assert _kind(tree / "kernel" / "trace" / "trace_kprobe.c") == "kprobes-core"
    assert _kind(tree / "tools" / "perf" / "symbol.c") == "kprobes-core"
    assert _kind(tree / "scripts" / "link-vmlinux.sh") == "userspace"
    assert "CONFIG_TRI_TEST is tristate" in decide(str(lib / "tri_test.c"), b"").reason


def test_outside_a_tree_the_file_decides(tmp_path):
    assert _kind(tmp_path / "m.c", b"#include <linux/module.h>\nmodule_init(f);\n") == "module"
    assert _kind(tmp_path / "m.h") == "module"
    assert _kind(tmp_path / "tool.c", b"#include <stdio.h>\nint main(void) { return 0; }\n") == "userspace"
    assert _kind(tmp_path / "t.py") == "userspace" and _kind(tmp_path / "t.sh") == "userspace"
    assert decide(str(tmp_path / "t.py"), b"", "module").kind == "module"


def _rules(path, data, context=None):
    path.write_bytes(data)
    return [f.rule for f in check_bytes(str(path), data, Options(rules=list(all_rules()), context=context)).findings]


def test_rules_apply_where_they_mean_something(tree):
    lib = tree / "lib"
    assert _rules(lib / "always.c", LOOKUP) == []  # built-in code may call kallsyms_lookup_name
    assert _rules(lib / "tri_test.c", LOOKUP) == ["kallsyms-lookup-use"]  # a module may not (since 5.7)
    assert _rules(lib / "always.c", LOOKUP, context="module") == ["kallsyms-lookup-use"]
    # the in-tree KUnit trick stays reported: a tristate test is a module
    assert _rules(lib / "tri_test.c", TRICK_MODULE) == ["kallsyms-kprobe-trick"]
    kp = b'#include <linux/kprobes.h>\nvoid arm(struct kprobe *p, void *a)\n{\n\tp->addr = (kprobe_opcode_t *)a + 1;\n}\n'
    assert _rules(tree / "kernel" / "trace" / "trace_kprobe.c", kp) == []
    assert _rules(lib / "tri_test.c", kp) == ["addr-computed"]


def test_a_symbolizer_is_not_a_probe_loader(tmp_path):
    reader = b'#!/bin/sh\ngrep " T do_exit$" /proc/kallsyms | cut -d" " -f1\n'
    assert _rules(tmp_path / "names.sh", reader) == []
    loader = (b'#!/bin/sh\nA=$(grep " T do_exit$" /proc/kallsyms | cut -d" " -f1)\n'
              b'echo "p:ev 0x$A" > /sys/kernel/tracing/kprobe_events\n')
    assert "kallsyms-parse" in _rules(tmp_path / "load.sh", loader)


def test_the_context_is_in_json_and_sarif_and_forced_by_the_flag(tmp_path):
    f = tmp_path / "m.c"
    f.write_bytes(LOOKUP)

    def run(*args):
        r = subprocess.run([sys.executable, "-m", "migrator", "check", "--no-cache", *args, str(f)],
                           capture_output=True, text=True, timeout=120)
        return r

    (found,) = json.loads(run("--format", "json").stdout)
    assert found["context"] == "module" and found["rule"] == "kallsyms-lookup-use"
    assert json.loads(run("--format", "json", "--context", "builtin").stdout) == []
    sarif = json.loads(run("--format", "sarif").stdout)
    assert sarif["runs"][0]["results"][0]["properties"]["context"] == "module"
    assert run("--context", "nonsense").returncode == 2


def test_the_cache_is_keyed_on_the_context(tmp_path):
    f = tmp_path / "m.c"
    f.write_bytes(LOOKUP)
    cache = tmp_path / "cache"
    as_module = Options(rules=list(all_rules()), cache_dir=str(cache))
    as_builtin = Options(rules=list(all_rules()), cache_dir=str(cache), context="builtin")
    assert [x.rule for x in check_bytes(str(f), LOOKUP, as_module).findings] == ["kallsyms-lookup-use"]
    assert check_bytes(str(f), LOOKUP, as_builtin).findings == []
    assert [x.context for x in check_bytes(str(f), LOOKUP, as_module).findings] == ["module"]  # from the cache


def test_no_front_end_runs_where_no_rule_applies(tree):
    """The kprobes implementation: no rule applies there, so the file is not analysed; the summary
    and -v say so, and --context brings the rules back."""
    kp = b'#include <linux/kprobes.h>\nvoid arm(struct kprobe *p, void *a)\n{\n\tp->addr = (kprobe_opcode_t *)a + 1;\n}\n'
    core = tree / "kernel" / "trace" / "trace_kprobe.c"
    core.write_bytes(kp)
    r = check_bytes(str(core), kp, Options(rules=list(all_rules())))
    assert r.findings == [] and r.constructs_total == 0 and r.source is None
    (why,) = r.diagnostics
    assert why.kind == "context" and "no enabled rule applies to kprobes-core code" in why.message

    def run(*args):
        return subprocess.run([sys.executable, "-m", "migrator", "check", "--no-cache", *args, str(core)],
                              capture_output=True, text=True, timeout=120)

    quiet = run()
    assert quiet.returncode == 0 and "0 findings in 1 file (0 analysed, 1 where no rule applies)" in quiet.stderr
    assert "info: not analysed: no enabled rule applies to kprobes-core code" in run("-v").stderr
    assert "addr-computed" in run("--context", "module").stdout
