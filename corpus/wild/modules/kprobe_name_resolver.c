// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe_name_resolver.c - written for probe-migrator's corpus in the style
 * of an ftrace hooking helper: register_kprobe() is used as a general
 * name-to-address service, the probe never fires.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>

struct fh_hook {
	const char *name;
	unsigned long address;
	struct ftrace_ops ops;
};

static unsigned long fh_addr_of(const char *name)
{
	struct kprobe kp = {
		.symbol_name = name,
	};
	unsigned long where;

	if (register_kprobe(&kp) < 0)
		return 0;
	where = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return where;
}

static void notrace fh_thunk(unsigned long ip, unsigned long parent_ip,
			     struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
}

static struct fh_hook fh_clone = {
	.name = "kernel_clone",
	.ops = { .func = fh_thunk, .flags = FTRACE_OPS_FL_SAVE_REGS },
};

static int __init fh_init(void)
{
	int err;

	fh_clone.address = fh_addr_of(fh_clone.name);
	if (!fh_clone.address)
		return -ENOENT;
	err = ftrace_set_filter_ip(&fh_clone.ops, fh_clone.address, 0, 0);
	if (err)
		return err;
	return register_ftrace_function(&fh_clone.ops);
}

static void __exit fh_exit(void)
{
	unregister_ftrace_function(&fh_clone.ops);
	ftrace_set_filter_ip(&fh_clone.ops, fh_clone.address, 1, 0);
}

module_init(fh_init);
module_exit(fh_exit);
MODULE_LICENSE("GPL");
