/* SPDX-License-Identifier: GPL-2.0 */
/*
 * standin_syms.h - written for probe-migrator's corpus: the header of a
 * driver's symbol helper, which is defined in another file of the driver.
 */
#ifndef STANDIN_SYMS_H
#define STANDIN_SYMS_H

extern unsigned long xdr_kallsyms_lookup_name(const char *name);

#endif
