// SPDX-License-Identifier: GPL-2.0
/*
 * clean_kln_ip_logger.c - written for probe-migrator's corpus in the style of
 * a security monitor: it watches who calls the lookup function, reading
 * the name argument and printing regs->ip, but never keeps the address or
 * calls through it. Observation is not harvesting. Must stay clean.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/sched.h>

static atomic_t klog_calls = ATOMIC_INIT(0);

static int klog_pre(struct kprobe *p, struct pt_regs *regs)
{
	const char *wanted = (const char *)regs->di;

	atomic_inc(&klog_calls);
	pr_info_ratelimited("klog: %s[%d] looks up %.64s (probe ip %lx)\n",
			    current->comm, task_pid_nr(current), wanted,
			    regs->ip);
	return 0;
}

static struct kprobe klog_kp = {
	.symbol_name	= "kallsyms_lookup_name",
	.pre_handler	= klog_pre,
};

static int __init klog_init(void)
{
	int ret = register_kprobe(&klog_kp);

	if (ret < 0) {
		pr_err("klog: register_kprobe: %d\n", ret);
		return ret;
	}
	pr_info("klog: watching %s at %px\n", klog_kp.symbol_name,
		klog_kp.addr);
	return 0;
}

static void __exit klog_exit(void)
{
	unregister_kprobe(&klog_kp);
	pr_info("klog: %d lookups seen\n", atomic_read(&klog_calls));
}

module_init(klog_init);
module_exit(klog_exit);
MODULE_LICENSE("GPL");
