// SPDX-License-Identifier: GPL-2.0
/*
 * walk_via_pointer.c - written for probe-migrator's corpus in the style of
 * out-of-tree symbol resolvers (root-management and hook frameworks) that
 * keep a pointer to the kernel's symbol walk, taken once at init and called
 * later, and that use kallsyms_on_each_match_symbol() where it exists.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/version.h>
#include <linux/string.h>

typedef int (*sym_walk_t)(int (*fn)(void *, const char *, struct module *, unsigned long), void *data);

static sym_walk_t sym_walk;

struct want {
	const char *name;
	unsigned long addr;
};

static int on_symbol(void *data, const char *name, struct module *mod, unsigned long addr)
{
	struct want *w = data;

	if (mod || strcmp(name, w->name))
		return 0;
	w->addr = addr;
	return 1;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
static int on_match(void *data, unsigned long addr)
{
	*(unsigned long *)data = addr;
	return 1;
}
#endif

unsigned long resolve_symbol(const char *name)
{
	struct want w = { .name = name };

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
	kallsyms_on_each_match_symbol(on_match, name, &w.addr);
	if (w.addr)
		return w.addr;
#endif
	if (sym_walk)
		sym_walk(on_symbol, &w);
	return w.addr;
}

static int __init resolver_init(void)
{
	sym_walk = &kallsyms_on_each_symbol;
	return resolve_symbol("sys_call_table") ? 0 : -ENOENT;
}

static void __exit resolver_exit(void)
{
}

module_init(resolver_init);
module_exit(resolver_exit);
MODULE_LICENSE("GPL");
