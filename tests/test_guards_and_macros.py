"""Version guards and macro expansion as the C front end reads them (architecture issue, point 7)."""

from __future__ import annotations

from migrator.frontends.c.lex import Macro
from migrator.frontends.c.macros import substitute
from migrator.frontends.c.versions import bound

OLD_KERNELS_BY_NEGATION = """\
#include <linux/version.h>
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
#if !(LINUX_VERSION_CODE >= KERNEL_VERSION(2,6,19))
	kp.addr = (kprobe_opcode_t *)0xc0123456;
#else
	kp.symbol_name = "do_fork";
#endif
	return register_kprobe(&kp);
}
"""

NEW_KERNELS_BY_NEGATION = OLD_KERNELS_BY_NEGATION.replace("!(LINUX_VERSION_CODE >= ", "!(LINUX_VERSION_CODE < ")

KALLSYMS_BEFORE_5_7 = """\
#include <linux/version.h>
#include <linux/kallsyms.h>
static unsigned long (*lookup)(const char *);
static int __init m_init(void)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 7, 0)
	lookup = kallsyms_lookup_name;
#endif
	lookup = (void *)kallsyms_lookup_name("vfs_read");
	return 0;
}
"""


def _rules(result):
    return [(f.line, f.rule, f.severity.label) for f in result.findings]


def test_a_negated_guard_for_new_kernels_marks_the_else_branch_old(run_check):
    assert _rules(run_check(OLD_KERNELS_BY_NEGATION)) == [(7, "addr-literal", "info")]


def test_a_negated_guard_for_old_kernels_is_read_the_other_way(run_check):
    # "!(< 2.6.19)" admits only new kernels: the address write there is a plain error
    assert _rules(run_check(NEW_KERNELS_BY_NEGATION)) == [(7, "addr-literal", "error")]


def test_kallsyms_lookup_name_is_legal_in_code_built_only_before_5_7(run_check):
    assert _rules(run_check(KALLSYMS_BEFORE_5_7)) == [
        (7, "kallsyms-lookup-use", "info"), (9, "kallsyms-lookup-use", "error")]


def test_bound_reads_negation_only_of_the_whole_condition():
    assert bound("!(LINUX_VERSION_CODE >= KERNEL_VERSION(2,6,19))") == ("<", (2, 6, 19))
    assert bound("!defined(CONFIG_X) && LINUX_VERSION_CODE < KERNEL_VERSION(2,6,19)") == ("<", (2, 6, 19))
    assert bound("!(defined(CONFIG_X) && LINUX_VERSION_CODE >= KERNEL_VERSION(2,6,19))") is None
    assert bound("LINUX_VERSION_CODE < KERNEL_VERSION(4,0,0) || defined(X)") is None


def test_macro_parameters_are_not_substituted_inside_string_literals():
    m = Macro("KP", ["sym", "off"], ' { .symbol_name = #sym, .offset = off, .comment = "sym+off" }', 0, 0)
    got = substitute(m, ["vfs_read", "0x11"])
    assert got == ' { .symbol_name = "vfs_read", .offset = 0x11, .comment = "sym+off" }'


def test_token_pasting_still_joins_names():
    m = Macro("P", ["n"], "static struct kprobe kp_ ## n = { .symbol_name = #n }", 0, 0)
    assert substitute(m, ["openat"]) == 'static struct kprobe kp_openat = { .symbol_name = "openat" }'
