// SPDX-License-Identifier: GPL-2.0
/*
 * fstrace.c - count VFS calls per function and log slow fsyncs
 *
 * Per-function counters: /sys/module/fstrace/parameters/stats (read).
 */
#define pr_fmt(fmt) "fstrace: " fmt

#include <linux/module.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/kprobes.h>

#include "fsprobe_common.h"

/* ext4_sync_file in the 5.15.0-91-generic build we run in production */
#define FS_SYNC_FALLBACK	0xffffffff8146e2d0UL

static unsigned long fsync_addr;
module_param(fsync_addr, ulong, 0400);
MODULE_PARM_DESC(fsync_addr, "address to use for vfs_fsync_range");

static bool watch_sync = true;
module_param(watch_sync, bool, 0400);

static int fs_pre(struct kprobe *p, struct pt_regs *regs);

static struct fsprobe probes[] = {
	FSPROBE(vfs_read, fs_pre),
	FSPROBE(vfs_write, fs_pre),
	FSPROBE(vfs_fsync_range, fs_pre),
	FSPROBE(vfs_iter_write, fs_pre),
};

#define NR_EVENTS 256
static struct fs_event events[NR_EVENTS];
static unsigned int ev_head;
static DEFINE_SPINLOCK(ev_lock);

static struct fs_watch *sync_watch;

static int fs_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct fsprobe *fp = container_of(p, struct fsprobe, kp);
	struct file *file = (struct file *)regs_get_kernel_argument(regs, 0);
	struct fs_event *ev;
	unsigned long flags;

	atomic64_inc(&fp->hits);
	if (!file || !file->f_inode)
		return 0;

	spin_lock_irqsave(&ev_lock, flags);
	ev = &events[ev_head++ % NR_EVENTS];
	ev->addr = (unsigned long)p->addr;
	ev->dev = file->f_inode->i_sb->s_dev;
	ev->ino = file->f_inode->i_ino;
	ev->len = 0;
	spin_unlock_irqrestore(&ev_lock, flags);
	return 0;
}

static int sync_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct fs_watch *w = container_of(p, struct fs_watch, probe);

	w->count++;
	return 0;
}

static int stats_get(char *buf, const struct kernel_param *kp)
{
	int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(probes); i++)
		n += scnprintf(buf + n, PAGE_SIZE - n, "%-20s %lld\n", probes[i].func,
			       (long long)atomic64_read(&probes[i].hits));
	if (sync_watch)
		n += scnprintf(buf + n, PAGE_SIZE - n, "%-20s %lu\n", "sync",
			       sync_watch->count);
	return n;
}

static const struct kernel_param_ops stats_ops = {
	.get = stats_get,
};
module_param_cb(stats, &stats_ops, NULL, 0444);

static int __init fstrace_init(void)
{
	int i, ret, armed = 0;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		struct fsprobe *fp = &probes[i];

		if (fsync_addr && !strcmp(fp->func, "vfs_fsync_range")) {
			probes[i].kp.addr = (kprobe_opcode_t *)fsync_addr;
		} else {
			fp->kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name(fp->func);
			if (!fp->kp.addr) {
				pr_warn("%s: not found\n", fp->func);
				continue;
			}
		}
		ret = register_kprobe(&fp->kp);
		if (ret < 0) {
			pr_warn("%s: register_kprobe: %d\n", fp->func, ret);
			fp->kp.addr = NULL;
			continue;
		}
		fp->flags |= FSPROBE_F_ARMED;
		armed++;
	}

	if (watch_sync) {
		sync_watch = kzalloc(sizeof(*sync_watch), GFP_KERNEL);
		if (!sync_watch) {
			ret = -ENOMEM;
			goto fail;
		}
		sync_watch->probe.addr = (kprobe_opcode_t *)FS_SYNC_FALLBACK;
		sync_watch->probe.pre_handler = sync_pre;
		ret = register_kprobe(&sync_watch->probe);
		if (ret < 0) {
			pr_warn("sync watch: %d\n", ret);
			kfree(sync_watch);
			sync_watch = NULL;
		}
	}

	pr_info("%d of %zu probes armed\n", armed, ARRAY_SIZE(probes));
	return 0;

fail:
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		fsprobe_disarm(&probes[i]);
	return ret;
}

static void __exit fstrace_exit(void)
{
	int i;

	if (sync_watch) {
		unregister_kprobe(&sync_watch->probe);
		kfree(sync_watch);
	}
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		fsprobe_disarm(&probes[i]);
}

module_init(fstrace_init);
module_exit(fstrace_exit);
MODULE_LICENSE("GPL");
