"""The command line as users run it: a real subprocess of the installed entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from migrator.check.registry import all_rules

LITERAL = textwrap.dedent("""\
    #include <linux/kprobes.h>
    static struct kprobe kp;
    static int __init m_init(void)
    {
    	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
    	return register_kprobe(&kp);
    }
    """)
CLEAN = textwrap.dedent("""\
    #include <linux/kprobes.h>
    static struct kprobe kp = { .symbol_name = "kernel_clone" };
    """)


def run(*args: str, cwd: str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migrator", *args], cwd=cwd, capture_output=True, text=True,
                          input=stdin, timeout=120)


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "bad.c").write_text(LITERAL)
    (tmp_path / "clean.c").write_text(CLEAN)
    return tmp_path


def test_text_output_is_gcc_style_with_caret(tree):
    r = run("check", "bad.c", cwd=str(tree))
    assert r.returncode == 1
    first = r.stdout.splitlines()[0]
    assert first.startswith("bad.c:5:5: error: kprobe address hard-coded as 0xffffffff810a0a60")
    assert first.endswith("[addr-literal]")
    assert "    5 | \tkp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;" in r.stdout
    assert "      | \t   ^~~~" in r.stdout
    assert "1 finding in 1 file" in r.stderr


def test_clean_file_exits_zero(tree):
    r = run("check", "clean.c", cwd=str(tree))
    assert r.returncode == 0, r.stdout
    assert r.stdout == ""


def test_directory_walk_skips_vcs_and_build_output(tree):
    (tree / ".git").mkdir()
    (tree / ".git" / "x.c").write_text(LITERAL)
    (tree / "bad.mod.c").write_text(LITERAL)
    r = run("check", ".", "--format", "json", cwd=str(tree))
    assert r.returncode == 1
    assert [f["path"] for f in json.loads(r.stdout)] == ["./bad.c"]


def test_json_fields(tree):
    r = run("check", "bad.c", "--format", "json", cwd=str(tree))
    (f,) = json.loads(r.stdout)
    assert {k: f[k] for k in ("path", "line", "column", "end_line", "end_column", "rule", "code", "severity")} == {
        "path": "bad.c", "line": 5, "column": 5, "end_line": 5, "end_column": 9, "rule": "addr-literal",
        "code": "PM101", "severity": "error"}
    assert f["fixable"] == "needs-map" and "KASLR" in f["message"]  # fix rewrites it, given a symbol map


def test_github_annotations(tree):
    r = run("check", "bad.c", "--format", "github", cwd=str(tree))
    assert r.stdout.startswith("::error file=bad.c,line=5,col=5,endLine=5,endColumn=9,title=addr-literal (PM101)::")


def test_sarif_has_rules_and_results(tree):
    r = run("check", "bad.c", "--format", "sarif", cwd=str(tree))
    doc = json.loads(r.stdout)
    run0 = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    assert len(run0["tool"]["driver"]["rules"]) == len(all_rules())
    (res,) = run0["results"]
    assert res["ruleId"] == "PM101" and res["level"] == "error"
    assert res["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 5, "startColumn": 5, "endLine": 5, "endColumn": 9}
    assert res["partialFingerprints"]


def test_select_and_ignore_by_name_and_code(tree):
    assert run("check", "bad.c", "--select", "addr-kallsyms", cwd=str(tree)).returncode == 0
    assert run("check", "bad.c", "--select", "PM101", cwd=str(tree)).returncode == 1
    assert run("check", "bad.c", "--ignore", "addr-literal", cwd=str(tree)).returncode == 0
    assert run("check", "bad.c", "--ignore", "PM1", cwd=str(tree)).returncode == 0


def test_unknown_rule_is_a_usage_error(tree):
    r = run("check", "bad.c", "--select", "addr-nonsense", cwd=str(tree))
    assert r.returncode == 2
    assert "unknown rule 'addr-nonsense'" in r.stderr


def test_missing_path_exits_two_and_names_it(tree):
    r = run("check", "bad.c", "nowhere.c", cwd=str(tree))
    assert r.returncode == 2
    assert "nowhere.c: error: no such file or directory" in r.stderr
    assert "bad.c:5:5" in r.stdout  # the other file is still checked


def test_pyproject_configuration(tree):
    (tree / "pyproject.toml").write_text('[tool.probe-migrator]\nignore = ["addr-literal"]\n')
    assert run("check", "bad.c", cwd=str(tree)).returncode == 0
    (tree / "pyproject.toml").write_text('[tool.probe-migrator]\nseverity = { "addr-literal" = "warning" }\n')
    r = run("check", "bad.c", cwd=str(tree))
    assert ": warning: kprobe address hard-coded" in r.stdout
    (tree / "pyproject.toml").write_text('[tool.probe-migrator]\nselect = "addr-literal"\n')
    r = run("check", "bad.c", cwd=str(tree))
    assert r.returncode == 2 and "must be a list of strings" in r.stderr


@pytest.mark.parametrize("where", ["same", "above"])
def test_inline_suppression(tree, where):
    lines = LITERAL.splitlines()
    if where == "same":
        lines[4] += " /* probe-migrator: ignore addr-literal */"
    else:
        lines.insert(4, "\t// probe-migrator: ignore PM101")
    (tree / "bad.c").write_text("\n".join(lines) + "\n")
    assert run("check", "bad.c", cwd=str(tree)).returncode == 0


def test_suppression_of_another_rule_keeps_the_finding(tree):
    lines = LITERAL.splitlines()
    lines[4] += " /* probe-migrator: ignore addr-kallsyms */"
    (tree / "bad.c").write_text("\n".join(lines) + "\n")
    assert run("check", "bad.c", cwd=str(tree)).returncode == 1


def test_rules_and_explain():
    r = run("rules")
    assert r.returncode == 0
    assert len(r.stdout.splitlines()) == len(all_rules()) and "PM102  addr-kallsyms" in r.stdout
    r = run("explain", "addr-kallsyms")
    assert r.returncode == 0
    assert "0bd476e6c671" in r.stdout and "## Example" in r.stdout and "## Use instead" in r.stdout
    assert run("explain", "PM401").stdout.startswith("# jprobe (PM401)")
    assert run("explain", "nope").returncode == 2


def test_console_script_is_installed(tree):
    exe = os.path.join(os.path.dirname(sys.executable), "probe-migrator")
    r = subprocess.run([exe, "check", "bad.c"], cwd=str(tree), capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "[addr-literal]" in r.stdout


def test_unparsable_construct_reports_info_and_fallback(tmp_path):
    src = textwrap.dedent("""\
        #include <linux/kprobes.h>
        static struct kprobe kp;
        static int __init m_init(void)
        {
        	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
        	return register_kprobe(&kp) @@ 1;
        }
        """)
    (tmp_path / "m.c").write_text(src)
    r = run("check", "-v", "m.c", cwd=str(tmp_path))
    assert r.returncode == 1
    assert "m.c:5:5: error: kprobe address hard-coded" in r.stdout
    assert "not be fixed automatically" in r.stdout
    assert "m.c:3:1: info: could not parse lines 3-7" in r.stderr


def test_result_cache_is_read_and_can_be_bypassed(tree, tmp_path):
    cache = tmp_path / "cache"
    first = run("check", "bad.c", "--format", "json", "--cache-dir", str(cache), cwd=str(tree))
    entries = list(cache.rglob("*.json"))
    assert len(entries) == 1
    data = json.loads(entries[0].read_text())
    data["findings"][0]["message"] = "served from the cache"
    entries[0].write_text(json.dumps(data))
    second = run("check", "bad.c", "--format", "json", "--cache-dir", str(cache), cwd=str(tree))
    assert json.loads(second.stdout)[0]["message"] == "served from the cache"
    third = run("check", "bad.c", "--format", "json", "--no-cache", cwd=str(tree))
    assert json.loads(third.stdout) == json.loads(first.stdout)
    (tree / "bad.c").write_text(LITERAL.replace("0xffffffff810a0a60", "0xffffffff81363fa0"))
    fourth = run("check", "bad.c", "--format", "json", "--cache-dir", str(cache), cwd=str(tree))
    assert "0xffffffff81363fa0" in json.loads(fourth.stdout)[0]["message"]  # new content, new key


def test_parallel_run_matches_sequential(tmp_path):
    for i in range(80):  # above the size where a worker pool is used
        (tmp_path / f"m{i:02d}.c").write_text(LITERAL if i % 3 == 0 else CLEAN)
    one = run("check", ".", "--format", "json", "--no-cache", "-j", "1", cwd=str(tmp_path))
    two = run("check", ".", "--format", "json", "--no-cache", "-j", "2", cwd=str(tmp_path))
    assert one.returncode == two.returncode == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)
    assert len(json.loads(two.stdout)) == 27
