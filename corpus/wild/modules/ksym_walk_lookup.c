// SPDX-License-Identifier: GPL-2.0
/*
 * ksym_walk_lookup.c - written for probe-migrator's corpus in the style of
 * an out-of-tree hook framework that finds its targets by walking the
 * kernel symbol table with a name-matching callback instead of calling
 * kallsyms_lookup_name() (both were unexported in 5.7).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/string.h>

struct walk_query {
	const char *want;
	unsigned long found;
	unsigned int seen;
};

static int walk_match(void *priv, const char *sym, struct module *owner,
		      unsigned long where)
{
	struct walk_query *q = priv;

	q->seen++;
	if (owner || strcmp(q->want, sym))
		return 0;
	q->found = where;
	return 1;
}

static unsigned long walk_resolve(const char *sym)
{
	struct walk_query q = { .want = sym };

	kallsyms_on_each_symbol(walk_match, &q);
	pr_debug("walk_demo: %s after %u entries\n", sym, q.seen);
	return q.found;
}

static void (*walk_flush_all)(void);
static unsigned long *walk_table;

static int __init walk_demo_init(void)
{
	walk_flush_all = (void (*)(void))walk_resolve("flush_tlb_all");
	walk_table = (unsigned long *)walk_resolve("sys_call_table");
	if (!walk_flush_all || !walk_table)
		return -ENOENT;
	pr_info("walk_demo: table at %px\n", walk_table);
	return 0;
}

static void __exit walk_demo_exit(void)
{
	pr_info("walk_demo: unloaded\n");
}

module_init(walk_demo_init);
module_exit(walk_demo_exit);
MODULE_LICENSE("GPL");
