/*
 * forkexit.c - trace process creation and exit with jprobes.
 * For 2.6.x kernels.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/sched.h>

static long jdo_fork(unsigned long clone_flags, unsigned long stack_start,
		     struct pt_regs *regs, unsigned long stack_size,
		     int __user *parent_tidptr, int __user *child_tidptr)
{
	printk(KERN_DEBUG "forkexit: %s[%d] fork flags=%08lx\n",
	       current->comm, current->pid, clone_flags);
	jprobe_return();
	/*NOTREACHED*/
	return 0;
}

static void jdo_exit(long code)
{
	printk(KERN_DEBUG "forkexit: %s[%d] exit code=%ld\n",
	       current->comm, current->pid, code);
	jprobe_return();
}

static struct jprobe fork_jp = {
	.entry = (kprobe_opcode_t *) jdo_fork
};

static struct jprobe exit_jp = {
	.entry = (kprobe_opcode_t *) jdo_exit,
	.kp.symbol_name = "do_exit",
};

static int __init forkexit_init(void)
{
	int ret;

	fork_jp.kp.addr = (kprobe_opcode_t *) kallsyms_lookup_name("do_fork");
	if (!fork_jp.kp.addr) {
		printk(KERN_ERR "forkexit: couldn't find do_fork\n");
		return -1;
	}

	if ((ret = register_jprobe(&fork_jp)) < 0) {
		printk(KERN_ERR "forkexit: register_jprobe(fork) = %d\n", ret);
		return -1;
	}
	if ((ret = register_jprobe(&exit_jp)) < 0) {
		printk(KERN_ERR "forkexit: register_jprobe(exit) = %d\n", ret);
		unregister_jprobe(&fork_jp);
		return -1;
	}
	printk(KERN_INFO "forkexit: fork hook at %p, exit hook at %p\n",
	       fork_jp.kp.addr, exit_jp.kp.addr);
	return 0;
}

static void __exit forkexit_exit(void)
{
	unregister_jprobe(&exit_jp);
	unregister_jprobe(&fork_jp);
}

module_init(forkexit_init);
module_exit(forkexit_exit);
MODULE_LICENSE("GPL");
