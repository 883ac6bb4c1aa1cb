// SPDX-License-Identifier: GPL-2.0
/*
 * kln_trick_offset.c - written for probe-migrator's corpus in the style of
 * hook frameworks that harvest kallsyms_lookup_name from a kprobe and then
 * correct the harvested address by an offset before keeping it.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>

#define KLN_ADJUST 0

typedef unsigned long (*kln_fn)(const char *name);

static kln_fn kln;

static struct kprobe kln_kp = {
	.symbol_name = "kallsyms_lookup_name",
};

static int get_kln(void)
{
	int ret = register_kprobe(&kln_kp);

	if (ret < 0)
		return ret;
	kln = (kln_fn)((void *)kln_kp.addr - KLN_ADJUST);
	unregister_kprobe(&kln_kp);
	return 0;
}

void *lookup_target(const char *name)
{
	if (!kln && get_kln() < 0)
		return NULL;
	return (void *)kln(name);
}

static int __init hf_init(void)
{
	return lookup_target("sys_call_table") ? 0 : -ENOENT;
}

static void __exit hf_exit(void)
{
}

module_init(hf_init);
module_exit(hf_exit);
MODULE_LICENSE("GPL");
