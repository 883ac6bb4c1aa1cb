/*
 * fork_watch_tut.c - put a kprobe on do_fork() and say hello every time
 * a process is created.
 *
 * Build with the usual one-line Makefile (obj-m += fork_watch_tut.o),
 * then insmod and watch dmesg.  Needs a kernel that still exports
 * kallsyms_lookup_name (anything before 5.7) and still has fault_handler.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/init.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/sched.h>

static struct kprobe kp;
static unsigned long fork_hits;

/* called just before the probed instruction is executed */
static int handler_pre(struct kprobe *p, struct pt_regs *regs)
{
	fork_hits++;
	printk(KERN_INFO "pre_handler: p->addr = 0x%p, ip = %lx, flags = 0x%lx, comm = %s\n",
	       p->addr, regs->ip, regs->flags, current->comm);
	return 0;
}

/* called after the probed instruction has been single-stepped */
static void handler_post(struct kprobe *p, struct pt_regs *regs,
			 unsigned long flags)
{
	printk(KERN_INFO "post_handler: p->addr = 0x%p, flags = 0x%lx\n",
	       p->addr, regs->flags);
}

/*
 * Called if an exception is raised inside one of the handlers or while
 * single-stepping.  Returning 0 lets the kernel handle the fault.
 */
static int handler_fault(struct kprobe *p, struct pt_regs *regs, int trapnr)
{
	printk(KERN_INFO "fault_handler: p->addr = 0x%p, trap #%d\n",
	       p->addr, trapnr);
	return 0;
}

static int __init kprobe_init(void)
{
	int ret;

	kp.pre_handler = handler_pre;
	kp.post_handler = handler_post;
	kp.fault_handler = handler_fault;
	kp.addr = (kprobe_opcode_t *) kallsyms_lookup_name("do_fork");
	if (kp.addr == NULL) {
		printk(KERN_INFO "Couldn't find do_fork to plant kprobe\n");
		return -1;
	}

	ret = register_kprobe(&kp);
	if (ret < 0) {
		printk(KERN_INFO "register_kprobe failed, returned %d\n", ret);
		return ret;
	}
	printk(KERN_INFO "Planted kprobe at %p\n", kp.addr);
	return 0;
}

static void __exit kprobe_exit(void)
{
	unregister_kprobe(&kp);
	printk(KERN_INFO "kprobe at %p unregistered, %lu forks seen\n",
	       kp.addr, fork_hits);
}

module_init(kprobe_init)
module_exit(kprobe_exit)
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Say hello on every do_fork()");
