/*
 * write_args.c - log the buffer and length every vfs_write() gets from the
 * guest program pm-args (verify --boot's behavioural check), with a jprobe in
 * the classic style: the handler mirrors vfs_write()'s prototype.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/string.h>

static ssize_t jvfs_write(struct file *file, const char __user *buf, size_t count, loff_t *pos)
{
	if (strcmp(current->comm, "pm-args") == 0)
		pr_info("pm-args: vfs_write buf=0x%lx count=%zu\n", (unsigned long)buf, count);
	jprobe_return();
	return 0;
}

static struct jprobe write_jp = {
	.entry = jvfs_write,
	.kp = {
		.symbol_name = "vfs_write",
	},
};

static int __init write_args_init(void)
{
	return register_jprobe(&write_jp);
}

static void __exit write_args_exit(void)
{
	unregister_jprobe(&write_jp);
}

module_init(write_args_init);
module_exit(write_args_exit);
MODULE_LICENSE("GPL");
