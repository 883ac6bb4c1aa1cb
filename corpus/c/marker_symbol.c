// SPDX-License-Identifier: GPL-2.0
/*
 * Written for probe-migrator's corpus: kprobes placed relative to the start of the kernel
 * image, the shape a mechanical rewrite of kallsyms_lookup_name("_text") + OFF leaves behind.
 * The offsets were measured on one build; the third probe is fine.
 */
#include <linux/module.h>
#include <linux/kprobes.h>

static int pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

static struct kprobe clone_kp = {
	.symbol_name = "_text",
	.offset = 0xa0a60,
	.pre_handler = pre,
};

static struct kprobe open_kp = {
	.symbol_name = "_stext",
	.offset = 0x363fb1,
	.pre_handler = pre,
};

static struct kprobe read_kp = {
	.symbol_name = "vfs_read",
	.pre_handler = pre,
};

static int __init marker_init(void)
{
	int ret;

	ret = register_kprobe(&clone_kp);
	if (ret)
		return ret;
	ret = register_kprobe(&open_kp);
	if (ret)
		goto out_clone;
	ret = register_kprobe(&read_kp);
	if (ret)
		goto out_open;
	return 0;
out_open:
	unregister_kprobe(&open_kp);
out_clone:
	unregister_kprobe(&clone_kp);
	return ret;
}

static void __exit marker_exit(void)
{
	unregister_kprobe(&read_kp);
	unregister_kprobe(&open_kp);
	unregister_kprobe(&clone_kp);
}

module_init(marker_init);
module_exit(marker_exit);
MODULE_LICENSE("GPL");
