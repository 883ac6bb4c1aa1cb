// SPDX-License-Identifier: GPL-2.0
/*
 * opentrace - dump filenames passed to open(2)/openat2(2).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/uaccess.h>
#include <linux/limits.h>

static char fname[NAME_MAX + 1];

static int open_pre(struct kprobe *p, struct pt_regs *regs)
{
	const char __user *uname = (const char __user *)regs->si;

	if (copy_from_user_nofault(fname, uname, sizeof(fname) - 1) == 0)
		pr_info("opentrace: %s open(%.*s)\n", current->comm, NAME_MAX, fname);
	return 0;
}

static int openat2_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	long fd = regs_return_value(regs);

	if (fd < 0)
		pr_info("opentrace: %s openat2 -> %ld\n", current->comm, fd);
	return 0;
}

/* Debian 6.1.0-56-amd64, nokaslr */
static struct kprobe open_kp = {
	.symbol_name	= "do_sys_open",
	.addr		= (kprobe_opcode_t *)0xffffffff81364470,
	.pre_handler	= open_pre,
};

static struct kretprobe openat2_rp = {
	.kp.symbol_name	= "do_sys_openat2",
	.handler	= openat2_ret,
	.maxactive	= 20,
};

static int __init opentrace_init(void)
{
	int ret;

	/* skip the name lookup on the lab machines */
	openat2_rp.kp.addr = (kprobe_opcode_t *)0xffffffff81363fa0;

	ret = register_kprobe(&open_kp);
	if (ret < 0) {
		pr_err("opentrace: register_kprobe: %d\n", ret);
		return ret;
	}
	ret = register_kretprobe(&openat2_rp);
	if (ret < 0) {
		pr_err("opentrace: register_kretprobe: %d\n", ret);
		unregister_kprobe(&open_kp);
		return ret;
	}
	return 0;
}

static void __exit opentrace_exit(void)
{
	unregister_kretprobe(&openat2_rp);
	unregister_kprobe(&open_kp);
	openat2_rp.kp.addr = NULL;
}

module_init(opentrace_init);
module_exit(opentrace_exit);
MODULE_LICENSE("GPL");
