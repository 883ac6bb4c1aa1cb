/*
 * jprobe_fork.c - print the arguments of every do_fork() call.
 *
 * Needs a kernel with CONFIG_KPROBES (jprobes went away in 4.15).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>

/*
 * Mirror of do_fork()'s prototype; the jprobe handler gets the same
 * arguments as the probed function.
 */
static long jdo_fork(unsigned long clone_flags, unsigned long stack_start,
		     unsigned long stack_size, int __user *parent_tidptr,
		     int __user *child_tidptr)
{
	printk(KERN_INFO "jprobe: clone_flags = 0x%lx, stack_start = 0x%lx "
	       "stack_size = 0x%lx\n", clone_flags, stack_start, stack_size);

	/* Always end with a call to jprobe_return(). */
	jprobe_return();
	return 0;
}

static struct jprobe my_jprobe = {
	.entry = jdo_fork,
	.kp = {
		.symbol_name = "do_fork",
	},
};

static int __init jprobe_init(void)
{
	int ret;

	ret = register_jprobe(&my_jprobe);
	if (ret < 0) {
		printk(KERN_INFO "register_jprobe failed, returned %d\n", ret);
		return -1;
	}
	printk(KERN_INFO "Planted jprobe at %p, handler addr %p\n",
	       my_jprobe.kp.addr, my_jprobe.entry);
	return 0;
}

static void __exit jprobe_exit(void)
{
	unregister_jprobe(&my_jprobe);
	printk(KERN_INFO "jprobe at %p unregistered\n", my_jprobe.kp.addr);
}

module_init(jprobe_init)
module_exit(jprobe_exit)
MODULE_LICENSE("GPL");
