// SPDX-License-Identifier: GPL-2.0
/*
 * klp_kln_grab.c - written for probe-migrator's corpus in the style of a
 * kernel-study repository: a livepatch that can never be applied (its
 * second object names a module that does not exist) is enabled only so
 * that the livepatch core resolves old_func for us.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

typedef unsigned long (*grab_kln_t)(const char *name);

unsigned long kallsyms_lookup_name(const char *name);

static struct klp_func grab_funcs[] = {
	{
		.old_name = "kallsyms_lookup_name",
		.new_func = kallsyms_lookup_name,
	}, { }
};

static struct klp_func grab_never[] = {
	{ .old_name = "grab_never_there" }, { }
};

static struct klp_object grab_objs[] = {
	{ .funcs = grab_funcs },
	{ .name = "grab_missing_module", .funcs = grab_never },
	{ }
};

static struct klp_patch grab_patch = {
	.mod = THIS_MODULE,
	.objs = grab_objs,
};

/* our own definition: forwards to whatever old_func was resolved to */
unsigned long kallsyms_lookup_name(const char *name)
{
	return ((grab_kln_t)grab_funcs[0].old_func)(name);
}

static int __init grab_init(void)
{
	/* failure is the expected outcome; old_func is filled either way */
	if (!klp_enable_patch(&grab_patch))
		return -EINVAL;
	if (!grab_funcs[0].old_func)
		return -ENOENT;
	pr_info("grab: lookup function resolved at %px\n",
		grab_funcs[0].old_func);
	return 0;
}

module_init(grab_init);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
