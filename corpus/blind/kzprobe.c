// SPDX-License-Identifier: GPL-2.0
/*
 * kzprobe - put counting probes wherever you like, from the command line
 *
 *   insmod kzprobe.ko addrs=0xffffffff8130c2a0,0xffffffff8130c4f0
 *   insmod kzprobe.ko syms=vfs_read,vfs_write
 *   insmod kzprobe.ko modoffs=nf_conntrack:0x1a40
 *   insmod kzprobe.ko ret_mod=xfs ret_off=0x5c3e0
 *
 * Counters are printed when the module is removed.
 */
#define pr_fmt(fmt) "kzprobe: " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/version.h>

#define KZP_MAX 16

static unsigned long addrs[KZP_MAX];
static int naddrs;
module_param_array(addrs, ulong, &naddrs, 0400);

static char *syms[KZP_MAX];
static int nsyms;
module_param_array(syms, charp, &nsyms, 0400);

static char *modoffs[KZP_MAX];
static int nmodoffs;
module_param_array(modoffs, charp, &nmodoffs, 0400);

/* with IBT the first instruction is an endbr64 */
static bool skip_endbr = IS_ENABLED(CONFIG_X86_KERNEL_IBT);
module_param(skip_endbr, bool, 0400);

static char *ret_mod = "";
module_param(ret_mod, charp, 0400);
static unsigned long ret_off;
module_param(ret_off, ulong, 0400);

struct kzp_entry {
	struct kprobe	*kp;
	atomic_long_t	hits;
	char		desc[48];
};

static struct kzp_entry entries[3 * KZP_MAX];
static int nentries;
static struct kretprobe *kzp_rp;
static atomic_long_t kzp_rp_hits;

static int kzp_pre(struct kprobe *p, struct pt_regs *regs)
{
	int i;

	for (i = 0; i < nentries; i++) {
		if (entries[i].kp == p) {
			atomic_long_inc(&entries[i].hits);
			break;
		}
	}
	return 0;
}

static int kzp_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_long_inc(&kzp_rp_hits);
	return 0;
}

/* text base of module @name plus @off, 0 if it isn't loaded */
static unsigned long kzp_mod_relocate(const char *name, unsigned long off)
{
	struct module *mod;
	unsigned long base = 0;

	preempt_disable();
	mod = find_module(name);
	if (mod)
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
		base = (unsigned long)mod->mem[MOD_TEXT].base;
#else
		base = (unsigned long)mod->core_layout.base;
#endif
	preempt_enable();
	return base ? base + off : 0;
}

static int kzp_add(struct kprobe *p, const char *desc)
{
	int ret;

	if (nentries >= ARRAY_SIZE(entries)) {
		kfree(p);
		return -ENOSPC;
	}
	p->pre_handler = kzp_pre;
	ret = register_kprobe(p);
	if (ret < 0) {
		pr_warn("%s: register_kprobe: %d\n", desc, ret);
		kfree(p);
		return ret;
	}
	entries[nentries].kp = p;
	strscpy(entries[nentries].desc, desc, sizeof(entries[nentries].desc));
	nentries++;
	return 0;
}

static void kzp_remove_all(void)
{
	int i;

	for (i = 0; i < nentries; i++) {
		unregister_kprobe(entries[i].kp);
		pr_info("%-40s %ld\n", entries[i].desc,
			atomic_long_read(&entries[i].hits));
		kfree(entries[i].kp);
	}
	nentries = 0;
}

static int __init kzp_init(void)
{
	char desc[48];
	int i;

	for (i = 0; i < naddrs; i++) {
		struct kprobe *p = kzalloc(sizeof(*p), GFP_KERNEL);

		if (!p)
			goto nomem;
		p->addr = (kprobe_opcode_t *)addrs[i];
		if (skip_endbr)
			p->offset = 4;
		snprintf(desc, sizeof(desc), "0x%lx", addrs[i]);
		kzp_add(p, desc);
	}

	for (i = 0; i < nsyms; i++) {
		struct kprobe *p = kzalloc(sizeof(*p), GFP_KERNEL);

		if (!p)
			goto nomem;
		p->symbol_name = syms[i];
		kzp_add(p, syms[i]);
	}

	for (i = 0; i < nmodoffs; i++) {
		char *sep = strchr(modoffs[i], ':');
		struct module *mod;
		unsigned long off;
		struct kprobe *p;

		if (!sep || kstrtoul(sep + 1, 0, &off)) {
			pr_warn("bad modoffs entry '%s'\n", modoffs[i]);
			continue;
		}
		*sep = '\0';

		p = kzalloc(sizeof(*p), GFP_KERNEL);
		if (!p)
			goto nomem;

		preempt_disable();
		mod = find_module(modoffs[i]);
		if (!mod) {
			preempt_enable();
			pr_warn("%s: not loaded\n", modoffs[i]);
			kfree(p);
			continue;
		}
		/* TODO: 6.4+ keeps this in mod->mem[MOD_TEXT] */
		p->addr = (kprobe_opcode_t *)((unsigned long)mod->core_layout.base + off);
		preempt_enable();

		snprintf(desc, sizeof(desc), "%s+0x%lx", modoffs[i], off);
		kzp_add(p, desc);
	}

	if (*ret_mod) {
		kzp_rp = kzalloc(sizeof(*kzp_rp), GFP_KERNEL);
		if (!kzp_rp)
			goto nomem;
		kzp_rp->kp.addr = (kprobe_opcode_t *)kzp_mod_relocate(ret_mod, ret_off);
		kzp_rp->handler = kzp_ret;
		kzp_rp->maxactive = 16;
		if (register_kretprobe(kzp_rp) < 0) {
			pr_warn("%s+0x%lx: cannot register kretprobe\n", ret_mod, ret_off);
			kfree(kzp_rp);
			kzp_rp = NULL;
		}
	}

	pr_info("%d probes%s\n", nentries, kzp_rp ? " + 1 kretprobe" : "");
	return 0;

nomem:
	kzp_remove_all();
	return -ENOMEM;
}

static void __exit kzp_exit(void)
{
	if (kzp_rp) {
		unregister_kretprobe(kzp_rp);
		pr_info("%s+0x%lx returns: %ld (missed %d)\n", ret_mod, ret_off,
			atomic_long_read(&kzp_rp_hits), kzp_rp->nmissed);
		kfree(kzp_rp);
	}
	kzp_remove_all();
}

module_init(kzp_init);
module_exit(kzp_exit);
MODULE_LICENSE("GPL");
