// SPDX-License-Identifier: GPL-2.0
/*
 * fsyncwatch - count fsync()s per task and report slow ones.
 *
 * The first version of this module hard-coded the address it found in
 * /proc/kallsyms (kp.addr = (kprobe_opcode_t *)0xffffffff813abde0;) and
 * broke on every reboot with KASLR.  Since 5.7 kallsyms_lookup_name() is
 * gone for modules as well, so let the kprobe core resolve the name.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/sched.h>

static unsigned long slow_ns = 10 * NSEC_PER_MSEC;
module_param(slow_ns, ulong, 0644);

struct fsync_data {
	u64 t0;
};

static int fsync_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct fsync_data *d = (struct fsync_data *)ri->data;

	d->t0 = ktime_get_ns();
	return 0;
}

static int fsync_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct fsync_data *d = (struct fsync_data *)ri->data;
	u64 dt = ktime_get_ns() - d->t0;

	if (dt >= slow_ns)
		pr_info("fsyncwatch: %s[%d] took %llu us\n", current->comm,
			task_pid_nr(current), dt / NSEC_PER_USEC);
	return 0;
}

static struct kretprobe fsync_rp = {
	.kp.symbol_name	= "vfs_fsync_range",
	.entry_handler	= fsync_entry,
	.handler	= fsync_ret,
	.data_size	= sizeof(struct fsync_data),
	.maxactive	= 64,
};

static int __init fsyncwatch_init(void)
{
	int ret = register_kretprobe(&fsync_rp);

	if (ret < 0) {
		pr_err("fsyncwatch: register_kretprobe failed (%d); is vfs_fsync_range listed in /proc/kallsyms?\n",
		       ret);
		return ret;
	}
	pr_info("fsyncwatch: planted at %px (compare with the vfs_fsync_range line of /proc/kallsyms or System.map)\n",
		fsync_rp.kp.addr);
	return 0;
}

static void __exit fsyncwatch_exit(void)
{
	unregister_kretprobe(&fsync_rp);
	pr_info("fsyncwatch: missed %d probes\n", fsync_rp.nmissed);
}

module_init(fsyncwatch_init);
module_exit(fsyncwatch_exit);
MODULE_LICENSE("GPL");
