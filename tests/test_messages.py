"""Messages name probes as the code does, never by the front end's internal identities."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest
from conftest import CORPUS, ROOT

from migrator.check.rulekit import probe_name
from migrator.core.display import probe_display
from migrator.core.model import FieldWrite, Span

INTERNAL = re.compile(r"#\d+:")


@pytest.mark.parametrize(("identity", "shown"), [
    ("kp", "kp"), ("kps[*]", "kps[*]"), ("rp.kp", "rp.kp"),
    ("lookup_name#3:kp", "kp (in lookup_name)"), ("kzp_init#10:p", "p (in kzp_init)"),
    ("f#2:s.kp", "s.kp (in f)"), ("f#2:arr[1].kp", "arr[1].kp (in f)"),
])
def test_probe_display(identity, shown):
    assert probe_display(identity) == shown


def test_probe_name_of_a_write():
    def write(probe: str) -> FieldWrite:
        return FieldWrite(field="addr", anchor=Span(0, 1), probe=probe, value_span=Span(0, 1), item_span=Span(0, 1),
                          designated=False)

    assert probe_name(write("lookup_name#3:kp")) == "kp (in lookup_name)"
    assert probe_name(write("?")) == probe_name(write("")) == "the probe"


def test_local_probe_is_named_without_its_scope(run_check):
    src = textwrap.dedent("""\
        #include <linux/kprobes.h>
        static int lookup_name(void)
        {
        	struct kprobe kp = { .symbol_name = "vfs_read" };
        	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
        	kp.offset = 4;
        	return register_kprobe(&kp);
        }
        """)
    messages = [f.message for f in run_check(src).findings]
    assert any("kp (in lookup_name)" in m for m in messages), messages
    assert not [m for m in messages if INTERNAL.search(m)]


def test_no_message_in_the_corpus_shows_an_internal_identity(tmp_path):
    r = subprocess.run([sys.executable, "-m", "migrator", "check", "--format", "json", "--no-cache", str(CORPUS)],
                       cwd=str(ROOT), capture_output=True, text=True, timeout=600)
    assert r.returncode == 1, r.stderr[-2000:]
    findings = json.loads(r.stdout)
    assert len(findings) > 50
    leaks = [f"{f['path']}:{f['line']}: {text}" for f in findings for text in [f["message"], *f["notes"]]
             if INTERNAL.search(text)]
    assert not leaks, "\n".join(leaks)
