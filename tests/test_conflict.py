"""addr-and-symbol-conflict: only a conflict of two constants is fixed; a run-time pass-through and a
negative test are reported and never fixed (the .addr write is a feature or the point of the test)."""

from __future__ import annotations

import textwrap

import pytest
from migrator.rules.addr_and_symbol_conflict import passed_through

from migrator.check.engine import Options, check_bytes
from migrator.check.registry import all_rules
from migrator.fix.fixer import fix_bytes

HEAD = "#include <linux/kprobes.h>\n"
CASES = {
    "constant": ("m.c", """\
        static struct kprobe kp = { .symbol_name = "kernel_clone", .addr = (kprobe_opcode_t *)0xffffffff810a0a60 };
        """, "error", True),
    "parameters": ("m.c", """\
        int attach(struct kprobe *kp, const char *sym, kprobe_opcode_t *addr)
        {
        	kp->symbol_name = sym;
        	kp->addr = addr;
        	return register_kprobe(kp);
        }
        """, "error", False, "addr-computed"),
    "request fields": ("m.c", """\
        struct req { const char *sym; unsigned long addr; };
        int attach(struct kprobe *kp, const struct req *r)
        {
        	kp->symbol_name = "kernel_clone";
        	kp->addr = (kprobe_opcode_t *)r->addr;
        	return register_kprobe(kp);
        }
        """, "warning", False),
    "einval harness": ("m.c", """\
        static struct kprobe kp;
        int probe_init(void)
        {
        	kp.symbol_name = "kernel_clone";
        	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
        	if (register_kprobe(&kp) == -EINVAL)
        		return 0;
        	return -1;
        }
        """, "info", False),
    "test function": ("m.c", """\
        static struct kprobe kp;
        int test_both_fields(void)
        {
        	kp.symbol_name = "kernel_clone";
        	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
        	return register_kprobe(&kp) ? 0 : -1;
        }
        """, "info", False),
    "invalid-input file": ("kprobe_invalid_args.c", """\
        static struct kprobe kp = { .symbol_name = "kernel_clone", .addr = (kprobe_opcode_t *)0xffffffff810a0a60 };
        """, "info", False),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_conflict_kinds(case):
    name, body, severity, fixed, *rule = CASES[case]
    rule_name = rule[0] if rule else "addr-and-symbol-conflict"  # both run-time: no conflict, a run-time address
    data = (HEAD + textwrap.dedent(body)).encode()
    opts = Options(rules=list(all_rules()))
    (f,) = [f for f in check_bytes(name, data, opts).findings if f.rule == rule_name]
    assert f.severity.label == severity
    ff = fix_bytes(name, data, opts, None)
    assert ff.changed == fixed
    if not fixed:
        assert any(r.rule == rule_name for r, _ in ff.refused)


def test_a_file_named_test_alone_is_not_a_negative_test():
    data = (HEAD + 'static struct kprobe kp = { .symbol_name = "kernel_clone", '
            '.addr = (kprobe_opcode_t *)0xffffffff810a0a60 };\n').encode()
    (f,) = check_bytes("test_kprobe.c", data, Options(rules=list(all_rules()))).findings
    assert f.severity.label == "error"


@pytest.mark.parametrize("text,expected", [
    ("addr", True), ("(kprobe_opcode_t *)req->address", True), ("p->a.b[i]", True),
    ("s[0] ? s : NULL", True), ("NULL", False), ("(void *)0xffffffff81000000", False),
    ("lookup(\"x\")", False), ("base + 0x10", False),
])
def test_passed_through(text, expected):
    assert passed_through(text) == expected
