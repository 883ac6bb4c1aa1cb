// SPDX-License-Identifier: GPL-2.0
/*
 * kln_cast_call.c - written for probe-migrator's corpus in the style of small
 * rootkits that never keep the harvested pointer: the probe's address is
 * called in place through an inline cast, once for the syscall table and once
 * for the address of another probe.
 */
#include <linux/module.h>
#include <linux/kprobes.h>

static struct kprobe kln_kp = {
	.symbol_name = "kallsyms_lookup_name",
};
static struct kprobe open_kp;
static unsigned long *sct;

static int open_pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

static int __init kcc_init(void)
{
	int ret = register_kprobe(&kln_kp);

	if (ret < 0)
		return ret;
	sct = (unsigned long *)((unsigned long (*)(const char *))kln_kp.addr)("sys_call_table");
	open_kp.addr = (kprobe_opcode_t *)((unsigned long (*)(const char *))kln_kp.addr)("do_sys_openat2");
	unregister_kprobe(&kln_kp);
	open_kp.pre_handler = open_pre;
	return register_kprobe(&open_kp);
}

static void __exit kcc_exit(void)
{
	unregister_kprobe(&open_kp);
}

module_init(kcc_init);
module_exit(kcc_exit);
MODULE_LICENSE("GPL");
