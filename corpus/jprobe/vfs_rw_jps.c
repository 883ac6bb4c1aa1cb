/*
 * vfs_rw_jps.c - count large reads and writes with two jprobes registered
 * together through an array of pointers, as debugging modules of the 2.6
 * era did with register_jprobes().
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/fs.h>
#include <linux/atomic.h>

static atomic_t big_reads = ATOMIC_INIT(0);
static atomic_t big_writes = ATOMIC_INIT(0);

static ssize_t jvfs_read(struct file *file, char __user *buf, size_t count,
			 loff_t *pos)
{
	if (count < 65536) {
		jprobe_return();
		return 0;
	}
	atomic_inc(&big_reads);
	jprobe_return();
	return 0;
}

static ssize_t jvfs_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *pos)
{
	if (count >= 65536)
		atomic_inc(&big_writes);
	jprobe_return();
	return 0;
}

static struct jprobe read_jp = {
	.entry = jvfs_read,
	.kp.symbol_name = "vfs_read",
};

static struct jprobe write_jp = {
	.entry = jvfs_write,
	.kp.symbol_name = "vfs_write",
};

static struct jprobe *jps[] = { &read_jp, &write_jp };

static int __init rw_init(void)
{
	int ret = register_jprobes(jps, ARRAY_SIZE(jps));

	if (ret < 0)
		pr_err("vfs_rw_jps: register_jprobes: %d\n", ret);
	return ret;
}

static void __exit rw_exit(void)
{
	unregister_jprobes(jps, ARRAY_SIZE(jps));
	pr_info("vfs_rw_jps: %d big reads, %d big writes\n",
		atomic_read(&big_reads), atomic_read(&big_writes));
}

module_init(rw_init);
module_exit(rw_exit);
MODULE_LICENSE("GPL");
