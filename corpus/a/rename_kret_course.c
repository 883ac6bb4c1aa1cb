/*
 * rename_kret_course.c - lab 4: time vfs_unlink() and vfs_rename() with
 * kretprobes. Fill in the addresses of your own kernel before building:
 *
 *   cat /proc/kallsyms | grep -w -e vfs_unlink -e vfs_rename
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>

struct lab_data {
	ktime_t start;
};

static s64 worst_ns[2];

static int lab_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct lab_data *d = (struct lab_data *)ri->data;

	d->start = ktime_get();
	return 0;
}

static int lab_ret(struct kretprobe_instance *ri, struct pt_regs *regs, int which)
{
	struct lab_data *d = (struct lab_data *)ri->data;
	s64 ns = ktime_to_ns(ktime_sub(ktime_get(), d->start));

	if (ns > worst_ns[which])
		worst_ns[which] = ns;
	return 0;
}

static int unlink_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return lab_ret(ri, regs, 0);
}

static int rename_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return lab_ret(ri, regs, 1);
}

static struct kretprobe lab_probes[] = {
	{
		.kp.addr = (kprobe_opcode_t *)0xffffffff81378180,	/* vfs_unlink */
		.entry_handler = lab_entry,
		.handler = unlink_ret,
		.data_size = sizeof(struct lab_data),
		.maxactive = 16,
	},
	{
		.kp.addr = (kprobe_opcode_t *)0xffffffff81378da0,	/* vfs_rename */
		.entry_handler = lab_entry,
		.handler = rename_ret,
		.data_size = sizeof(struct lab_data),
		.maxactive = 16,
	},
};

static struct kretprobe *lab_list[] = { &lab_probes[0], &lab_probes[1] };

static int __init lab_init(void)
{
	int ret = register_kretprobes(lab_list, ARRAY_SIZE(lab_list));

	if (ret)
		pr_err("rename_kret_course: register_kretprobes: %d\n", ret);
	return ret;
}

static void __exit lab_exit(void)
{
	unregister_kretprobes(lab_list, ARRAY_SIZE(lab_list));
	pr_info("rename_kret_course: worst unlink %lld ns, rename %lld ns\n", worst_ns[0], worst_ns[1]);
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_LICENSE("GPL");
