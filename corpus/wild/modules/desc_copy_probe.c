// SPDX-License-Identifier: GPL-2.0
/*
 * desc_copy_probe.c - written for probe-migrator's corpus in the style of a
 * tracer's kprobe backend: a user request carries either a symbol (with an
 * offset) or a raw address, never both, and every registration copies the
 * whole descriptor into a fresh struct kprobe.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/string.h>

struct tp_desc {
	char *sym;
	unsigned long off;
	unsigned long raw_addr;
	kprobe_pre_handler_t pre;
	struct kprobe kp;
};

static int tp_arm(struct tp_desc *d)
{
	memset(&d->kp, 0, sizeof(d->kp));
	d->kp.symbol_name = d->sym;
	d->kp.addr = (kprobe_opcode_t *)d->raw_addr;
	d->kp.offset = d->off;
	d->kp.pre_handler = d->pre;
	return register_kprobe(&d->kp);
}

struct tp_desc *tp_create(const char *sym, unsigned long off,
			  unsigned long raw, kprobe_pre_handler_t pre)
{
	struct tp_desc *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return NULL;
	if (sym) {
		d->sym = kstrdup(sym, GFP_KERNEL);
		d->off = off;
	} else {
		d->raw_addr = raw;
	}
	d->pre = pre;
	if (tp_arm(d)) {
		kfree(d->sym);
		kfree(d);
		return NULL;
	}
	return d;
}
EXPORT_SYMBOL_GPL(tp_create);

void tp_destroy(struct tp_desc *d)
{
	unregister_kprobe(&d->kp);
	kfree(d->sym);
	kfree(d);
}
EXPORT_SYMBOL_GPL(tp_destroy);

MODULE_LICENSE("GPL");
