// SPDX-License-Identifier: GPL-2.0
/*
 * kln_trick_getter.c - written for probe-migrator's corpus in the style of
 * a tracer's kallsyms wrapper: the probe address is read back by an
 * arch-specific helper that takes the probe by pointer, not by kp.addr.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/string.h>

static unsigned long (*tw_kln)(const char *name);

static int tw_nop(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

#ifdef CONFIG_PPC64
static void tw_adjust(struct kprobe *p)
{
	/* ask for the global entry point, kprobes would move us past it */
	p->offset = 4;
}

static unsigned long tw_probe_address(const struct kprobe *p)
{
	return (unsigned long)p->addr - 4;
}
#else
static void tw_adjust(struct kprobe *p)
{
}

static unsigned long tw_probe_address(const struct kprobe *p)
{
	return (unsigned long)p->addr;
}
#endif

static unsigned long tw_find_kln(void)
{
	struct kprobe p;
	unsigned long where;

	memset(&p, 0, sizeof(p));
	p.pre_handler = tw_nop;
	p.symbol_name = "kallsyms_lookup_name";
	tw_adjust(&p);
	if (register_kprobe(&p))
		return 0;
	where = tw_probe_address(&p);
	unregister_kprobe(&p);
	return where;
}

unsigned long tw_lookup(const char *name)
{
	if (!tw_kln)
		tw_kln = (void *)tw_find_kln();
	if (!tw_kln) {
		pr_warn_once("tw: symbol lookups unavailable\n");
		return 0;
	}
	return tw_kln(name);
}
EXPORT_SYMBOL_GPL(tw_lookup);

MODULE_LICENSE("GPL");
