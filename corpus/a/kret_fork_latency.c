/*
 * kret_fork_latency.c - measure how long _do_fork() takes and report the
 * new pid it returned.
 *
 * Based on the kretprobe example shipped with the kernel, adapted for
 * 5.x kernels where the function is still called _do_fork.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/sched.h>

static char func_name[NAME_MAX] = "_do_fork";

/* per-instance private data */
struct my_data {
	ktime_t entry_stamp;
};

static int entry_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct my_data *data;

	if (!current->mm)
		return 1;	/* skip kernel threads */

	data = (struct my_data *)ri->data;
	data->entry_stamp = ktime_get();
	return 0;
}

static int ret_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long retval = regs_return_value(regs);
	struct my_data *data = (struct my_data *)ri->data;
	s64 delta;
	ktime_t now;

	now = ktime_get();
	delta = ktime_to_ns(ktime_sub(now, data->entry_stamp));
	printk(KERN_INFO "%s returned %lu and took %lld ns to execute\n",
	       func_name, retval, (long long)delta);
	return 0;
}

static struct kretprobe my_kretprobe = {
	.handler	= ret_handler,
	.entry_handler	= entry_handler,
	.data_size	= sizeof(struct my_data),
	/* Probe up to 20 instances concurrently. */
	.maxactive	= 20,
};

static int __init kretprobe_init(void)
{
	int ret;

	my_kretprobe.kp.addr =
		(kprobe_opcode_t *)kallsyms_lookup_name(func_name);
	if (!my_kretprobe.kp.addr) {
		printk(KERN_ERR "kret_fork_latency: %s not found\n", func_name);
		return -ENOENT;
	}

	ret = register_kretprobe(&my_kretprobe);
	if (ret < 0) {
		printk(KERN_ERR "register_kretprobe failed, returned %d\n", ret);
		return -1;
	}
	printk(KERN_INFO "Planted return probe at %s: %p\n",
	       func_name, my_kretprobe.kp.addr);
	return 0;
}

static void __exit kretprobe_exit(void)
{
	unregister_kretprobe(&my_kretprobe);
	printk(KERN_INFO "kretprobe at %p unregistered\n",
	       my_kretprobe.kp.addr);

	/* nmissed > 0 suggests that maxactive was set too low. */
	printk(KERN_INFO "Missed probing %d instances of %s\n",
	       my_kretprobe.nmissed, func_name);
}

module_init(kretprobe_init)
module_exit(kretprobe_exit)
MODULE_LICENSE("GPL");
