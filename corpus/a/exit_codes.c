// SPDX-License-Identifier: GPL-2.0
/*
 * exit_codes.c - log non-zero exit codes system wide.
 *
 * Works from 4.x up to current kernels.  Older kernels get the address
 * the old way; since 5.7 kallsyms_lookup_name is no longer exported.
 */
#include <linux/module.h>
#include <linux/version.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(5,7,0)
#include <linux/kallsyms.h>
#endif

static bool only_signals;
module_param(only_signals, bool, 0644);
MODULE_PARM_DESC(only_signals, "log only exits caused by a signal");

static struct kprobe exit_probe;

static int exit_pre(struct kprobe *p, struct pt_regs *regs)
{
	long code = regs->di;	/* do_exit(long code) */

	if (code == 0)
		return 0;
	if (only_signals && !(code & 0x7f))
		return 0;

	pr_info("exit_codes: %s[%d] exits with %#lx (sig %ld, status %ld)\n",
		current->comm, current->pid, code, code & 0x7f,
		(code >> 8) & 0xff);
	return 0;
}

static int __init exit_codes_init(void)
{
	int ret;

	exit_probe.pre_handler = exit_pre;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5,7,0)
	exit_probe.symbol_name = "do_exit";
#else
	exit_probe.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_exit");
	if (!exit_probe.addr)
		return -ENOENT;
#endif

	ret = register_kprobe(&exit_probe);
	if (ret) {
		pr_err("exit_codes: register_kprobe: %d\n", ret);
		return ret;
	}
	pr_info("exit_codes: loaded (probe at %pS)\n", exit_probe.addr);
	return 0;
}

static void __exit exit_codes_exit(void)
{
	unregister_kprobe(&exit_probe);
	pr_info("exit_codes: unloaded\n");
}

module_init(exit_codes_init);
module_exit(exit_codes_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Log non-zero exit codes");
