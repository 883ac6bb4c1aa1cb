// SPDX-License-Identifier: GPL-2.0
/*
 * kln_charp_param.c - written for probe-migrator's corpus in the style of
 * tracing-framework ports whose load script greps /proc/kallsyms and passes
 * the address in as a string parameter, which the driver parses and keeps as
 * its kallsyms_lookup_name.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static char *lookup_addr_str;
module_param(lookup_addr_str, charp, 0444);
MODULE_PARM_DESC(lookup_addr_str, "address of kallsyms_lookup_name, as hex");

static unsigned long (*lookup_fn)(const char *name);

static int __init port_init(void)
{
	void *table;

	if (!lookup_addr_str) {
		pr_err("need lookup_addr_str=<hex> (grep kallsyms_lookup_name /proc/kallsyms)\n");
		return -EINVAL;
	}
	lookup_fn = (unsigned long (*)(const char *))simple_strtoul(lookup_addr_str, NULL, 16);
	table = (void *)lookup_fn("sys_call_table");
	pr_info("table at %px\n", table);
	return 0;
}

static void __exit port_exit(void)
{
}

module_init(port_init);
module_exit(port_exit);
MODULE_LICENSE("GPL");
