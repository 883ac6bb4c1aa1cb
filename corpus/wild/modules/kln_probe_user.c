// SPDX-License-Identifier: GPL-2.0
/*
 * kln_probe_user.c - written for probe-migrator's corpus in the style of a
 * small rootkit: the probe lives in kln_probe_decl.h, this file harvests
 * its address and calls it through a local that shadows the real name.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include "kln_probe_decl.h"

typedef unsigned long (*sym_lookup_t)(const char *name);

#ifdef KLN_VIA_KPROBE
static sym_lookup_t cached_lookup;
#endif

static unsigned long find_sym(const char *name)
{
#ifdef KLN_VIA_KPROBE
	sym_lookup_t kallsyms_lookup_name;

	if (!cached_lookup) {
		register_kprobe(&kln_kp);
		cached_lookup = (sym_lookup_t)kln_kp.addr;
		unregister_kprobe(&kln_kp);
	}
	kallsyms_lookup_name = cached_lookup;
#endif
	return kallsyms_lookup_name(name);
}

static unsigned long *hidden_table;

static int __init shadow_init(void)
{
	hidden_table = (unsigned long *)find_sym("sys_call_table");
	if (!hidden_table)
		return -ENOENT;
	pr_info("shadow: found the table\n");
	return 0;
}

static void __exit shadow_exit(void)
{
}

module_init(shadow_init);
module_exit(shadow_exit);
MODULE_LICENSE("GPL");
