// SPDX-License-Identifier: GPL-2.0
/*
 * zcache_shrink.c - written for probe-migrator's corpus in the style of a
 * filesystem porting layer that calls the wrapper macro from
 * zcompat_kallsyms.h; the macro's definition is not visible here.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include "zcompat_kallsyms.h"

typedef int (*z_shrink_t)(int nr, unsigned int gfp);

static z_shrink_t z_shrink_dentries;
static z_shrink_t z_shrink_inodes;

int z_bind_shrinkers(void)
{
	z_shrink_dentries = (z_shrink_t)
		z_kallsyms_lookup_name("shrink_dcache_memory");
	z_shrink_inodes = (z_shrink_t)
		z_kallsyms_lookup_name("shrink_icache_memory");

	if (!z_shrink_dentries || !z_shrink_inodes) {
		pr_info("zcache: shrinkers unavailable, reclaim disabled\n");
		return -ENOENT;
	}
	return 0;
}
EXPORT_SYMBOL(z_bind_shrinkers);

MODULE_LICENSE("GPL");
