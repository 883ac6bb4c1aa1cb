// SPDX-License-Identifier: GPL-2.0
/*
 * kln_trick_regs_ip.c - written for probe-migrator's corpus in the style of
 * a blog tutorial for x86_64: the lookup function's address is taken from
 * the saved instruction pointer inside the pre_handler, and the probed
 * name reaches .symbol_name through a helper's parameter.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>

#define PRE_HANDLER(fn) \
	static int __kprobes fn(struct kprobe *p, struct pt_regs *regs)

static unsigned long seen_ip;
static unsigned long (*resolve_name)(const char *name);
static struct kprobe first_kp, second_kp;

PRE_HANDLER(grab_ip)
{
	/* int3 has already been executed: ip is one byte past the entry */
	seen_ip = regs->ip - 1;
	return 0;
}

PRE_HANDLER(idle_pre)
{
	return 0;
}

static int plant(struct kprobe *kp, const char *fn, kprobe_pre_handler_t h)
{
	kp->symbol_name = fn;
	kp->pre_handler = h;
	return register_kprobe(kp);
}

static int __init ipgrab_init(void)
{
	int ret;

	ret = plant(&first_kp, "kallsyms_lookup_name", grab_ip);
	if (ret < 0)
		return ret;
	/* resolving the second probe's name runs through the first one */
	ret = plant(&second_kp, "kallsyms_lookup_name", idle_pre);
	if (ret < 0) {
		unregister_kprobe(&first_kp);
		return ret;
	}
	unregister_kprobe(&second_kp);
	unregister_kprobe(&first_kp);

	resolve_name = (void *)seen_ip;
	pr_info("ipgrab: table at %lx\n", resolve_name("sys_call_table"));
	return 0;
}

static void __exit ipgrab_exit(void)
{
}

module_init(ipgrab_init);
module_exit(ipgrab_exit);
MODULE_LICENSE("GPL");
