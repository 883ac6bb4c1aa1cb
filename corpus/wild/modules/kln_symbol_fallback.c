// SPDX-License-Identifier: GPL-2.0
/*
 * kln_symbol_fallback.c - written for probe-migrator's corpus in the style of
 * driver-course kprobe examples: the probes are declared by name, and init
 * falls back to an address from kallsyms_lookup_name() only where the name
 * is missing. The two fields are never both set: not a conflict, but the
 * fallback still looks the address up by hand.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>

#define TARGET "do_sys_openat2"

static int on_entry(struct kprobe *p, struct pt_regs *regs)
{
	pr_info("%s hit\n", p->symbol_name);
	return 0;
}

static int on_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	pr_info("returned %ld\n", regs_return_value(regs));
	return 0;
}

static struct kprobe kp = {
	.symbol_name = TARGET,
	.pre_handler = on_entry,
};

static struct kretprobe rp = {
	.kp.symbol_name = TARGET,
	.handler = on_return,
};

static int __init fb_init(void)
{
	int ret;

	/* some old kernels could not find the name: use the address then */
	if (!kp.symbol_name)
		kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name(TARGET);
	ret = register_kprobe(&kp);
	if (ret < 0)
		return ret;
	if (rp.kp.symbol_name != NULL)
		pr_info("kretprobe on %s\n", rp.kp.symbol_name);
	else
		rp.kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name(TARGET);
	ret = register_kretprobe(&rp);
	if (ret < 0)
		unregister_kprobe(&kp);
	return ret;
}

static void __exit fb_exit(void)
{
	unregister_kretprobe(&rp);
	unregister_kprobe(&kp);
}

module_init(fb_init);
module_exit(fb_exit);
MODULE_LICENSE("GPL");
