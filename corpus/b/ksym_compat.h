/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksym_compat.h - symbol lookup shims shared by the hook modules
 * (hookfs.c, hooknet.c).  Pre-5.7 kernels only.
 */
#ifndef _KSYM_COMPAT_H
#define _KSYM_COMPAT_H

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/errno.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 7, 0)
#error "ksym_compat.h needs an exported kallsyms_lookup_name()"
#endif

#define LOOKUP(n)	kallsyms_lookup_name(n)

typedef unsigned long (*kallsyms_lookup_name_t)(const char *name);
typedef asmlinkage long (*syscall_fn_t)(const struct pt_regs *regs);

static void **ksym_sys_call_table;
static unsigned long ksym_text_base;
static syscall_fn_t ksym_orig_openat;

static inline unsigned long lookup_sym(const char *n)
{
	return kallsyms_lookup_name(n);
}

static inline int ksym_grab_tables(void)
{
	ksym_sys_call_table = (void **)kallsyms_lookup_name("sys_call_table");
	if (!ksym_sys_call_table)
		return -ENOENT;
	ksym_orig_openat = (syscall_fn_t)ksym_sys_call_table[__NR_openat];
	ksym_text_base = LOOKUP("_text");
	return ksym_text_base ? 0 : -ENOENT;
}

static inline bool ksym_present(const char *n)
{
	return LOOKUP(n) != 0;
}

/* offset of a symbol from _text, for comparing against the System.map */
static inline long ksym_text_offset(const char *n)
{
	unsigned long a = lookup_sym(n);

	return a ? (long)(a - ksym_text_base) : -ENOENT;
}

static struct kprobe ksym_fsync_kp;
static struct kprobe ksym_openat_kp;

static inline int ksym_arm_probes(kprobe_pre_handler_t fsync_pre,
				  kprobe_pre_handler_t openat_pre)
{
	unsigned long where;
	int ret;

	ksym_fsync_kp.addr = (kprobe_opcode_t *)lookup_sym("vfs_fsync_range");
	ksym_fsync_kp.pre_handler = fsync_pre;

	where = lookup_sym("do_sys_openat2");
	if (!where)
		return -ENOENT;
	ksym_openat_kp.addr = (kprobe_opcode_t *)where;
	ksym_openat_kp.pre_handler = openat_pre;

	ret = register_kprobe(&ksym_fsync_kp);
	if (ret)
		return ret;
	ret = register_kprobe(&ksym_openat_kp);
	if (ret)
		unregister_kprobe(&ksym_fsync_kp);
	return ret;
}

static inline void ksym_disarm_probes(void)
{
	unregister_kprobe(&ksym_openat_kp);
	unregister_kprobe(&ksym_fsync_kp);
}

#endif /* _KSYM_COMPAT_H */
