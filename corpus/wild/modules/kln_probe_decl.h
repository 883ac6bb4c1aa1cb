/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kln_probe_decl.h - written for probe-migrator's corpus in the style of a
 * small rootkit's shared header: it declares a handler-less probe on the
 * lookup function; the .c file that includes it reads the address back.
 */
#ifndef KLN_PROBE_DECL_H
#define KLN_PROBE_DECL_H

#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 7, 0)
#define KLN_VIA_KPROBE 1
#include <linux/kprobes.h>
static struct kprobe kln_kp = {
	.symbol_name = "kallsyms_lookup_name"
};
#else
#include <linux/kallsyms.h>
#endif

#endif /* KLN_PROBE_DECL_H */
