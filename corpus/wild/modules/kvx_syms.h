/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvx_syms.h - written for probe-migrator's corpus in the style of a
 * rootkit's private header: typedefs for resolved kernel functions and the
 * structure that caches them (no lookups happen here).
 */
#ifndef KVX_SYMS_H
#define KVX_SYMS_H

typedef unsigned long (*kvx_kallsyms_fn)(const char *name);
typedef void (*kvx_exit_fn)(long code);

struct kvx_syms {
	kvx_kallsyms_fn kln;
	kvx_exit_fn do_exit_fn;
	unsigned long *taint_mask;
};

struct kvx_syms *kvx_get_syms(void);

#endif /* KVX_SYMS_H */
