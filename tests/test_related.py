"""The other half of a construct is named as a related location: the register_jprobe() call of a
jprobe, the read-back of a kallsyms_lookup_name probe's address (text notes, JSON, SARIF)."""

from __future__ import annotations

import json
import subprocess
import sys

TRICK = b"""\
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
"""

JPROBE = b"""\
#include <linux/kprobes.h>
static void h(int a) { jprobe_return(); }
static struct jprobe jp = { .entry = h, .kp.symbol_name = "x" };
static int __init init(void)
{
\treturn register_jprobe(&jp);
}
"""


def _check(tmp_path, name, data, fmt):
    f = tmp_path / name
    f.write_bytes(data)
    r = subprocess.run([sys.executable, "-m", "migrator", "check", "--no-cache", "--format", fmt, str(f)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    return r.stdout


def test_text_names_the_other_half_as_a_note(tmp_path):
    out = _check(tmp_path, "trick.c", TRICK, "text")
    assert f"{tmp_path}/trick.c:7:22: note: the resolved address of kallsyms_lookup_name is read back" in out
    out = _check(tmp_path, "jp.c", JPROBE, "text")
    assert f"{tmp_path}/jp.c:6:9: note: register_jprobe() registers it here" in out


def test_json_and_sarif_carry_related_locations(tmp_path):
    found = json.loads(_check(tmp_path, "jp.c", JPROBE, "json"))
    assert [(f["rule"], f["related"]) for f in found] == [("jprobe", [
        {"line": 6, "column": 9, "end_line": 6, "end_column": 24, "message": "register_jprobe() registers it here"}])]
    sarif = json.loads(_check(tmp_path, "trick.c", TRICK, "sarif"))
    (result,) = sarif["runs"][0]["results"]
    (rel,) = result["relatedLocations"]
    assert rel["id"] == 1 and rel["physicalLocation"]["region"]["startLine"] == 7
    assert "read back" in rel["message"]["text"]
