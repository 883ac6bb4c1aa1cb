// SPDX-License-Identifier: GPL-2.0
/*
 * kln_alias_define.c - written for probe-migrator's corpus in the style of a
 * page-table editing research module: the real name is #defined to a
 * global pointer, so the harvest and later calls all read as if the
 * kernel function were used directly.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>

typedef unsigned long (*pte_kln_t)(const char *name);
static pte_kln_t pte_kln_ptr;
#define kallsyms_lookup_name pte_kln_ptr

static struct kprobe pte_kp = {
	.symbol_name = "kallsyms_lookup_name",
};

static void (*pte_flush_range)(void *mm, unsigned long start,
			       unsigned long end);

static int __init pte_init(void)
{
	register_kprobe(&pte_kp);
	kallsyms_lookup_name = (pte_kln_t)pte_kp.addr;
	unregister_kprobe(&pte_kp);

	if (!kallsyms_lookup_name) {
		pr_alert("pte: no lookup function\n");
		return -ENOSYS;
	}
	pte_flush_range = (void *)kallsyms_lookup_name("flush_tlb_mm_range");
	pr_info("pte: flush at %px\n", pte_flush_range);
	return 0;
}

static void __exit pte_exit(void)
{
}

module_init(pte_init);
module_exit(pte_exit);
MODULE_LICENSE("GPL");
