// SPDX-License-Identifier: GPL-2.0
/*
 * kln_named_resolver.c - written for probe-migrator's corpus in the style of
 * syscall-hooking experiments whose generic resolver places a kprobe of its
 * own on whatever name it is given and returns the probe's address; the
 * first name asked for is kallsyms_lookup_name itself, which is then kept
 * and called for everything else.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>

typedef unsigned long (*lookup_name_t)(const char *name);

static lookup_name_t lookup_name;

static unsigned long probe_resolve(const char *name)
{
	static struct kprobe kp;
	unsigned long where;

	kp.symbol_name = name;
	kp.addr = NULL;
	if (register_kprobe(&kp) < 0)
		return 0;
	where = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return where;
}

unsigned long resolve(const char *name)
{
	if (!lookup_name)
		lookup_name = (lookup_name_t)probe_resolve("kallsyms_lookup_name");
	if (!lookup_name)
		return 0;
	return lookup_name(name);
}

static int __init nr_init(void)
{
	pr_info("sys_call_table at %lx\n", resolve("sys_call_table"));
	return 0;
}

static void __exit nr_exit(void)
{
}

module_init(nr_init);
module_exit(nr_exit);
MODULE_LICENSE("GPL");
