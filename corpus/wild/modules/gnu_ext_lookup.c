// SPDX-License-Identifier: GPL-2.0
/*
 * gnu_ext_lookup.c - written for probe-migrator's corpus in the style of a
 * function-hooking engine built with GNU C: typeof(), a nested function as
 * the probe handler, and backslash-continued lines outside any macro.
 * Fallback order: weak extern, kprobe harvest, address given at insmod.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/string.h>

static long kln_hint;
module_param(kln_hint, long, 0);

/* resolves to NULL when the symbol is not exported (weak binding) */
extern __attribute__((weak)) unsigned long kallsyms_lookup_name(const char *);

typedef unsigned long (*eng_lookup_t)(const char *name);

struct eng_hook {
	const char *name;
	void *target;
};

unsigned long eng_lookup(const char *name)
{
	static typeof(eng_lookup) *resolver = kallsyms_lookup_name;
#ifdef CONFIG_KPROBES
	if (!resolver) {
		struct kprobe kp;
		int nop(struct kprobe *p, struct pt_regs *regs) {
			return 0;
		}

		memset(&kp, 0, sizeof(kp));
		kp.pre_handler = nop;
		kp.symbol_name = "kallsyms_lookup_name";
		if (!register_kprobe(&kp)) {
			resolver = (void *)kp.addr;
			unregister_kprobe(&kp);
		}
	}
#endif
	if (!resolver)
		resolver = (void *)kln_hint;
	return resolver ? resolver(name) : 0;
}

static void eng_bind(struct eng_hook *h, eng_lookup_t alt)
{
	h->target = alt ? \
		(void *)alt(h->name) : \
		(void *)eng_lookup(h->name);
	if (!h->target)
		pr_warn("eng: %s not found\n", h->name);
}

static struct eng_hook eng_hooks[] = {
	{ .name = "security_file_open" },
	{ .name = "vfs_statx" },
};

static int __init eng_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(eng_hooks); i++)
		eng_bind(&eng_hooks[i], NULL);
	return 0;
}

module_init(eng_init);
MODULE_LICENSE("GPL");
