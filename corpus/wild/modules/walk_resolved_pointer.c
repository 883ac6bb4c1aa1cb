// SPDX-License-Identifier: GPL-2.0
/*
 * walk_resolved_pointer.c - written for probe-migrator's corpus in the style
 * of kernel-patching frameworks: the symbol walk is looked up by its name at
 * init, kept under a short name of the framework's own, and called to find
 * the compiler's variants of a function (foo.isra.0, foo.cold).
 */
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/string.h>

typedef int (*fw_each_t)(int (*fn)(void *, const char *, struct module *, unsigned long), void *data);

static fw_each_t fw_each;

struct variant {
	const char *name;
	size_t len;
	unsigned long addr;
};

static int variant_cb(void *data, const char *name, struct module *mod, unsigned long addr)
{
	struct variant *v = data;

	if (strncmp(name, v->name, v->len) || name[v->len] != '.')
		return 0;
	v->addr = addr;
	return 1;
}

void *fw_find(const char *name)
{
	struct variant v = { .name = name, .len = strlen(name) };
	unsigned long exact = kallsyms_lookup_name(name);

	if (exact)
		return (void *)exact;
	if (fw_each)
		fw_each(variant_cb, &v);
	return (void *)v.addr;
}

int fw_resolver_init(void)
{
	fw_each = (fw_each_t)kallsyms_lookup_name("kallsyms_on_each_symbol");
	return fw_each ? 0 : -ENOENT;
}
