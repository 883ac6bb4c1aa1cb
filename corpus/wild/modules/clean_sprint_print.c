// SPDX-License-Identifier: GPL-2.0
/*
 * clean_sprint_print.c - written for probe-migrator's corpus in the style of
 * a debugging module for an old bug: it names the caller of the probed
 * function with sprint_symbol() only to print it. Reverse lookups used for
 * printing are not hand resolution. Must stay clean.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/ratelimit.h>

static DEFINE_RATELIMIT_STATE(dbg_rs, HZ, 10);

static int dbg_pre(struct kprobe *p, struct pt_regs *regs)
{
	char who[KSYM_SYMBOL_LEN];
	unsigned long ra = *(unsigned long *)kernel_stack_pointer(regs);

	if (!__ratelimit(&dbg_rs))
		return 0;
	sprint_symbol(who, ra);
	pr_info("dbg: %s called from %s (ip %pS)\n",
		p->symbol_name, who, (void *)instruction_pointer(regs));
	return 0;
}

static struct kprobe dbg_kp = {
	.symbol_name	= "blk_mq_end_request",
	.pre_handler	= dbg_pre,
};

static int __init dbg_init(void)
{
	int ret = register_kprobe(&dbg_kp);

	if (ret)
		return ret;
	pr_info("dbg: armed at %pS\n", dbg_kp.addr);
	return 0;
}

static void __exit dbg_exit(void)
{
	unregister_kprobe(&dbg_kp);
}

module_init(dbg_init);
module_exit(dbg_exit);
MODULE_LICENSE("GPL");
