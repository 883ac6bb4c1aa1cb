// SPDX-License-Identifier: GPL-2.0
/*
 * walk_fn_pointers.c - written for probe-migrator's corpus in the style of
 * root-management kernel modules whose symbol resolver receives pointers to
 * the kernel's symbol walks from their loader (resolved elsewhere) and calls
 * them under names of their own.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>

typedef int (*each_symbol_t)(int (*fn)(void *, const char *, struct module *, unsigned long), void *data);
typedef int (*each_match_t)(int (*fn)(void *, unsigned long), const char *name, void *data);

static each_symbol_t kallsyms_on_each_symbol_fn;
static each_match_t kallsyms_on_each_match_symbol_fn;

struct variant_ctx {
	const char *name;
	size_t len;
	unsigned long match;
};

void resolver_setup(unsigned long (*lookup)(const char *name))
{
	kallsyms_on_each_symbol_fn = (each_symbol_t)lookup("kallsyms_on_each_symbol");
	kallsyms_on_each_match_symbol_fn = (each_match_t)lookup("kallsyms_on_each_match_symbol");
}

static int exact_cb(void *data, unsigned long addr)
{
	*(unsigned long *)data = addr;
	return 1;
}

/* "foo.cold", "foo.isra.0": a compiler variant of the name */
static int variant_cb(void *data, const char *name, struct module *mod, unsigned long addr)
{
	struct variant_ctx *ctx = data;

	if (mod || strncmp(name, ctx->name, ctx->len) || name[ctx->len] != '.')
		return 0;
	ctx->match = addr;
	return 1;
}

unsigned long find_symbol(const char *name)
{
	struct variant_ctx ctx = { .name = name, .len = strlen(name) };
	unsigned long addr = 0;

	if (kallsyms_on_each_match_symbol_fn) {
		kallsyms_on_each_match_symbol_fn(exact_cb, name, &addr);
		if (addr)
			return addr;
	}
	if (kallsyms_on_each_symbol_fn)
		kallsyms_on_each_symbol_fn(variant_cb, &ctx);
	return ctx.match;
}
