// SPDX-License-Identifier: GPL-2.0
/*
 * standin_calls.c - written for probe-migrator's corpus in the style of
 * endpoint-security drivers whose symbol helper lives in another file (a
 * kallsyms_lookup_name reached some other way, under the driver's own
 * prefix) and whose integrity checks call it for each table they inspect.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include "standin_syms.h"

struct table_ref {
	const char *name;
	void *where;
};

static struct table_ref tables[3];

int find_tables(void)
{
	tables[0].name = "sys_call_table";
	tables[0].where = (void *)xdr_kallsyms_lookup_name("sys_call_table");
	tables[1].name = "idt_table";
	tables[1].where = (void *)xdr_kallsyms_lookup_name(tables[1].name);
#ifdef CONFIG_IA32_EMULATION
	tables[2].name = "ia32_sys_call_table";
	tables[2].where = (void *)xdr_kallsyms_lookup_name("ia32_sys_call_table");
#endif
	return tables[0].where ? 0 : -ENOENT;
}

int check_module_kset(void)
{
	struct kset *ks = (struct kset *)xdr_kallsyms_lookup_name("module_kset");

	return ks ? 0 : -ENOENT;
}
