"""The C front end and the probe model on small, focused inputs."""

from __future__ import annotations

import re

from conftest import corpus_modules

from migrator.core.source import Source
from migrator.frontends.c.constructs import split
from migrator.frontends.c.lex import lex


def rules_at(result):
    return [(f.line, f.rule) for f in result.findings]


def test_masking_keeps_every_offset():
    """Masked text has the file's length and newlines; every identifier pycparser sees is where
    it is in the file."""
    for module in corpus_modules():
        text = Source.from_bytes(str(module), module.read_bytes()).text
        lexed = lex(text)
        masked = split(lexed).masked
        assert len(masked) == len(text)
        assert [i for i, c in enumerate(masked) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]
        for m in re.finditer(r"[A-Za-z_]\w*", masked):
            assert text[m.start():m.end()] == m.group() or masked[m.start():m.end()] in (
                "for", "if", "int", "typeof", "inline", "volatile", "const", "signed", "offsetof", "sizeof", "void",
                "_m", "_", "long") or m.group().startswith("_")  # long: typeof(x)


def test_device_struct_addr_is_not_a_probe(run_check):
    r = run_check("""
#include <linux/kprobes.h>
struct hpet_dev { void *addr; int irq; };
static struct hpet_dev dev;
static struct kprobe kp = { .symbol_name = "hpet_interrupt" };
static int __init m_init(void)
{
	dev.addr = (void *)0xfed00000;
	return register_kprobe(&kp);
}
""")
    assert r.findings == []


def test_reading_addr_after_registration_and_null_reset_are_fine(run_check):
    r = run_check("""
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "kernel_clone" };
static int __init m_init(void)
{
	int ret = register_kprobe(&kp);
	pr_info("planted at %px\\n", kp.addr);
	unregister_kprobe(&kp);
	kp.addr = NULL;
	return register_kprobe(&kp);
}
""")
    assert r.findings == []


def test_comments_and_strings_are_never_findings(run_check):
    r = run_check("""
#include <linux/kprobes.h>
/* kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_fork"); */
static struct kprobe kp = { .symbol_name = "kernel_clone" };
static int __init m_init(void)
{
	// kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
	pr_info("we no longer read /proc/kallsyms or call kallsyms_lookup_name()\\n");
	return register_kprobe(&kp);
}
""")
    assert r.findings == []


def test_both_branches_of_if_else_are_analysed(run_check):
    r = run_check("""
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
#ifdef CONFIG_X86_64
	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
#else
	kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_fork");
#endif
	return register_kprobe(&kp);
}
""")
    assert rules_at(r) == [(7, "addr-literal"), (9, "addr-kallsyms")]


def test_branch_split_function_header_parses_one_branch_at_a_time(run_check):
    r = run_check("""
#include <linux/kprobes.h>
static struct kprobe kp;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(4,0,0)
static int pre(struct kprobe *p, struct pt_regs *regs)
{
#else
static int pre(struct kprobe *p, struct pt_regs *regs, unsigned long flags)
{
#endif
	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
	return 0;
}
""")
    assert rules_at(r) == [(11, "addr-literal")]
    assert not [d for d in r.diagnostics if d.kind == "parse"]


def test_pre_2_6_19_guard_is_info(run_check):
    r = run_check("""
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(2,6,19)
	kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_fork");
#else
	kp.symbol_name = "do_fork";
#endif
	return register_kprobe(&kp);
}
""")
    (f,) = r.findings
    assert (f.line, f.rule, f.severity.label) == (7, "addr-kallsyms", "info")
    assert "before 2.6.19" in f.message


def test_conflict_wins_over_the_address_kind(run_check):
    r = run_check("""
#include <linux/kprobes.h>
static struct kprobe kp = {
	.symbol_name = "kernel_clone",
	.addr = (kprobe_opcode_t *)0xffffffff810a0a60,
};
""")
    assert rules_at(r) == [(5, "addr-and-symbol-conflict")]


def test_if_else_arms_do_not_conflict(run_check):
    r = run_check("""
#include <linux/kprobes.h>
static unsigned long where;
static struct kprobe kp;
static int __init m_init(void)
{
	if (where)
		kp.addr = (kprobe_opcode_t *)where;
	else
		kp.symbol_name = "kernel_clone";
	return register_kprobe(&kp);
}
""")
    assert rules_at(r) == [(8, "addr-computed")]


def test_macro_built_probe_is_reported_at_the_invocation(run_check):
    r = run_check("""
#include <linux/kprobes.h>
#define ADDR_PROBE(name, where) \\
	static struct kprobe name = { .addr = (kprobe_opcode_t *)(where) }
ADDR_PROBE(p1, 0xffffffff810a0a60);
  ADDR_PROBE(p2, 0xffffffff81363fa0);
""")
    assert [(f.line, f.column, f.rule) for f in r.findings] == [(5, 1, "addr-literal"), (6, 3, "addr-literal")]


def test_kretprobe_and_container_members(run_check):
    r = run_check("""
#include <linux/kprobes.h>
struct my_probe { const char *name; union { struct kprobe kp; struct kretprobe krp; } u; };
static struct my_probe probes[2];
static struct kretprobe rp = { .kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60 };
static int __init m_init(void)
{
	struct my_probe *p = &probes[0];
	p->u.kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("vfs_read");
	probes[1].u.krp.kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("vfs_write");
	return 0;
}
""")
    assert rules_at(r) == [(5, "addr-literal"), (9, "addr-kallsyms"), (10, "addr-kallsyms")]


def test_deep_nesting_does_not_crash(run_check):
    depth = 3000
    expr = "(" * depth + "1" + ")" * depth
    r = run_check("#include <linux/kprobes.h>\nstatic struct kprobe kp;\nint f(void)\n{\n\tint x = " + expr
                  + ";\n\tkp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;\n\treturn x;\n}\n")
    assert not [d for d in r.diagnostics if d.kind == "internal"]
    assert ("addr-literal" in {f.rule for f in r.findings})


def test_unterminated_comment_and_string(run_check):
    r = run_check('#include <linux/kprobes.h>\nstatic struct kprobe kp = { .symbol_name = "x };\n/* never closed\n')
    assert not [d for d in r.diagnostics if d.kind == "internal"]
