// SPDX-License-Identifier: GPL-2.0
/*
 * sprint_scan_kln.c - written for probe-migrator's corpus in the style of a
 * kernel-inspection driver's last-resort resolver: starting at an exported
 * function, walk backwards asking sprint_symbol() for names until the
 * lookup function turns up, then call it.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/string.h>

#define KLN_LABEL	"kallsyms_lookup_name+"

static unsigned long (*scan_kln)(const char *name);

static unsigned long scan_for_kln(void)
{
	char buf[KSYM_SYMBOL_LEN];
	unsigned long pc = (unsigned long)sprint_symbol;
	unsigned long stop = pc - 0x40000;
	unsigned long off;
	char *plus;

	while (pc > stop) {
		if (sprint_symbol(buf, pc) <= 0)
			break;
		plus = strchr(buf, '+');
		if (!plus || sscanf(plus, "+%lx", &off) != 1)
			break;
		pc -= off;
		if (!strncmp(buf, KLN_LABEL, sizeof(KLN_LABEL) - 1))
			return pc;
		pc--;
	}
	return 0;
}

static void *inspect_table;

static int __init inspect_init(void)
{
	scan_kln = (void *)scan_for_kln();
	if (!scan_kln)
		return -ENOENT;
	inspect_table = (void *)scan_kln("sys_call_table");
	pr_info("inspect: table at %px\n", inspect_table);
	return 0;
}

static void __exit inspect_exit(void)
{
}

module_init(inspect_init);
module_exit(inspect_exit);
MODULE_LICENSE("GPL");
