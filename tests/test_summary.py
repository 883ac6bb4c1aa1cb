"""check's summary line counts every analysed file: with findings, clean, or parsed with notes only."""

from __future__ import annotations

import subprocess
import sys
import textwrap

NOTES_ONLY = textwrap.dedent("""\
    #include <linux/kprobes.h>
    static struct kprobe kp;
    static int f(void)
    {
    	kp.addr = NULL; foo(@@);
    	return register_kprobe(&kp);
    }
    """)
CLEAN = textwrap.dedent("""\
    #include <linux/kprobes.h>
    static struct kprobe kp = { .symbol_name = "x", .addr = NULL };
    int g(void) { return register_kprobe(&kp); }
    """)
LITERAL = textwrap.dedent("""\
    #include <linux/kprobes.h>
    static struct kprobe kp;
    int h(void)
    {
    	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
    	return register_kprobe(&kp);
    }
    """)


def check(cwd, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migrator", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_file_parsed_with_notes_and_no_findings_is_analysed(tmp_path):
    (tmp_path / "notes.c").write_text(NOTES_ONLY)
    r = check(tmp_path, "notes.c")
    assert "could not parse" not in r.stderr  # notes are shown with -v only
    assert "0 findings in 1 file (1 analysed)" in r.stderr


def test_summary_counts_notes_clean_and_findings(tmp_path):
    (tmp_path / "notes.c").write_text(NOTES_ONLY)
    (tmp_path / "clean.c").write_text(CLEAN)
    (tmp_path / "bad.c").write_text(LITERAL)
    (tmp_path / "plain.c").write_text("int main(void) { return 0; }\n")  # the prefilter passes it by
    r = check(tmp_path, "-v", "notes.c", "clean.c", "bad.c", "plain.c")
    assert "notes.c:3:1: info: could not parse" in r.stderr
    assert "1 finding in 4 files (3 analysed)" in r.stderr
