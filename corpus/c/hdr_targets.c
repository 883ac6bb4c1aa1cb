// SPDX-License-Identifier: GPL-2.0
/*
 * hdr_targets.c - fsync/truncate watcher. The addresses come from the header
 * gensyms.sh generates out of System.map at build time; the lookup function
 * is found with the kprobe trick, its name from the same header.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include "hdr_syms.h"

typedef unsigned long (*lookup_fn)(const char *name);
static lookup_fn lookup;
static unsigned long fsyncs, truncates;

static struct kprobe lookup_kp = {
	.symbol_name = LOOKUP_NAME,
};

static int fsync_pre(struct kprobe *p, struct pt_regs *regs)
{
	fsyncs++;
	return 0;
}

static int trunc_pre(struct kprobe *p, struct pt_regs *regs)
{
	truncates++;
	return 0;
}

static struct kprobe fsync_kp = {
	.addr = (kprobe_opcode_t *)sysmap_vfs_fsync,
	.pre_handler = fsync_pre,
};

static struct kprobe trunc_kp;

static int __init hdr_targets_init(void)
{
	int ret;

	if (register_kprobe(&lookup_kp) == 0) {
		lookup = (lookup_fn)lookup_kp.addr;
		unregister_kprobe(&lookup_kp);
	}
	pr_info("hdr_targets: lookup at %px\n", lookup);

	trunc_kp.addr = (kprobe_opcode_t *)sysmap_do_truncate;
	trunc_kp.pre_handler = trunc_pre;

	ret = register_kprobe(&fsync_kp);
	if (ret)
		return ret;
	ret = register_kprobe(&trunc_kp);
	if (ret)
		unregister_kprobe(&fsync_kp);
	return ret;
}

static void __exit hdr_targets_exit(void)
{
	unregister_kprobe(&trunc_kp);
	unregister_kprobe(&fsync_kp);
	pr_info("hdr_targets: %lu fsyncs, %lu truncates\n", fsyncs, truncates);
}

module_init(hdr_targets_init);
module_exit(hdr_targets_exit);
MODULE_LICENSE("GPL");
