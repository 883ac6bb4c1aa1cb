/*
 * rw_bytes_kret.c -- sum the bytes returned by vfs_read() and vfs_write()
 *
 * Quick hack for the storage lab: totals are printed on unload.
 * Addresses are from System.map (6.1.0-56-amd64, nokaslr):
 *
 *	ffffffff813669e0 T vfs_read
 *	ffffffff81367160 T vfs_write
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/atomic.h>

static atomic64_t bytes_read = ATOMIC64_INIT(0);
static atomic64_t bytes_written = ATOMIC64_INIT(0);

static int read_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	long n = (long)regs_return_value(regs);

	if (n > 0)
		atomic64_add(n, &bytes_read);
	return 0;
}

static int write_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	long n = (long)regs_return_value(regs);

	if (n > 0)
		atomic64_add(n, &bytes_written);
	return 0;
}

static struct kretprobe read_rp = {
	.kp.addr	= (kprobe_opcode_t *)0xffffffff813669e0,
	.handler	= read_ret,
	.maxactive	= 32,
};

static struct kretprobe write_rp = {
	.kp = {
		.addr	= (kprobe_opcode_t *)0xffffffff81367160,
		.flags	= 0,
	},
	.handler	= write_ret,
	.maxactive	= 32,
};

static struct kretprobe *rw_probes[] = { &read_rp, &write_rp };

static int __init rw_bytes_init(void)
{
	int ret = register_kretprobes(rw_probes, ARRAY_SIZE(rw_probes));

	if (ret) {
		pr_err("rw_bytes: register_kretprobes failed (%d)\n", ret);
		return ret;
	}
	pr_info("rw_bytes: loaded\n");
	return 0;
}

static void __exit rw_bytes_exit(void)
{
	unregister_kretprobes(rw_probes, ARRAY_SIZE(rw_probes));
	pr_info("rw_bytes: read %lld bytes, wrote %lld bytes (missed %d/%d)\n",
		(long long)atomic64_read(&bytes_read),
		(long long)atomic64_read(&bytes_written),
		read_rp.nmissed, write_rp.nmissed);
}

module_init(rw_bytes_init);
module_exit(rw_bytes_exit);
MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("storage lab");
