// SPDX-License-Identifier: GPL-2.0-only
/*
 * hookscan.c - notice when someone rewrites the syscall table
 *
 * A snapshot of sys_call_table is taken at load time and compared again
 * after every module load or removal.  Entries that moved are reported
 * together with the module that owns the new target, if any.  This does
 * not stop anything, it only makes the usual LKM rootkits visible in the
 * log.
 *
 * Copyright (C) 2021 Tomas Brezina
 */
#define pr_fmt(fmt) "hookscan: " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/version.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <asm/unistd.h>

typedef unsigned long (*kallsyms_lookup_name_t)(const char *name);

static kallsyms_lookup_name_t hs_lookup;
static unsigned long *hs_table;
static unsigned long hs_stext, hs_etext;
static unsigned long *hs_snapshot;

static void hs_check_table(struct work_struct *work);
static DECLARE_WORK(hs_work, hs_check_table);

static int hs_get_lookup(void)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 7, 0)
	hs_lookup = kallsyms_lookup_name;
#else
	struct kprobe kp = {
		.symbol_name = "kallsyms_lookup_name",
	};
	int ret;

	ret = register_kprobe(&kp);
	if (ret < 0)
		return ret;
	hs_lookup = (kallsyms_lookup_name_t)kp.addr;
	unregister_kprobe(&kp);
#endif
	return hs_lookup ? 0 : -ENOENT;
}

static void hs_check_table(struct work_struct *work)
{
	unsigned int i;

	for (i = 0; i < NR_syscalls; i++) {
		unsigned long cur = READ_ONCE(hs_table[i]);

		if (cur == hs_snapshot[i])
			continue;

		if (cur >= hs_stext && cur < hs_etext) {
			pr_info("syscall %u now points to %pS\n", i, (void *)cur);
		} else {
			struct module *owner;

			preempt_disable();
			owner = __module_address(cur);
			pr_alert("syscall %u hooked: %px -> %px (%s)\n", i,
				 (void *)hs_snapshot[i], (void *)cur,
				 owner ? owner->name : "no module");
			preempt_enable();
		}
		hs_snapshot[i] = cur;
	}
}

static int hs_load_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	/* the new module's init has run by now */
	schedule_work(&hs_work);
	return 0;
}

static int hs_unload_pre(struct kprobe *p, struct pt_regs *regs)
{
	schedule_work(&hs_work);
	return 0;
}

static struct kretprobe hs_load_krp = {
	.handler	= hs_load_ret,
	.maxactive	= 8,
};

static const char * const hs_watched[] = {
	"__x64_sys_delete_module",
	"free_module",
};

static struct kprobe hs_watch_kps[ARRAY_SIZE(hs_watched)];
static struct kprobe *hs_watch_list[ARRAY_SIZE(hs_watched)];

static int __init hookscan_init(void)
{
	unsigned long target;
	int i, ret;

	ret = hs_get_lookup();
	if (ret) {
		pr_err("no kallsyms_lookup_name, giving up (%d)\n", ret);
		return ret;
	}

	hs_table = (unsigned long *)hs_lookup("sys_call_table");
	hs_stext = hs_lookup("_stext");
	hs_etext = hs_lookup("_etext");
	if (!hs_table || !hs_stext || !hs_etext)
		return -ENOENT;

	hs_snapshot = kmemdup(hs_table, NR_syscalls * sizeof(unsigned long),
			      GFP_KERNEL);
	if (!hs_snapshot)
		return -ENOMEM;

	/* do_init_module() is where a new module's init function gets called */
	target = hs_lookup("do_init_module");
	if (!target) {
		ret = -ENOENT;
		goto err_free;
	}
	hs_load_krp.kp.addr = (kprobe_opcode_t *)target;
	ret = register_kretprobe(&hs_load_krp);
	if (ret) {
		pr_err("register_kretprobe: %d\n", ret);
		goto err_free;
	}

	for (i = 0; i < ARRAY_SIZE(hs_watched); i++) {
		hs_watch_kps[i].addr = (kprobe_opcode_t *)hs_lookup(hs_watched[i]);
		hs_watch_kps[i].pre_handler = hs_unload_pre;
		hs_watch_list[i] = &hs_watch_kps[i];
	}
	ret = register_kprobes(hs_watch_list, ARRAY_SIZE(hs_watch_list));
	if (ret) {
		pr_err("register_kprobes: %d\n", ret);
		goto err_krp;
	}

	pr_info("watching %d entries of sys_call_table at %px\n",
		NR_syscalls, hs_table);
	return 0;

err_krp:
	unregister_kretprobe(&hs_load_krp);
err_free:
	kfree(hs_snapshot);
	return ret;
}

static void __exit hookscan_exit(void)
{
	unregister_kprobes(hs_watch_list, ARRAY_SIZE(hs_watch_list));
	unregister_kretprobe(&hs_load_krp);
	cancel_work_sync(&hs_work);
	kfree(hs_snapshot);
}

module_init(hookscan_init);
module_exit(hookscan_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Tomas Brezina");
MODULE_DESCRIPTION("Report modifications of the syscall table");
