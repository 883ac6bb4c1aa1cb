// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * clean_pattern_resolver.c - written for probe-migrator's corpus in the style
 * of a BPF loading library: a caller's glob pattern for a kprobe_multi link is
 * turned into the running kernel's addresses at attach time, from ftrace's
 * available_filter_functions_addrs, and handed on with the caller's options.
 * The library resolves in the running kernel what its caller named: no
 * address is fixed anywhere, so a reviewer leaves it alone.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACEFS_ADDRS "/sys/kernel/tracing/available_filter_functions_addrs"
#define DEBUGFS_ADDRS "/sys/kernel/debug/tracing/available_filter_functions_addrs"

struct addr_list {
	unsigned long *addrs;
	size_t cnt, cap;
};

static const char *addrs_path(void)
{
	FILE *f = fopen(TRACEFS_ADDRS, "r");

	if (f) {
		fclose(f);
		return TRACEFS_ADDRS;
	}
	return DEBUGFS_ADDRS;
}

static int push(struct addr_list *l, unsigned long a)
{
	if (l->cnt == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		unsigned long *n = realloc(l->addrs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->addrs = n;
		l->cap = cap;
	}
	l->addrs[l->cnt++] = a;
	return 0;
}

int resolve_pattern(const char *pattern, struct addr_list *out)
{
	char name[256], line[512];
	unsigned long addr;
	FILE *f = fopen(addrs_path(), "r");
	int err = 0;

	if (!f)
		return -errno;
	while (!err && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %255s", &addr, name) != 2)
			continue;
		if (!fnmatch(pattern, name, 0))
			err = push(out, addr);
	}
	fclose(f);
	return err ? err : out->cnt ? 0 : -ENOENT;
}
