"""fix ports jprobes to kprobes (rules/jprobe.py): small modules, expectations written by hand.

The corpus (corpus/jprobe/, corpus/jprobe-boot/) holds whole modules with hand-written `.fixed`
files; these are the edge cases of the rewrite and every refusal reason, one each.
"""

from __future__ import annotations

import textwrap

import pytest

from migrator.check.engine import Options
from migrator.check.registry import all_rules
from migrator.fix.fixer import fix_bytes

HEAD = "#include <linux/module.h>\n#include <linux/kprobes.h>\n\n"


def _fix(body: str, path: str = "m.c"):
    data = (HEAD + textwrap.dedent(body)).encode()
    return fix_bytes(path, data, Options(rules=list(all_rules())), None)


def _after(body: str) -> str:
    ff = _fix(body)
    assert ff.changed, [why for _f, why in ff.refused]
    assert not [f for f, _why in ff.refused if f.rule == "jprobe"]
    return ff.new.decode()[len(HEAD):]


def _refused(body: str) -> str:
    ff = _fix(body)
    reasons = {why for f, why in ff.refused if f.rule == "jprobe"}
    assert not ff.changed and len(reasons) == 1, (ff.new, reasons)
    return reasons.pop()


ONE_LINE_KP = """\
static void h(int fd, const char __user *buf, size_t n)
{
	pr_info("%d %zu\\n", fd, n);
	jprobe_return();
}
static struct jprobe jp = { .kp = { .symbol_name = "ksys_write" }, .entry = JPROBE_ENTRY(h) };
static int __init i(void) { return register_jprobe(&jp); }
static void __exit e(void) { pr_info("%p\\n", jp.kp.addr); unregister_jprobe(&jp); }
"""


def test_one_line_initializer_and_one_line_functions():
    assert _after(ONE_LINE_KP) == textwrap.dedent("""\
        static int h(struct kprobe *p, struct pt_regs *regs)
        {
        	int fd = (int)regs_get_kernel_argument(regs, 0);
        	size_t n = (size_t)regs_get_kernel_argument(regs, 2);

        	pr_info("%d %zu\\n", fd, n);
        	return 0;
        }
        static struct kprobe jp = { .symbol_name = "ksys_write", .pre_handler = h };
        static int __init i(void) { return register_kprobe(&jp); }
        static void __exit e(void) { pr_info("%p\\n", jp.addr); unregister_kprobe(&jp); }
        """)


def test_asmlinkage_pointer_members_early_return_and_missing_final_return():
    got = _after("""\
        static asmlinkage long h(struct sock *sk, int len)
        {
        	if (len < 0)
        		return -1;
        	pr_info("%p %d\\n", sk, len);
        }
        static struct jprobe jps[] = {
        	{ .entry = (kprobe_opcode_t *)h, .kp.symbol_name = "tcp_sendmsg" },
        };
        static int __init i(void)
        {
        	struct jprobe *ptrs[] = { &jps[0] };
        	return register_jprobes(ptrs, 1) ? : (jps[0].kp.addr ? 0 : -1);
        }
        """)
    assert got == textwrap.dedent("""\
        static int h(struct kprobe *p, struct pt_regs *regs)
        {
        	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
        	int len = (int)regs_get_kernel_argument(regs, 1);

        	if (len < 0)
        		return 0;
        	pr_info("%p %d\\n", sk, len);
        	return 0;
        }
        static struct kprobe jps[] = {
        	{ .pre_handler = h, .symbol_name = "tcp_sendmsg" },
        };
        static int __init i(void)
        {
        	struct kprobe *ptrs[] = { &jps[0] };
        	return register_kprobes(ptrs, 1) ? : (jps[0].addr ? 0 : -1);
        }
        """)


def test_a_parameter_named_p_or_regs_moves_the_new_names():
    got = _after("""\
        static int h(struct task_struct *p, struct pt_regs *regs)
        {
        	pr_info("%d %lx\\n", p->pid, regs->ip);
        	jprobe_return();
        	return 0;
        }
        static struct jprobe jp = { .entry = h, .kp = { .symbol_name = "x" } };
        """)
    assert got.splitlines()[:4] == [
        "static int h(struct kprobe *kp, struct pt_regs *kregs)", "{",
        "\tstruct task_struct *p = (struct task_struct *)regs_get_kernel_argument(kregs, 0);",
        "\tstruct pt_regs *regs = (struct pt_regs *)regs_get_kernel_argument(kregs, 1);"]


def test_an_unbraced_if_keeps_its_body():
    got = _after("""\
        static void h(int x)
        {
        	if (x)
        		jprobe_return();
        	pr_info("%d\\n", x);
        	jprobe_return();
        }
        static struct jprobe jp = { .entry = h, .kp = { .symbol_name = "x" } };
        """)
    assert "\tif (x)\n\t\treturn 0;\n\tpr_info" in got and got.count("return 0;") == 2


@pytest.mark.parametrize(("body", "reason"), [
    ("static void h(int a) { jprobe_return(); }\n"
     "static struct jprobe a = { .entry = h, .kp.symbol_name = \"x\" };\n"
     "static struct jprobe b = { .entry = h, .kp.symbol_name = \"y\" };\n", "shared by 2 jprobes"),
    ("static void h(int a) { int *q = &a; pr_info(\"%d\", *q); jprobe_return(); }\n"
     "static struct jprobe a = { .entry = h, .kp.symbol_name = \"x\" };\n", "address of its parameter a"),
    ("static void h(long a, long b, long c, long d, long e, long f, long g) { jprobe_return(); }\n"
     "static struct jprobe a = { .entry = h, .kp.symbol_name = \"x\" };\n", "7 parameters"),
    ("struct pair { long x, y; };\nstatic void h(struct pair v) { jprobe_return(); }\n"
     "static struct jprobe a = { .entry = h, .kp.symbol_name = \"x\" };\n", "struct/union passed by value"),
    ("static void h(const char *fmt, ...) { jprobe_return(); }\n"
     "static struct jprobe a = { .entry = h, .kp.symbol_name = \"x\" };\n", "variadic"),
    ("static void h(double d) { jprobe_return(); }\n"
     "static struct jprobe a = { .entry = h, .kp.symbol_name = \"x\" };\n", "floating-point"),
    ("static void h(kuid_t uid) { jprobe_return(); }\n"
     "static struct jprobe a = { .entry = h, .kp.symbol_name = \"x\" };\n", "kuid_t (a typedef"),
    ("static void h(void (*cb)(void)) { jprobe_return(); }\n"
     "static struct jprobe a = { .entry = h, .kp.symbol_name = \"x\" };\n", "function-pointer"),
    ("#include <linux/version.h>\n#if LINUX_VERSION_CODE < KERNEL_VERSION(4, 11, 0)\n#define F \"do_fork\"\n"
     "#else\n#define F \"_do_fork\"\n#endif\nstatic void h(int a) { jprobe_return(); }\n"
     "static struct jprobe a = { .entry = h, .kp.symbol_name = F };\n", "older than 4.20"),
    ("extern void h(int a);\nstatic struct jprobe a = { .entry = h, .kp.symbol_name = \"x\" };\n",
     "not defined in this file"),
    ("static void h(int a) { jprobe_return(); }\n"
     "static struct jprobe a = { { .symbol_name = \"x\" }, (kprobe_opcode_t *)h };\n", "without designators"),
    ("static void h(int p, int kp, int probe) { pr_info(\"%d\", p + kp + probe); jprobe_return(); }\n"
     "static struct jprobe a = { .entry = h, .kp.symbol_name = \"x\" };\n", "every name"),
    # found by the property test: a directive moved into the parameter list
    ("static void h(int a,\n#include <linux/kprobes.h>\n\t      long b) { jprobe_return(); }\n"
     "static struct jprobe a = { .entry = h, .kp.symbol_name = \"x\" };\n", "preprocessor line inside its signature"),
])
def test_refusals_say_why(body, reason):
    assert reason in _refused(body)


def test_only_c_sources_are_rewritten():
    ff = fix_bytes("tool.py", b'prog = """\n#include <linux/kprobes.h>\nstatic struct jprobe jp;\n"""\n',
                   Options(rules=list(all_rules())), None)
    assert not ff.changed


OLD_KERNELS = """\
#include <linux/version.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(4, 11, 0)
#define FORK "do_fork"
#else
#define FORK "_do_fork"
#endif

static long jfork(unsigned long flags)
{
	pr_info("flags %lx\\n", flags);
	jprobe_return();
	return 0;
}

static struct jprobe jp = {
	.entry = jfork,
	.kp = {
		.symbol_name = FORK,
	},
};

static int __init m_init(void)
{
	return register_jprobe(&jp);
}
"""


def test_keep_old_kernels_puts_both_versions_under_a_guard_and_is_idempotent():
    opts = Options(rules=list(all_rules()))
    data = (HEAD + OLD_KERNELS).encode()
    assert not fix_bytes("m.c", data, opts, None).changed  # refused by default
    ff = fix_bytes("m.c", data, opts, None, keep_old_kernels=True)
    assert ff.changed
    got = ff.new.decode()[len(HEAD):]
    assert got.endswith(textwrap.dedent("""\
        #if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 20, 0)
        static int jfork(struct kprobe *p, struct pt_regs *regs)
        {
        	unsigned long flags = (unsigned long)regs_get_kernel_argument(regs, 0);

        	pr_info("flags %lx\\n", flags);
        	return 0;
        }
        #else
        static long jfork(unsigned long flags)
        {
        	pr_info("flags %lx\\n", flags);
        	jprobe_return();
        	return 0;
        }
        #endif

        #if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 20, 0)
        static struct kprobe jp = {
        	.pre_handler = jfork,
        	.symbol_name = FORK,
        };
        #else
        static struct jprobe jp = {
        	.entry = jfork,
        	.kp = {
        		.symbol_name = FORK,
        	},
        };
        #endif

        static int __init m_init(void)
        {
        #if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 20, 0)
        	return register_kprobe(&jp);
        #else
        	return register_jprobe(&jp);
        #endif
        }
        """))
    again = fix_bytes("m.c", ff.new, opts, None, keep_old_kernels=True)
    assert not again.changed
    assert [why for _f, why in again.refused] == ["this jprobe is only built for kernels before 4.20, where it stays as it is"]


def test_tab_aligned_designators_stay_aligned():
    got = _after("""\
        static void h(int a) { pr_info("%d", a); jprobe_return(); }
        static struct jprobe jp = {
        	.entry			= h,
        	.kp = {
        		.symbol_name	= "x",
        	},
        };
        """)
    assert got.endswith("static struct kprobe jp = {\n\t.pre_handler\t\t= h,\n\t.symbol_name\t= \"x\",\n};\n")


def test_a_one_line_handler_gets_its_declarations_on_its_line():
    got = _after("""\
        static void h(int a) { pr_info("%d", a); jprobe_return(); }
        static struct jprobe jp = { .entry = h, .kp.symbol_name = "x" };
        """)
    assert got == ('static int h(struct kprobe *p, struct pt_regs *regs) { int a = (int)regs_get_kernel_argument(regs, 0);'
                   ' pr_info("%d", a); return 0; }\n'
                   'static struct kprobe jp = { .pre_handler = h, .symbol_name = "x" };\n')


def test_a_registration_helper_from_another_file_is_refused():
    assert "_stp_register_jprobes() is not defined in this file" in _refused("""\
        static void h(int a) { jprobe_return(); }
        static struct jprobe jps[] = { { .entry = h, .kp.symbol_name = "x" } };
        static int __init i(void) { return _stp_register_jprobes(jps, 1); }
        """)
    _after("""\
        static void h(int a) { jprobe_return(); }
        static struct jprobe jps[] = { { .entry = h, .kp.symbol_name = "x" } };
        static int my_register_jprobes(struct jprobe *p, int n) { return register_jprobe(p); }
        static int __init i(void) { return my_register_jprobes(jps, 1); }
        """)
