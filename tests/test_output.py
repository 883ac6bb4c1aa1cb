"""The report writers: one module per format, chosen by migrator.output.write."""

from __future__ import annotations

import io
import json
import textwrap

import pytest

from migrator.check.engine import Options, check_bytes
from migrator.check.registry import all_rules
from migrator.output import FORMATS, write

BAD = textwrap.dedent("""\
    #include <linux/kprobes.h>
    static struct kprobe kp;
    static int __init m_init(void)
    {
    	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
    	return register_kprobe(&kp);
    }
    """)


def results_of(text: str, path: str = "mod.c"):
    return [check_bytes(path, text.encode(), Options(rules=list(all_rules())))]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_writes_the_finding(fmt):
    out = io.StringIO()
    write(fmt, results_of(BAD), list(all_rules()), out)
    assert "0xffffffff810a0a60" in out.getvalue()
    if fmt in ("json", "sarif"):
        json.loads(out.getvalue())


def test_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="unknown output format"):
        write("xml", [], [], io.StringIO())


def test_each_format_is_its_own_module():
    from migrator.output import github, json_format, sarif, text

    assert {m.__name__.rsplit(".", 1)[1] for m in (github, json_format, sarif, text)} == {
        "github", "json_format", "sarif", "text"}
