// SPDX-License-Identifier: GPL-2.0
/*
 * clean_symbol_param.c - written for probe-migrator's corpus in the style of
 * a course assignment done right: the probed function is a module
 * parameter given by NAME, probes are located with .symbol_name/.offset,
 * and .addr is only cleared and printed. Must stay clean.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>

static char target[KSYM_NAME_LEN] = "vfs_fsync_range";
module_param_string(target, target, sizeof(target), 0444);
static unsigned int skip;
module_param(skip, uint, 0444);

struct sample_dev {
	unsigned long addr;	/* a device register, not a probe */
	unsigned int hits;
};

static struct sample_dev sdev = { .addr = 0xfed40000 };

static int cs_pre(struct kprobe *p, struct pt_regs *regs)
{
	sdev.hits++;
	return 0;
}

static int cs_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static struct kprobe cs_kp = {
	.symbol_name	= target,
	.pre_handler	= cs_pre,
};

static struct kretprobe cs_rp = {
	.kp.symbol_name	= target,
	.handler	= cs_ret,
	.maxactive	= 8,
};

static int __init cs_init(void)
{
	int ret;

	cs_kp.offset = skip;
	cs_kp.addr = NULL;
	ret = register_kprobe(&cs_kp);
	if (ret)
		return ret;
	ret = register_kretprobe(&cs_rp);
	if (ret) {
		unregister_kprobe(&cs_kp);
		return ret;
	}
	pr_info("cs: %s+%u at %px\n", target, skip, cs_kp.addr);
	return 0;
}

static void __exit cs_exit(void)
{
	unregister_kretprobe(&cs_rp);
	unregister_kprobe(&cs_kp);
	pr_info("cs: %u hits, dev at %lx\n", sdev.hits, sdev.addr);
}

module_init(cs_init);
module_exit(cs_exit);
MODULE_LICENSE("GPL");
