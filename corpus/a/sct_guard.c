// SPDX-License-Identifier: GPL-2.0
/*
 * sct_guard - cheap rootkit check: verify that sys_call_table[__NR_openat]
 * still points at __x64_sys_openat, and log every kernel_clone() while
 * loaded.
 *
 * kallsyms_lookup_name is not exported since 5.7, so we borrow its
 * address from a kprobe first.
 */
#define pr_fmt(fmt) "sct_guard: " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/unistd.h>
#include <linux/sched.h>

typedef unsigned long (*kallsyms_lookup_name_t)(const char *name);

static kallsyms_lookup_name_t kln;

static struct kprobe kln_probe = {
	.symbol_name = "kallsyms_lookup_name",
};

static struct kprobe target;

static int grab_kln(void)
{
	int ret;

	ret = register_kprobe(&kln_probe);
	if (ret < 0)
		return ret;
	kln = (kallsyms_lookup_name_t)kln_probe.addr;
	unregister_kprobe(&kln_probe);
	return 0;
}

static int clone_pre(struct kprobe *p, struct pt_regs *regs)
{
	pr_info("clone by %s[%d]\n", current->comm, current->pid);
	return 0;
}

static int check_openat_slot(void)
{
	unsigned long *table;
	unsigned long expect;

	table = (unsigned long *)kln("sys_call_table");
	expect = kln("__x64_sys_openat");
	if (!table || !expect)
		return -ENOENT;

	if (table[__NR_openat] != expect) {
		pr_warn("sys_call_table[%d] = %px, expected %px\n",
			__NR_openat, (void *)table[__NR_openat], (void *)expect);
		return 1;
	}
	pr_info("openat slot looks sane\n");
	return 0;
}

static int __init sct_guard_init(void)
{
	int ret;

	ret = grab_kln();
	if (ret) {
		pr_err("cannot find kallsyms_lookup_name: %d\n", ret);
		return ret;
	}

	check_openat_slot();

	target.addr = (kprobe_opcode_t *)kln("kernel_clone");
	target.pre_handler = clone_pre;
	ret = register_kprobe(&target);
	if (ret < 0) {
		pr_err("register_kprobe(kernel_clone): %d\n", ret);
		return ret;
	}
	return 0;
}

static void __exit sct_guard_exit(void)
{
	unregister_kprobe(&target);
	check_openat_slot();
}

module_init(sct_guard_init);
module_exit(sct_guard_exit);
MODULE_LICENSE("GPL");
