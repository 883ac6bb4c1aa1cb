"""probe-migrator baseline and check --baseline: only new findings, robust to unrelated edits."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import CORPUS

MOD = textwrap.dedent("""\
    #include <linux/kprobes.h>
    #include <linux/kallsyms.h>

    static struct kprobe a_kp, b_kp, c_kp;

    static int arm_a(void)
    {
    	a_kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
    	return register_kprobe(&a_kp);
    }

    static int arm_b(void)
    {
    	b_kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("vfs_read");
    	return register_kprobe(&b_kp);
    }
    """)
NEW_VIOLATION = "\tc_kp.addr = (kprobe_opcode_t *)0xffffffff81000000;\n\treturn register_kprobe(&c_kp);\n"


def pm(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migrator", *args], cwd=str(cwd), capture_output=True, text=True,
                          timeout=300)


def rules_at(r: subprocess.CompletedProcess[str]) -> list[tuple[int, str]]:
    assert "Traceback" not in r.stderr, r.stderr
    return [(f["line"], f["rule"]) for f in json.loads(r.stdout)]


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "mod.c").write_text(MOD)
    r = pm("baseline", "mod.c", "-o", "base.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "base.json: 2 findings recorded" in r.stderr
    return tmp_path


def test_baseline_file_lists_todays_findings(tree):
    doc = json.loads((tree / "base.json").read_text())
    assert doc["tool"] == "probe-migrator" and doc["format"] == 1
    assert [(f["path"], f["line"], f["rule"], f["code"]) for f in doc["findings"]] == [
        ("mod.c", 8, "addr-literal", "PM101"), ("mod.c", 14, "addr-kallsyms", "PM102")]
    assert len({f["fingerprint"] for f in doc["findings"]}) == 2


def test_check_with_baseline_hides_known_findings(tree):
    assert pm("check", "mod.c", cwd=tree).returncode == 1
    r = pm("check", "--baseline", "base.json", "mod.c", cwd=tree)
    assert r.returncode == 0, r.stdout
    assert r.stdout == ""
    assert "2 findings in the baseline not shown" in r.stderr


def test_fingerprints_survive_line_shifts(tree):
    mod = tree / "mod.c"
    mod.write_text("/*\n * A new header comment\n * of several lines.\n */\n\n" + mod.read_text())
    r = pm("check", "--format", "json", "mod.c", cwd=tree)
    assert rules_at(r) == [(13, "addr-literal"), (19, "addr-kallsyms")]  # every finding moved
    assert pm("check", "--baseline", "base.json", "mod.c", cwd=tree).returncode == 0


def test_fingerprints_survive_edits_elsewhere_in_the_file(tree):
    mod = tree / "mod.c"
    text = mod.read_text()
    text = text.replace("static int arm_b(void)", "static int __maybe_unused arm_b(void)")
    text = text.replace("\treturn register_kprobe(&a_kp);", "\tint ret = register_kprobe(&a_kp);\n\n\treturn ret;")
    text = text.replace("static struct kprobe a_kp, b_kp, c_kp;", "static struct kprobe a_kp, b_kp, c_kp; /* probes */")
    mod.write_text(text)
    assert pm("check", "mod.c", cwd=tree).returncode == 1
    assert pm("check", "--baseline", "base.json", "mod.c", cwd=tree).returncode == 0
    # re-indenting the finding's own line is whitespace only: still the same finding
    mod.write_text(text.replace("\ta_kp.addr =", "        a_kp.addr  ="))
    assert pm("check", "--baseline", "base.json", "mod.c", cwd=tree).returncode == 0


def test_new_and_changed_findings_are_reported(tree):
    mod = tree / "mod.c"
    text = mod.read_text() + "\nstatic int arm_c(void)\n{\n" + NEW_VIOLATION + "}\n"
    text = text.replace('kallsyms_lookup_name("vfs_read")', 'kallsyms_lookup_name("vfs_write")')
    mod.write_text(text)
    r = pm("check", "--format", "json", "--baseline", "base.json", "mod.c", cwd=tree)
    assert r.returncode == 1
    assert rules_at(r) == [(14, "addr-kallsyms"), (20, "addr-literal")]
    assert "1 finding in the baseline not shown" in r.stderr


def test_identical_lines_are_counted(tmp_path):
    body = "".join(f"static int f{i}(void)\n{{\n{NEW_VIOLATION}}}\n" for i in range(2))
    (tmp_path / "m.c").write_text("#include <linux/kprobes.h>\nstatic struct kprobe c_kp;\n" + body)
    assert pm("baseline", "-o", "b.json", cwd=tmp_path).returncode == 0
    assert len(json.loads((tmp_path / "b.json").read_text())["findings"]) == 2
    assert pm("check", "--baseline", "b.json", cwd=tmp_path).returncode == 0
    (tmp_path / "m.c").write_text((tmp_path / "m.c").read_text() + "static int f9(void)\n{\n" + NEW_VIOLATION + "}\n")
    r = pm("check", "--format", "json", "--baseline", "b.json", cwd=tmp_path)
    assert r.returncode == 1
    assert len(json.loads(r.stdout)) == 1  # a third copy of the same line is one new finding


def test_paths_are_relative_to_the_baseline_file(tree):
    sub = tree / "drivers" / "trace"
    sub.mkdir(parents=True)
    (tree / "mod.c").rename(sub / "mod.c")
    assert pm("baseline", "drivers", "-o", "base.json", cwd=tree).returncode == 0
    assert json.loads((tree / "base.json").read_text())["findings"][0]["path"] == "drivers/trace/mod.c"
    # the same baseline used from another directory, with other spellings of the paths
    assert pm("check", "--baseline", "../../base.json", ".", cwd=sub).returncode == 0
    assert pm("check", "--baseline", str(tree / "base.json"), str(sub / "mod.c"), cwd="/").returncode == 0


def test_baseline_with_a_patch(tree):
    import shutil

    if shutil.which("git") is None:
        pytest.skip("needs git")
    env = ["-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=str(tree), check=True)
    subprocess.run(["git", *env, "add", "mod.c"], cwd=str(tree), check=True)
    subprocess.run(["git", *env, "commit", "-qm", "base"], cwd=str(tree), check=True)
    mod = tree / "mod.c"
    # the patch touches a baselined line (whitespace only) and adds a new violation
    mod.write_text(mod.read_text().replace("\ta_kp.addr = ", "\ta_kp.addr  = ") + "\nstatic int arm_c(void)\n{\n"
                   + NEW_VIOLATION + "}\n")
    diff = subprocess.run(["git", "diff"], cwd=str(tree), capture_output=True, text=True, check=True).stdout
    r = subprocess.run([sys.executable, "-m", "migrator", "check", "--format", "json", "--diff", "-"], cwd=str(tree),
                       input=diff, capture_output=True, text=True)
    assert rules_at(r) == [(8, "addr-literal"), (20, "addr-literal")]
    r = subprocess.run([sys.executable, "-m", "migrator", "check", "--format", "json", "--diff", "-", "--baseline",
                        "base.json"], cwd=str(tree), input=diff, capture_output=True, text=True)
    assert r.returncode == 1
    assert rules_at(r) == [(20, "addr-literal")]


def test_bad_baseline_files_are_usage_errors(tree):
    r = pm("check", "--baseline", "nope.json", "mod.c", cwd=tree)
    assert r.returncode == 2 and "nope.json" in r.stderr
    (tree / "bad.json").write_text("{not json")
    r = pm("check", "--baseline", "bad.json", "mod.c", cwd=tree)
    assert r.returncode == 2 and "not a probe-migrator baseline" in r.stderr
    (tree / "other.json").write_text('{"format": 1, "findings": [1, 2]}')
    r = pm("check", "--baseline", "other.json", "mod.c", cwd=tree)
    assert r.returncode == 2 and "'findings' must be a list" in r.stderr
    assert all("Traceback" not in x for x in (r.stderr,))


def test_baseline_to_stdout_and_of_the_corpus(tmp_path):
    r = pm("baseline", str(CORPUS), "-o", "-", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    total = len(json.loads(pm("check", "--format", "json", str(CORPUS), cwd=tmp_path).stdout))
    assert len(doc["findings"]) == total > 50
    (tmp_path / "corpus.json").write_text(r.stdout)
    r = pm("check", "--baseline", "corpus.json", str(CORPUS), cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert f"{total} findings in the baseline not shown" in r.stderr


def test_fingerprints_do_not_depend_on_the_result_carrying_its_source(tmp_path):
    """Results from worker processes or a cache may come without a Source: the file is read again."""
    from migrator.check.engine import Options, check_bytes
    from migrator.check.registry import all_rules
    from migrator.gate.baseline import entries

    path = tmp_path / "mod.c"
    path.write_text(MOD)
    with_source = check_bytes(str(path), path.read_bytes(), Options(rules=list(all_rules())))
    without = check_bytes(str(path), path.read_bytes(), Options(rules=list(all_rules())))
    without.source = None
    a = [e.fingerprint for _f, e in entries([with_source], str(tmp_path))]
    b = [e.fingerprint for _f, e in entries([without], str(tmp_path))]
    assert a == b and len(a) == 2
