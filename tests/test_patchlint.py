"""check --diff: findings on the lines a patch adds, with real git producing the patches."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from email.message import EmailMessage

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git (apt-get install git)")

BASE = textwrap.dedent("""\
    #include <linux/module.h>
    #include <linux/kprobes.h>
    #include <linux/kallsyms.h>

    #define OLD_TARGET 0xffffffff810a0a60
    #define NEW_TARGET 0xffffffff81000000

    static struct kprobe old_kp;
    static struct kprobe sym_kp = { .symbol_name = "kernel_clone" };
    static struct kprobe new_kp;

    static int filler_a(void)
    {
    	return 1;
    }

    static int filler_b(void)
    {
    	return 2;
    }

    static int __init m_init(void)
    {
    	old_kp.addr = (kprobe_opcode_t *)OLD_TARGET;
    	if (register_kprobe(&old_kp))
    		return -1;
    	return register_kprobe(&sym_kp);
    }
    module_init(m_init);
    """)


def pm(*args: str, cwd: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    r = subprocess.run([sys.executable, "-m", "migrator", *args], cwd=cwd, capture_output=True, input=data,
                       timeout=120)
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout.decode(errors="surrogateescape"),
                                       r.stderr.decode(errors="surrogateescape"))


def git(cwd, *args: str, binary: bool = False) -> str | bytes:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="T",
               GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.org")
    r = subprocess.run(["git", *args], cwd=str(cwd), capture_output=True, env=env, timeout=60, check=True)
    return r.stdout if binary else r.stdout.decode()


def findings(r: subprocess.CompletedProcess[str]) -> list[tuple[str, int, str]]:
    assert "Traceback" not in r.stderr, r.stderr
    return sorted((f["path"], f["line"], f["rule"]) for f in json.loads(r.stdout))


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def line_of(path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q")
    (r / "mod.c").write_text(BASE)
    (r / "notes.txt").write_text("kp.addr = (kprobe_opcode_t *)0xffffffff81000000;\n")
    git(r, "add", ".")
    git(r, "commit", "-qm", "base")
    return r


def test_git_diff_reports_exactly_the_added_violations(repo):
    mod = repo / "mod.c"
    edit(mod, "\treturn register_kprobe(&sym_kp);\n",
         "\tnew_kp.addr = (kprobe_opcode_t *)NEW_TARGET;\n"
         "\tif (register_kprobe(&new_kp))\n\t\treturn -1;\n"
         "\tpr_info(\"%lx\\n\", kallsyms_lookup_name(\"vfs_read\"));\n"
         "\treturn register_kprobe(&sym_kp);\n")
    edit(mod, "\treturn 2;\n", "\treturn 3;\n")  # an unrelated edit near nothing
    whole = findings(pm("check", "--format", "json", "mod.c", cwd=str(repo)))
    new = [("mod.c", line_of(mod, "\tnew_kp.addr = (kprobe_opcode_t *)NEW_TARGET;"), "addr-literal"),
           ("mod.c", line_of(mod, "\tpr_info(\"%lx\\n\", kallsyms_lookup_name(\"vfs_read\"));"), "kallsyms-lookup-use")]
    old = ("mod.c", line_of(mod, "\told_kp.addr = (kprobe_opcode_t *)OLD_TARGET;"), "addr-literal")
    assert sorted([*new, old]) == whole  # the whole file has the old violation too

    diff = git(repo, "diff", "HEAD")
    r = pm("check", "--format", "json", "--diff", "-", cwd=str(repo), stdin=diff)
    assert r.returncode == 1, r.stderr
    assert findings(r) == sorted(new)

    # the same change committed, linted as a range, and in the default text format
    git(repo, "commit", "-qam", "change")
    r = pm("check", "--diff", "-", cwd=str(repo), stdin=git(repo, "diff", "HEAD~1", "HEAD"))
    assert r.returncode == 1
    assert [ln.split(": ")[0] for ln in r.stdout.splitlines() if ": error: " in ln] == [
        f"mod.c:{new[0][1]}:9", f"mod.c:{new[1][1]}:19"]
    assert "2 findings in 1 file" in r.stderr


def test_change_that_adds_no_violation_exits_zero(repo):
    mod = repo / "mod.c"
    edit(mod, "\treturn register_kprobe(&sym_kp);\n", "\tpr_info(\"arming\\n\");\n\treturn register_kprobe(&sym_kp);\n")
    # a line right next to the old violation changes: still not reported
    edit(mod, "\tif (register_kprobe(&old_kp))\n", "\tif (register_kprobe(&old_kp) < 0)\n")
    (repo / "notes.txt").write_text("new_kp.addr = (kprobe_opcode_t *)0xffffffff81000000;\n")  # not C
    r = pm("check", "--diff", "-", cwd=str(repo), stdin=git(repo, "diff"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ""
    assert "0 findings" in r.stderr


def test_diff_from_a_file_and_from_stdin_agree(repo, tmp_path):
    edit(repo / "mod.c", "static struct kprobe new_kp;\n",
         "static struct kprobe new_kp = { .addr = (kprobe_opcode_t *)0xffffffff81234567 };\n")
    patch = tmp_path / "change.diff"
    patch.write_text(git(repo, "diff"))
    a = pm("check", "--format", "json", "--diff", str(patch), cwd=str(repo))
    b = pm("check", "--format", "json", "--diff", "-", cwd=str(repo), stdin=patch.read_text())
    assert a.returncode == b.returncode == 1
    assert findings(a) == findings(b) == [("mod.c", 10, "addr-literal")]


def test_post_image_is_analysed_whole_when_present_and_matching(repo, tmp_path):
    # NEW_TARGET and new_kp are declared far outside the hunk: only the whole file says what they are
    edit(repo / "mod.c", "\treturn register_kprobe(&sym_kp);\n",
         "\tnew_kp.addr = (kprobe_opcode_t *)NEW_TARGET;\n\tregister_kprobe(&new_kp);\n"
         "\treturn register_kprobe(&sym_kp);\n")
    diff = git(repo, "diff", "-U1")
    r = pm("check", "-v", "--format", "json", "--diff", "-", cwd=str(repo), stdin=diff)
    assert findings(r) == [("mod.c", 27, "addr-literal")]
    assert "hunks only" not in r.stderr

    empty = tmp_path / "elsewhere"
    empty.mkdir()
    r = pm("check", "-v", "--format", "json", "--diff", "-", "--root", str(empty), cwd=str(repo), stdin=diff)
    # the hunk alone: statements out of their function, an unknown macro; the token-level fallback
    # reports only unmistakable shapes, and this is not one
    assert findings(r) == []
    assert "mod.c: info: analysed the hunks only: the post-image is not under the root" in r.stderr
    # the hunk's lines keep their post-image numbers (-U1: lines 25-29), the placeholders parse as nothing
    spans = [tuple(map(int, m)) for m in re.findall(r"could not parse lines (\d+)-(\d+)", r.stderr)]
    assert spans and all(25 <= a <= b <= 29 for a, b in spans), r.stderr


def test_hunks_alone_when_the_post_image_is_missing_or_different(repo, tmp_path):
    edit(repo / "mod.c", "\treturn register_kprobe(&sym_kp);\n",
         "\tnew_kp.addr = (kprobe_opcode_t *)0xffffffff81000000;\n\treturn register_kprobe(&sym_kp);\n")
    diff = git(repo, "diff")
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    r = pm("check", "-v", "--format", "json", "--diff", "-", "--root", str(empty), cwd=str(repo), stdin=diff)
    assert r.returncode == 1
    assert findings(r) == [("mod.c", 27, "addr-literal")]
    assert "the post-image is not under the root" in r.stderr

    # the file under the root has moved on since the diff was taken: the hunks are used, positions kept
    edit(repo / "mod.c", "\tnew_kp.addr = (kprobe_opcode_t *)0xffffffff81000000;\n", "\tnew_kp.addr = 0;\n")
    r = pm("check", "-v", "--format", "json", "--diff", "-", cwd=str(repo), stdin=diff)
    assert findings(r) == [("mod.c", 27, "addr-literal")]
    assert "the post-image under the root does not match the patch" in r.stderr


def test_format_patch_mail_and_mbox_series(repo, tmp_path):
    mod = repo / "mod.c"
    edit(mod, "static struct kprobe new_kp;\n",
         "static struct kprobe new_kp = { .addr = (kprobe_opcode_t *)0xffffffff81234567 };\n")
    git(repo, "commit", "-qam", "first")
    (repo / "second.c").write_text(textwrap.dedent("""\
        #include <linux/kprobes.h>
        static struct kprobe kq = { .symbol_name = "do_fork", .addr = (kprobe_opcode_t *)0x1000 };
        """))
    git(repo, "add", "second.c")
    git(repo, "commit", "-qm", "second")
    mbox = git(repo, "format-patch", "--stdout", "HEAD~2")
    assert mbox.count("\nSubject: ") == 2
    r = pm("check", "--format", "json", "--diff", "-", cwd=str(repo), stdin=mbox)
    assert r.returncode == 1, r.stderr
    assert findings(r) == [("mod.c", 10, "addr-literal"), ("second.c", 2, "addr-and-symbol-conflict")]

    out = tmp_path / "series"
    git(repo, "format-patch", "-q", "-o", str(out), "HEAD~2")
    first, second = sorted(out.iterdir())
    r = pm("check", "--format", "json", "--diff", str(first), cwd=str(repo))
    assert findings(r) == [("mod.c", 10, "addr-literal")]
    r = pm("check", "--format", "json", "--diff", str(second), cwd=str(repo))
    assert findings(r) == [("second.c", 2, "addr-and-symbol-conflict")]


def test_mail_bodies_headers_and_git_show(repo):
    edit(repo / "mod.c", "static struct kprobe new_kp;\n",
         "static struct kprobe new_kp = { .addr = (kprobe_opcode_t *)0xffffffff81234567 };\n")
    # a commit message with a line that starts like an mbox separator, and one that looks like a diff
    git(repo, "commit", "-qam", "probe\n\nFrom the docs: probes are fine.\n\n--- not a header\n+++ either\n")
    mail = git(repo, "format-patch", "--stdout", "-1")
    expected = [("mod.c", 10, "addr-literal")]
    r = pm("check", "--format", "json", "--diff", "-", cwd=str(repo), stdin=mail)
    assert findings(r) == expected and "patch 1/2" not in r.stderr
    # a mail as a mail client saves it: no mbox "From " line, other headers first
    saved = "Return-Path: <t@example.org>\nReceived: by example.org;\n\tMon, 1 Jan 2024\n" + mail.split("\n", 1)[1]
    r = pm("check", "--format", "json", "--diff", "-", cwd=str(repo), stdin=saved)
    assert findings(r) == expected
    r = pm("check", "--format", "json", "--diff", "-", cwd=str(repo), stdin=git(repo, "show", "HEAD"))
    assert findings(r) == expected
    r = pm("check", "--format", "json", "--diff", "-", cwd=str(repo), stdin=git(repo, "log", "-p", "-1"))
    assert findings(r) == expected
    # two commits: the first one added the whole file, so its violation is added too (in its own post-image)
    r = pm("check", "--format", "json", "--diff", "-", cwd=str(repo), stdin=git(repo, "log", "-p", "-2"))
    assert findings(r) == [*expected, ("mod.c", 24, "addr-literal")]


@pytest.mark.parametrize("cte", ["quoted-printable", "base64"])
def test_mail_transfer_encodings_are_decoded(repo, cte):
    edit(repo / "mod.c", "static struct kprobe new_kp;\n",
         "static struct kprobe new_kp = { .addr = (kprobe_opcode_t *)0xffffffff81234567 }; /* caf\u00e9 = */\n")
    diff = git(repo, "diff")
    msg = EmailMessage()
    msg["From"] = "T <t@example.org>"
    msg["Subject"] = "[PATCH] probe by address"
    msg.set_content("Probe new_kp.\n---\n" + diff, cte=cte)
    raw = msg.as_bytes()
    if cte == "base64":
        assert base64.b64encode(b"diff --git")[:8] in raw
    else:
        assert b"caf=C3=A9 =3D" in raw
    r = pm("check", "-v", "--format", "json", "--diff", "-", cwd=str(repo), stdin=raw)
    assert findings(r) == [("mod.c", 10, "addr-literal")]
    assert "hunks only" not in r.stderr  # decoded exactly: the post-image matched


def test_deleted_renamed_and_binary_files_get_notes(repo):
    (repo / "blob.bin").write_bytes(bytes(range(256)))
    (repo / "gone.c").write_text("#include <linux/kprobes.h>\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "more")
    git(repo, "rm", "-q", "gone.c")
    git(repo, "mv", "mod.c", "moved.c")
    (repo / "blob.bin").write_bytes(bytes(range(255, -1, -1)))
    git(repo, "add", ".")
    r = pm("check", "--diff", "-", cwd=str(repo), stdin=git(repo, "diff", "--cached", "-M", "--binary"))
    assert r.returncode == 0, r.stderr
    assert "gone.c: note: deleted by the patch; nothing to check" in r.stderr
    assert "moved.c: note: renamed from mod.c without changes; nothing to check" in r.stderr
    assert "blob.bin: note: binary diff; not checked" in r.stderr
    assert "Traceback" not in r.stderr

    # a rename with an added violation: the added line is checked under the new name
    edit(repo / "moved.c", "static struct kprobe new_kp;\n",
         "static struct kprobe new_kp = { .addr = (kprobe_opcode_t *)0xffffffff81234567 };\n")
    git(repo, "add", ".")
    r = pm("check", "--format", "json", "--diff", "-", cwd=str(repo), stdin=git(repo, "diff", "--cached", "-M"))
    assert "moved.c: note: renamed from mod.c with changes; checking the added lines" in r.stderr
    assert findings(r) == [("moved.c", 10, "addr-literal")]


def test_quoted_names_and_every_prefix_style(repo):
    name = "sp ace caf\u00e9.c"
    (repo / name).write_text("#include <linux/kprobes.h>\nstatic struct kprobe kp;\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "odd name")
    (repo / name).write_text("#include <linux/kprobes.h>\n"
                             "static struct kprobe kp = { .addr = (kprobe_opcode_t *)0xffffffff81000000 };\n")
    for style in ([], ["--no-prefix"], ["--src-prefix=c/", "--dst-prefix=w/"]):
        diff = git(repo, "-c", "core.quotePath=true", "diff", *style)
        assert '"' in diff.splitlines()[0]  # git quoted the name
        r = pm("check", "-v", "--format", "json", "--diff", "-", cwd=str(repo), stdin=diff)
        assert findings(r) == [(name, 2, "addr-literal")], (style, r.stderr)
        assert "hunks only" not in r.stderr


def test_crlf_and_latin1_post_image_matches(repo):
    data = b"/* \xe9t\xe9 */\r\n#include <linux/kprobes.h>\r\nstatic struct kprobe kp;\r\n"
    (repo / "dos.c").write_bytes(data)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "dos")
    (repo / "dos.c").write_bytes(data.replace(b"kp;", b"kp = { .addr = (kprobe_opcode_t *)0xffffffff81000000 };"))
    r = pm("check", "-v", "--format", "json", "--diff", "-", cwd=str(repo), stdin=git(repo, "diff", binary=True))
    assert findings(r) == [("dos.c", 3, "addr-literal")]
    assert "hunks only" not in r.stderr


def test_malformed_and_foreign_input(repo):
    truncated = "diff --git a/mod.c b/mod.c\n--- a/mod.c\n+++ b/mod.c\n@@ -1,3 +1,4 @@\n a\n+b\n"
    r = pm("check", "--diff", "-", cwd=str(repo), stdin=truncated)
    assert r.returncode == 2
    assert "mod.c: error: malformed patch: Hunk is shorter than expected" in r.stderr
    r = pm("check", "--diff", "-", cwd=str(repo), stdin="--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n a\n*b\n")
    assert r.returncode == 2 and "<stdin>: error: malformed patch" in r.stderr
    r = pm("check", "--diff", "-", cwd=str(repo), stdin="just some text\n")
    assert r.returncode == 2 and "<stdin>: error: no unified diff found in the input" in r.stderr
    r = pm("check", "--diff", "-", cwd=str(repo), stdin=b"\xff\xfe\x00garbage\x00\n")
    assert r.returncode == 2 and "no unified diff" in r.stderr
    r = pm("check", "--diff", "-", cwd=str(repo), stdin="")
    assert r.returncode == 0 and r.stdout == ""
    r = pm("check", "--diff", "missing.diff", cwd=str(repo))
    assert r.returncode == 2 and "cannot read the patch missing.diff" in r.stderr
    for r in (pm("check", "--root", ".", cwd=str(repo)), pm("check", "mod.c", "--diff", "-", cwd=str(repo), stdin="")):
        assert r.returncode == 2 and "Usage" in r.stderr
    assert all("Traceback" not in x.stderr for x in [r])


def test_paths_outside_the_root_are_refused(repo, tmp_path):
    secret = tmp_path / "outside.c"
    secret.write_text("#include <linux/kprobes.h>\nstatic struct kprobe kp;\n")
    added = "+static struct kprobe kq = { .addr = (kprobe_opcode_t *)0xffffffff81000000 };\n"
    dotdot = f"--- a/../outside.c\n+++ b/../outside.c\n@@ -1,0 +2,1 @@\n{added}"
    absolute = f"--- /dev/null\n+++ {secret}\n@@ -0,0 +1,1 @@\n{added}"
    for patch, why in ((dotdot, "path in the patch leaves the root ('..')"), (absolute, "absolute path in the patch")):
        r = pm("check", "--diff", "-", cwd=str(repo), stdin=patch)
        assert r.returncode == 2, r.stderr
        assert f": error: {why}" in r.stderr
        assert r.stdout == ""
    # a symbolic link inside the root that points out of it is not followed: the hunks are used instead
    (repo / "link.c").symlink_to(secret)
    r = pm("check", "-v", "--format", "json", "--diff", "-", cwd=str(repo),
           stdin=f"--- a/link.c\n+++ b/link.c\n@@ -1,0 +2,1 @@\n{added}")
    assert "link.c: info: analysed the hunks only: the post-image resolves outside the root" in r.stderr
    assert findings(r) == [("link.c", 2, "addr-literal")]


def test_plain_diff_u_and_no_newline_at_end(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "m.c").write_text("#include <linux/kprobes.h>\nstatic struct kprobe kp;")
    (new / "m.c").write_text("#include <linux/kprobes.h>\nstatic struct kprobe kp = { .addr = (void *)0xffffffff81000000 };")
    r = subprocess.run(["diff", "-u", "old/m.c", "new/m.c"], cwd=str(tmp_path), capture_output=True, text=True)
    assert "\\ No newline at end of file" in r.stdout
    res = pm("check", "--format", "json", "--diff", "-", "--root", str(tmp_path), cwd=str(tmp_path), stdin=r.stdout)
    assert findings(res) == [("new/m.c", 2, "addr-literal")]


def test_exclude_and_select_apply_to_patches(repo):
    edit(repo / "mod.c", "static struct kprobe new_kp;\n",
         "static struct kprobe new_kp = { .addr = (kprobe_opcode_t *)0xffffffff81234567 };\n")
    diff = git(repo, "diff")
    assert pm("check", "--diff", "-", "--exclude", "mod.c", cwd=str(repo), stdin=diff).returncode == 0
    assert pm("check", "--diff", "-", "--ignore", "addr-literal", cwd=str(repo), stdin=diff).returncode == 0
    assert pm("check", "--diff", "-", "--select", "PM1", cwd=str(repo), stdin=diff).returncode == 1


def test_github_annotations_for_a_patch(repo):
    edit(repo / "mod.c", "static struct kprobe new_kp;\n",
         "static struct kprobe new_kp = { .addr = (kprobe_opcode_t *)0xffffffff81234567 };\n")
    r = pm("check", "--format", "github", "--diff", "-", cwd=str(repo), stdin=git(repo, "diff"))
    assert r.returncode == 1
    (line,) = r.stdout.splitlines()
    assert line.startswith("::error file=mod.c,line=10,col=34,endLine=10,endColumn=38,title=addr-literal (PM101)::")
    assert "KASLR" in line


def test_parse_unit():
    from migrator.gate.patchparse import _split_git_header, parse, unquote

    assert _split_git_header("a/sp ace.c b/sp ace.c\n") == ("a/sp ace.c", "b/sp ace.c")
    assert _split_git_header("sp ace.c sp ace.c") == ("sp ace.c", "sp ace.c")  # --no-prefix
    assert _split_git_header('"a/x\\"y" "b/x\\"y"') == ('"a/x\\"y"', '"b/x\\"y"')
    assert _split_git_header("a/old name.c b/new.c") == ("a/old name.c", "b/new.c")

    assert unquote('"b/sp ace\\303\\251\\t.c"') == "b/sp ace\u00e9\t.c"
    assert unquote("b/plain.c") == "b/plain.c"
    diff = (b"diff --git a/x.c b/x.c\nindex 1..2 100644\n--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,3 @@\n a\n-b\n+B\n+c\n"
            b"\\ No newline at end of file\n"
            b"diff --git a/y y.c b/y y.c\nnew file mode 100644\n--- /dev/null\n+++ b/y y.c\t\n@@ -0,0 +1 @@\n+z\n")
    changes, messages = parse(diff)
    assert messages == []
    x, y = changes
    assert (x.path, x.old_path, sorted(x.added), x.lines) == ("x.c", "x.c", [2, 3], {1: "a", 2: "B", 3: "c"})
    assert (y.path, y.old_path, sorted(y.added)) == ("y y.c", "", [1])


def _readme_blocks(lang: str) -> list[str]:
    from conftest import ROOT

    text = (ROOT / "README.md").read_text()
    section = text[text.index("## In CI and pre-commit"):]
    return [b.split("\n", 1)[1] for b in section.split("```")[1::2] if b.startswith(lang + "\n")]


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_readme_ci_examples_run_as_written(repo, ci):
    """The copy-paste CI jobs of the README, run step by step in a repository with a bad change."""
    yaml = pytest.importorskip("yaml")
    docs = {next(iter(d)): d for d in (yaml.safe_load(b) for b in _readme_blocks("yaml"))}
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    edit(repo / "mod.c", "static struct kprobe new_kp;\n",
         "static struct kprobe new_kp = { .addr = (kprobe_opcode_t *)0xffffffff81234567 };\n")
    git(repo, "commit", "-qam", "change")
    if ci == "github":
        steps = [s["run"] for s in docs["name"]["jobs"]["lint"]["steps"] if "run" in s]
        steps = [s.replace("${{ github.base_ref }}", "main") for s in steps]
        sarif = "probe-migrator.sarif"
    else:
        job = docs["probe-migrator"]["probe-migrator"]
        steps = job["script"]
        sarif = job["artifacts"]["paths"][0]
    env = dict(os.environ, CI_MERGE_REQUEST_DIFF_BASE_SHA=base,
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    results = []
    for step in steps:
        if step.startswith("pip install"):
            continue  # installed already: this is the tool under test
        r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step], cwd=str(repo), env=env,
                           capture_output=True, text=True, timeout=120)
        results.append(r)
    *setup, last = results
    assert all(r.returncode == 0 for r in setup), [(r.args, r.stderr) for r in setup]
    assert last.returncode == 1  # the job fails on the added violation
    assert ("file=mod.c,line=10,col=34" if ci == "github" else "mod.c:10:34: error:") in last.stdout
    doc = json.loads((repo / sarif).read_text())
    assert [res["ruleId"] for res in doc["runs"][0]["results"]] == ["PM101"]


def test_readme_pre_commit_example_is_a_valid_config():
    yaml = pytest.importorskip("yaml")
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (block,) = [b for b in _readme_blocks("yaml") if b.startswith("# .pre-commit-config.yaml")]
    config = yaml.safe_load(block)
    clientlib.cfgv.validate(config, clientlib.CONFIG_SCHEMA)
    assert [h["id"] for h in config["repos"][0]["hooks"]] == ["probe-migrator", "probe-migrator-fix"]
