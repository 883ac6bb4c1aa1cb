/*
 * proc_lifecycle.c - log fork and exec on old and not-so-old kernels.
 *
 * Kernels before 2.6.19 have no kprobe.symbol_name, so there we fall
 * back to looking the address up ourselves.
 *
 * Copyright (C) 2008 Sys Admin Tools Project
 */
#include <linux/version.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(2,6,19)
#include <linux/kallsyms.h>
#endif

static int fork_pre(struct kprobe *p, struct pt_regs *regs)
{
	printk(KERN_INFO "lifecycle: fork from %s (%d)\n",
	       current->comm, current->pid);
	return 0;
}

static int exec_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	long rc = (long)regs_return_value(regs);

	printk(KERN_INFO "lifecycle: exec by %d -> %s (%ld)\n",
	       current->pid, current->comm, rc);
	return 0;
}

static struct kprobe fork_kp = {
	.pre_handler = fork_pre,
};

static struct kretprobe exec_rp = {
	.handler = exec_ret,
	.maxactive = 10,
};

static int __init lifecycle_init(void)
{
	int ret;

#if LINUX_VERSION_CODE < KERNEL_VERSION(2,6,19)
	fork_kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_fork");
#else
	fork_kp.symbol_name = "do_fork";
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(2,6,19)
	exec_rp.kp.symbol_name = "do_execve";
#else
	exec_rp.kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_execve");
#endif

	ret = register_kprobe(&fork_kp);
	if (ret < 0) {
		printk(KERN_ERR "lifecycle: register_kprobe: %d\n", ret);
		return ret;
	}

	ret = register_kretprobe(&exec_rp);
	if (ret < 0) {
		printk(KERN_ERR "lifecycle: register_kretprobe: %d\n", ret);
		unregister_kprobe(&fork_kp);
		return ret;
	}

	printk(KERN_INFO "lifecycle: fork probe at %p, exec probe at %p\n",
	       fork_kp.addr, exec_rp.kp.addr);
	return 0;
}

static void __exit lifecycle_exit(void)
{
	unregister_kretprobe(&exec_rp);
	unregister_kprobe(&fork_kp);
	printk(KERN_INFO "lifecycle: unloaded\n");
}

module_init(lifecycle_init);
module_exit(lifecycle_exit);
MODULE_LICENSE("GPL");
