/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcompat_kallsyms.h - written for probe-migrator's corpus in the style of
 * a filesystem porting layer: one wrapper macro, two definitions, chosen
 * by a configure check. Nothing is looked up in this header itself.
 */
#ifndef _ZCOMPAT_KALLSYMS_H
#define _ZCOMPAT_KALLSYMS_H

#ifdef HAVE_EXPORTED_KALLSYMS_LOOKUP_NAME
#include <linux/kallsyms.h>
#define z_kallsyms_lookup_name(n)	kallsyms_lookup_name(n)
#else
typedef unsigned long (*z_kln_t)(const char *);
extern z_kln_t z_kln_fn;
#define z_kallsyms_lookup_name(n)	z_kln_fn(n)
#endif

#endif /* _ZCOMPAT_KALLSYMS_H */
