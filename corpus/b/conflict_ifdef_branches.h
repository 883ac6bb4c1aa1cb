/* SPDX-License-Identifier: GPL-2.0 */
/*
 * taskmon_probes.h - probe definitions for taskmon.c.
 *
 * Kept in a header so the per-config variants stay next to each other.
 * Only include this from taskmon.c.
 */
#ifndef _TASKMON_PROBES_H
#define _TASKMON_PROBES_H

#include <linux/kprobes.h>
#include <linux/version.h>

static int taskmon_clone_pre(struct kprobe *p, struct pt_regs *regs);
static int taskmon_open_pre(struct kprobe *p, struct pt_regs *regs);
static int taskmon_exit_pre(struct kprobe *p, struct pt_regs *regs);

static struct kprobe taskmon_clone_kp = {
#ifdef CONFIG_KALLSYMS_ALL
	.symbol_name	= "kernel_clone",
#else
	/* no full kallsyms: use the address from the build's System.map */
	.addr		= (kprobe_opcode_t *)0xffffffff810a0a60UL,
#endif
	.pre_handler	= taskmon_clone_pre,
};

static struct kprobe taskmon_open_kp = {
#if LINUX_VERSION_CODE >= KERNEL_VERSION(2,6,19)
	.symbol_name	= "do_sys_open",
#else
	.addr		= (kprobe_opcode_t *)0xffffffff81364470UL,
#endif
	.pre_handler	= taskmon_open_pre,
};

static struct kprobe taskmon_exit_kp = {
	.pre_handler	= taskmon_exit_pre,
};

static inline void taskmon_aim_exit(struct kprobe *kp)
{
#ifdef CONFIG_KALLSYMS
	kp->symbol_name = "do_exit";
#else
	kp->addr = (kprobe_opcode_t *)0xffffffff810a7010UL;
#endif
}

static struct kprobe *taskmon_probes[] = {
	&taskmon_clone_kp,
	&taskmon_open_kp,
	&taskmon_exit_kp,
};

#endif /* _TASKMON_PROBES_H */
