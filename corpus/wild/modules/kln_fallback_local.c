// SPDX-License-Identifier: GPL-2.0
/*
 * kln_fallback_local.c - written for probe-migrator's corpus in the style of
 * an HPC memory-manager module: the return probe's address comes from one
 * local that is filled by a lookup of the plain name and, failing that,
 * by a lookup of a compiler clone of the function.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>

static int cp_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (IS_ERR((void *)regs_return_value(regs)))
		pr_debug("cp: copy failed\n");
	return 0;
}

static struct kretprobe cp_probe;

static int __init cp_init(void)
{
	unsigned long where;

	where = kallsyms_lookup_name("copy_process");
	if (!where)
		where = kallsyms_lookup_name("copy_process.isra.0");
	if (!where)
		return -ENOENT;

	cp_probe.kp.addr = (kprobe_opcode_t *)where;
	cp_probe.handler = cp_ret;
	cp_probe.maxactive = 16;
	return register_kretprobe(&cp_probe);
}

static void __exit cp_exit(void)
{
	unregister_kretprobe(&cp_probe);
}

module_init(cp_init);
module_exit(cp_exit);
MODULE_LICENSE("GPL");
