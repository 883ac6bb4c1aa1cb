// SPDX-License-Identifier: GPL-2.0
/*
 * kmulti_attach.c - written for probe-migrator's corpus in the style of a
 * libbpf user-space loader (BPF selftest / mass-attach tool) that hooks one
 * program onto many kernel functions through a kprobe_multi link.
 *
 * Entry link by resolved address, exit link by name, raw bpf_link_create()
 * link by address; link info is read back into an output-only buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kmulti.skel.h"

#define NFUNCS 3
#define FTRACE_ADDRS "/sys/kernel/tracing/available_filter_functions_addrs"

static const char *wanted[NFUNCS] = { "vfs_read", "vfs_write", "vfs_fsync" };

/* address of a text symbol in the running kernel, 0 when absent */
static unsigned long text_sym(const char *name)
{
	char line[512], kind, sym[256];
	unsigned long val = 0, a;
	FILE *fp = fopen("/proc/kallsyms", "r");

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%lx %c %255s", &a, &kind, sym) != 3)
			continue;
		if ((kind == 't' || kind == 'T') && !strcmp(sym, name)) {
			val = a;
			break;
		}
	}
	fclose(fp);
	return val;
}

/* same lookup through ftrace's own "address name" list */
static unsigned long ftrace_sym(const char *name)
{
	char sym[256];
	unsigned long a, val = 0;
	FILE *fp = fopen(FTRACE_ADDRS, "r");

	if (!fp)
		return 0;
	while (fscanf(fp, "%lx %255s%*[^\n]\n", &a, sym) == 2) {
		if (!strcmp(sym, name)) {
			val = a;
			break;
		}
	}
	fclose(fp);
	return val;
}

static void show_link(int fd)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	__u64 seen[NFUNCS];
	int i;

	memset(&info, 0, sizeof(info));
	info.kprobe_multi.addrs = (__u64)(unsigned long)seen;
	info.kprobe_multi.count = NFUNCS;
	if (bpf_link_get_info_by_fd(fd, &info, &len))
		return;
	for (i = 0; i < (int)info.kprobe_multi.count; i++)
		printf("  hooked 0x%llx\n", (unsigned long long)seen[i]);
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_kprobe_multi_opts, by_addr);
	LIBBPF_OPTS(bpf_kprobe_multi_opts, by_name);
	LIBBPF_OPTS(bpf_link_create_opts, raw);
	unsigned long where[NFUNCS];
	struct bpf_link *entry, *exit_l;
	struct kmulti_bpf *skel;
	int i, fd;

	skel = kmulti_bpf__open_and_load();
	if (!skel)
		return 1;

	for (i = 0; i < NFUNCS; i++)
		where[i] = argc > 1 ? ftrace_sym(wanted[i]) : text_sym(wanted[i]);

	by_addr.addrs = where;
	by_addr.cnt = NFUNCS;
	entry = bpf_program__attach_kprobe_multi_opts(skel->progs.on_entry, NULL, &by_addr);

	by_name.syms = wanted;
	by_name.cnt = NFUNCS;
	by_name.retprobe = true;
	exit_l = bpf_program__attach_kprobe_multi_opts(skel->progs.on_exit, NULL, &by_name);

	raw.kprobe_multi.addrs = where;
	raw.kprobe_multi.cnt = NFUNCS;
	fd = bpf_link_create(bpf_program__fd(skel->progs.on_raw), 0,
			     BPF_TRACE_KPROBE_MULTI, &raw);

	if (entry)
		show_link(bpf_link__fd(entry));
	printf("entry=%p exit=%p raw=%d (%s)\n", (void *)entry, (void *)exit_l, fd,
	       fd < 0 ? strerror(errno) : "ok");
	pause();
	bpf_link__destroy(exit_l);
	bpf_link__destroy(entry);
	kmulti_bpf__destroy(skel);
	return 0;
}
