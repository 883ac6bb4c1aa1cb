/*
 * snoop.c - log open() and execve() calls system wide
 *
 * Uses jprobes so the handlers get the real arguments.  Kernels before
 * 2.6.19 can only place kprobes by address, so the two addresses below
 * must match the System.map of the running kernel:
 *
 *	grep -w -e sys_open -e do_execve /boot/System.map-`uname -r`
 *
 * Tested on 2.6.16.60 (SLES10 SP2) and 2.6.18-92 (RHEL 5.2).
 */

#include <linux/version.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(2,6,19)
#include <linux/config.h>
#endif
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/sched.h>
#include <linux/fs.h>
#include <linux/ptrace.h>

#define SYS_OPEN_ADDR		0xffffffff81172e30
#define DO_EXECVE_ADDR		0xffffffff8117f9c0

/* not declared in every vendor tree */
extern long do_fork(unsigned long clone_flags, unsigned long stack_start,
		    struct pt_regs *regs, unsigned long stack_size,
		    int __user *parent_tidptr, int __user *child_tidptr);

static int verbose = 0;
module_param(verbose, int, 0644);
MODULE_PARM_DESC(verbose, "also log every fork");

static unsigned long nr_forks, nr_exits;

/*
 * jprobe handlers: same signature as the probed function, must end
 * with jprobe_return().
 */
static asmlinkage long jsys_open(const char __user *filename, int flags, int mode)
{
	printk(KERN_INFO "snoop: %s[%d] open(%p, 0%o, 0%o)\n",
	       current->comm, current->pid, filename, flags, mode);
	jprobe_return();
	return 0;
}

static int jdo_execve(char *filename, char __user *__user *argv,
		      char __user *__user *envp, struct pt_regs *regs)
{
	printk(KERN_INFO "snoop: %s[%d] execve(%s)\n",
	       current->comm, current->pid, filename);
	jprobe_return();
	return 0;
}

static struct jprobe open_jprobe = {
	.entry		= JPROBE_ENTRY(jsys_open),
#if LINUX_VERSION_CODE < KERNEL_VERSION(2,6,19)
	.kp.addr	= (kprobe_opcode_t *) SYS_OPEN_ADDR,
#else
	.kp.symbol_name	= "sys_open",
#endif
};

static struct jprobe execve_jprobe = {
	.entry		= JPROBE_ENTRY(jdo_execve),
};

static int fork_pre(struct kprobe *p, struct pt_regs *regs)
{
	nr_forks++;
	if (verbose)
		printk(KERN_INFO "snoop: fork by %s[%d], clone_flags=%lx\n",
		       current->comm, current->pid, regs->rdi);
	return 0;
}

static void fork_post(struct kprobe *p, struct pt_regs *regs,
		      unsigned long flags)
{
}

static int exit_pre(struct kprobe *p, struct pt_regs *regs)
{
	nr_exits++;
	return 0;
}

static int snoop_fault(struct kprobe *p, struct pt_regs *regs, int trapnr)
{
	printk(KERN_WARNING "snoop: fault %d while single-stepping %p\n",
	       trapnr, p->addr);
	/* let the kernel handle it */
	return 0;
}

static struct kprobe fork_kp = {
	.pre_handler	= fork_pre,
	.post_handler	= fork_post,
	.fault_handler	= snoop_fault,
};

static struct kprobe exit_kp = {
	.pre_handler	= exit_pre,
	.fault_handler	= snoop_fault,
};

static int __init snoop_init(void)
{
	int ret;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(2,6,19)
	execve_jprobe.kp.symbol_name = "do_execve";
#else
	execve_jprobe.kp.addr = (kprobe_opcode_t *) DO_EXECVE_ADDR;
#endif
	fork_kp.addr = (kprobe_opcode_t *) do_fork;
	exit_kp.addr = (kprobe_opcode_t *) kallsyms_lookup_name("do_exit");
	if (!exit_kp.addr) {
		printk(KERN_ERR "snoop: cannot find do_exit\n");
		return -EINVAL;
	}

	if ((ret = register_jprobe(&open_jprobe)) < 0) {
		printk(KERN_ERR "snoop: register_jprobe(open) returned %d\n", ret);
		return ret;
	}
	if ((ret = register_jprobe(&execve_jprobe)) < 0) {
		printk(KERN_ERR "snoop: register_jprobe(execve) returned %d\n", ret);
		goto out_open;
	}
	if ((ret = register_kprobe(&fork_kp)) < 0) {
		printk(KERN_ERR "snoop: register_kprobe(fork) returned %d\n", ret);
		goto out_execve;
	}
	if ((ret = register_kprobe(&exit_kp)) < 0) {
		printk(KERN_ERR "snoop: register_kprobe(exit) returned %d\n", ret);
		goto out_fork;
	}

	printk(KERN_INFO "snoop: planted jprobes at %p, %p\n",
	       open_jprobe.kp.addr, execve_jprobe.kp.addr);
	return 0;

out_fork:
	unregister_kprobe(&fork_kp);
out_execve:
	unregister_jprobe(&execve_jprobe);
out_open:
	unregister_jprobe(&open_jprobe);
	return ret;
}

static void __exit snoop_exit(void)
{
	unregister_kprobe(&exit_kp);
	unregister_kprobe(&fork_kp);
	unregister_jprobe(&execve_jprobe);
	unregister_jprobe(&open_jprobe);
	printk(KERN_INFO "snoop: %lu forks, %lu exits\n", nr_forks, nr_exits);
}

module_init(snoop_init)
module_exit(snoop_exit)
MODULE_LICENSE("GPL");
