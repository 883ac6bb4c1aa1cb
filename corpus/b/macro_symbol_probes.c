// SPDX-License-Identifier: GPL-2.0
/*
 * nstrace.c - log namespace-changing VFS operations (unlink, mkdir,
 * truncate) with the calling task.
 */
#define pr_fmt(fmt) "nstrace: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/sched.h>

#define DEFINE_SYM_PROBE(name, sym)					\
	static struct kprobe name = {					\
		.symbol_name	= sym,					\
		.pre_handler	= name##_pre,				\
	}

#define DEFINE_SYM_PROBE_AT(name, sym, off)				\
	static struct kprobe name = {					\
		.symbol_name	= sym,					\
		.offset		= (off),				\
		.pre_handler	= name##_pre,				\
	}

#define DEFINE_SYM_RETPROBE(name, sym, max)				\
	static struct kretprobe name = {				\
		.kp.symbol_name	= sym,					\
		.handler	= name##_ret,				\
		.maxactive	= (max),				\
	}

static int unlink_kp_pre(struct kprobe *p, struct pt_regs *regs)
{
	pr_info("%s[%d] unlink\n", current->comm, task_pid_nr(current));
	return 0;
}

static int mkdir_kp_pre(struct kprobe *p, struct pt_regs *regs)
{
	pr_info("%s[%d] mkdir\n", current->comm, task_pid_nr(current));
	return 0;
}

static int rename_kp_pre(struct kprobe *p, struct pt_regs *regs)
{
	pr_info("%s[%d] rename\n", current->comm, task_pid_nr(current));
	return 0;
}

static int truncate_rp_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	long rc = regs_return_value(regs);

	if (rc)
		pr_info("%s[%d] truncate -> %ld\n", current->comm,
			task_pid_nr(current), rc);
	return 0;
}

DEFINE_SYM_PROBE(unlink_kp, "do_unlinkat");
DEFINE_SYM_PROBE(mkdir_kp, "do_mkdirat");
DEFINE_SYM_PROBE_AT(rename_kp, "do_renameat2", 0x4);
DEFINE_SYM_RETPROBE(truncate_rp, "do_truncate", 16);

static struct kprobe *kps[] = { &unlink_kp, &mkdir_kp, &rename_kp };

static int __init nstrace_init(void)
{
	int ret;

	ret = register_kprobes(kps, ARRAY_SIZE(kps));
	if (ret) {
		pr_err("register_kprobes: %d\n", ret);
		return ret;
	}
	ret = register_kretprobe(&truncate_rp);
	if (ret) {
		pr_err("register_kretprobe(%s): %d\n",
		       truncate_rp.kp.symbol_name, ret);
		unregister_kprobes(kps, ARRAY_SIZE(kps));
		return ret;
	}
	pr_info("unlink at %px, mkdir at %px, truncate at %px\n",
		unlink_kp.addr, mkdir_kp.addr, truncate_rp.kp.addr);
	return 0;
}

static void __exit nstrace_exit(void)
{
	unregister_kretprobe(&truncate_rp);
	unregister_kprobes(kps, ARRAY_SIZE(kps));
	pr_info("truncate: missed %d instances\n", truncate_rp.nmissed);
}

module_init(nstrace_init);
module_exit(nstrace_exit);
MODULE_LICENSE("GPL");
