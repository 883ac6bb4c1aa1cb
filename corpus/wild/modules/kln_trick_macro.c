// SPDX-License-Identifier: GPL-2.0
/*
 * kln_trick_macro.c - written for probe-migrator's corpus in the style of
 * a research measurement module that spells the probed name through an
 * object-like macro and keeps the harvested lookup function in a global.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>

#define KLN_TARGET	"kallsyms_lookup_name"

typedef unsigned long (*name_to_addr_t)(const char *name);

static name_to_addr_t em_lookup;
static void *em_event_read;
static void *em_sched_count;

static struct kprobe em_probe = {
	.symbol_name = KLN_TARGET,
};

static int em_bind(void)
{
	int err = register_kprobe(&em_probe);

	if (err)
		return err;
	em_lookup = (name_to_addr_t)em_probe.addr;
	unregister_kprobe(&em_probe);
	return em_lookup ? 0 : -ENOENT;
}

static int __init em_init(void)
{
	int err = em_bind();

	if (err) {
		pr_err("em: %s() not found: %d\n", KLN_TARGET, err);
		return err;
	}
	em_event_read = (void *)em_lookup("perf_event_read");
	em_sched_count = (void *)em_lookup("perf_sched_count");
	pr_info("em: ready (%px, %px)\n", em_event_read, em_sched_count);
	return 0;
}

static void __exit em_exit(void)
{
	pr_info("em: bye\n");
}

module_init(em_init);
module_exit(em_exit);
MODULE_LICENSE("GPL");
