// SPDX-License-Identifier: GPL-2.0
/*
 * ext4lat - watch ext4 writeback and jbd2 commits on the lab kernel.
 *
 * The hooks sit inside static functions of ext4/jbd2 that are not
 * exported, so the offsets below are relative to the start of each
 * module's core text (from `objdump -d ext4.ko` for the running build).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/version.h>

#define JBD2_COMMIT_OFF		0x6b30
#define EXT4_SYNC_OFF		0x2f18

static unsigned long resolve_in_module(const char *modname, unsigned long off);

static atomic64_t writepages_calls = ATOMIC64_INIT(0);
static atomic64_t commit_ns = ATOMIC64_INIT(0);
static atomic64_t syncs = ATOMIC64_INIT(0);

struct commit_stamp {
	ktime_t t0;
};

static int writepages_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic64_inc(&writepages_calls);
	return 0;
}

static int sync_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic64_inc(&syncs);
	return 0;
}

static int commit_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct commit_stamp *st = (struct commit_stamp *)ri->data;

	st->t0 = ktime_get();
	return 0;
}

static int commit_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct commit_stamp *st = (struct commit_stamp *)ri->data;

	atomic64_add(ktime_to_ns(ktime_sub(ktime_get(), st->t0)), &commit_ns);
	return 0;
}

static struct kprobe writepages_kp = {
	.pre_handler = writepages_pre,
};

static struct kprobe sync_kp = {
	.pre_handler = sync_pre,
};

static struct kretprobe commit_rp = {
	.entry_handler	= commit_entry,
	.handler	= commit_ret,
	.data_size	= sizeof(struct commit_stamp),
	.maxactive	= 8,
};

/*
 * Base of the module's core text plus an offset.  Returns 0 if the module
 * is not loaded.
 */
static unsigned long resolve_in_module(const char *modname, unsigned long off)
{
	struct module *mod;
	unsigned long base = 0;

	mutex_lock(&module_mutex);
	mod = find_module(modname);
	if (mod) {
#if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 5, 0)
		base = (unsigned long)mod->core_layout.base;
#else
		base = (unsigned long)mod->module_core;
#endif
	}
	mutex_unlock(&module_mutex);

	return base ? base + off : 0;
}

static int __init ext4lat_init(void)
{
	unsigned long where;
	int ret;

	writepages_kp.addr = (kprobe_opcode_t *)resolve_in_module("ext4", 0x1c40);
	if (!writepages_kp.addr) {
		pr_err("ext4lat: ext4 not loaded\n");
		return -ENODEV;
	}

	where = resolve_in_module("ext4", EXT4_SYNC_OFF);
	sync_kp.addr = (kprobe_opcode_t *)where;

	where = resolve_in_module("jbd2", JBD2_COMMIT_OFF);
	if (!where) {
		pr_err("ext4lat: jbd2 not loaded\n");
		return -ENODEV;
	}
	commit_rp.kp.addr = (kprobe_opcode_t *)where;

	ret = register_kprobe(&writepages_kp);
	if (ret < 0)
		return ret;
	ret = register_kprobe(&sync_kp);
	if (ret < 0)
		goto err_sync;
	ret = register_kretprobe(&commit_rp);
	if (ret < 0)
		goto err_commit;
	return 0;

err_commit:
	unregister_kprobe(&sync_kp);
err_sync:
	unregister_kprobe(&writepages_kp);
	return ret;
}

static void __exit ext4lat_exit(void)
{
	unregister_kretprobe(&commit_rp);
	unregister_kprobe(&sync_kp);
	unregister_kprobe(&writepages_kp);
	pr_info("ext4lat: writepages=%lld syncs=%lld commit_ns=%lld\n",
		atomic64_read(&writepages_calls), atomic64_read(&syncs),
		atomic64_read(&commit_ns));
}

module_init(ext4lat_init);
module_exit(ext4lat_exit);
MODULE_LICENSE("GPL");
