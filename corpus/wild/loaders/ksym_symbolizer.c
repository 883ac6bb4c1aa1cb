// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ksym_symbolizer.c - written for probe-migrator's corpus in the style of a
 * libbpf-tools helper: load the kernel symbol table once and turn stack
 * addresses collected by a BPF program back into "function+offset".  No
 * probe is placed from these addresses; the probes are attached by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "offstack.skel.h"

struct ksym {
	unsigned long addr;
	char *name;
};

static struct ksym *syms;
static size_t nsyms;

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int ksyms_load(void)
{
	char name[256], type;
	unsigned long addr;
	size_t cap = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%lx %c %255s%*[^\n]\n", &addr, &type, name) == 3) {
		if (nsyms == cap) {
			cap = cap ? cap * 2 : 4096;
			syms = realloc(syms, cap * sizeof(*syms));
			if (!syms)
				return -1;
		}
		syms[nsyms].addr = addr;
		syms[nsyms].name = strdup(name);
		nsyms++;
	}
	fclose(f);
	qsort(syms, nsyms, sizeof(*syms), by_addr);
	return 0;
}

static const struct ksym *ksym_find(unsigned long ip)
{
	size_t lo = 0, hi = nsyms;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (syms[mid].addr <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &syms[lo - 1] : NULL;
}

static void print_stack(const unsigned long *ips, int n)
{
	for (int i = 0; i < n && ips[i]; i++) {
		const struct ksym *s = ksym_find(ips[i]);

		if (s)
			printf("    %s+0x%lx\n", s->name, ips[i] - s->addr);
		else
			printf("    [unknown 0x%lx]\n", ips[i]);
	}
}

int main(void)
{
	unsigned long ips[32] = { 0 };
	struct offstack_bpf *skel;

	if (ksyms_load()) {
		fprintf(stderr, "failed to load /proc/kallsyms\n");
		return 1;
	}
	skel = offstack_bpf__open_and_load();
	if (!skel)
		return 1;
	skel->links.on_switch = bpf_program__attach_kprobe(skel->progs.on_switch,
							   false, "finish_task_switch");
	/* ... consume stacks from a ring buffer, then: */
	print_stack(ips, 32);
	offstack_bpf__destroy(skel);
	return 0;
}
