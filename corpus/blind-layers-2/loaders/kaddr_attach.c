// SPDX-License-Identifier: GPL-2.0
/*
 * kaddr_attach - attach the rcv-path BPF programs to kernel text addresses.
 *
 * tcp_rcv_established is resolved through the kernel symbol table at start-up
 * and the programs are attached at absolute addresses, so that a mid-function
 * site can be probed with the same code as the entry.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "kaddr_attach.skel.h"

/* return site of tcp_rcv_established in the lab kernel (nokaslr) */
#define KADDR_RET_SITE 0xffffffff81b4c210UL

struct file_range {
	const char *path;
	off_t offset;
	size_t len;
};

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	exiting = 1;
}

static unsigned long ksym_addr(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char sym[256], type;
	unsigned long addr;

	if (!f)
		return 0;
	while (fscanf(f, "%lx %c %255s%*[^\n]\n", &addr, &type, sym) == 3) {
		if (strcmp(sym, name) == 0) {
			fclose(f);
			return addr;
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct file_range cfg = { .path = "/etc/kaddr.conf", .offset = 0, .len = 4096 };
	struct kaddr_attach_bpf *skel;
	struct bpf_link *links[5] = {};
	unsigned long entry_addr, site_addr;
	int err = 0, i;

	entry_addr = ksym_addr("tcp_rcv_established");
	if (!entry_addr) {
		fprintf(stderr, "tcp_rcv_established not found in /proc/kallsyms\n");
		return 1;
	}
	site_addr = entry_addr + 0x5a;
	cfg.offset = 512;

	skel = kaddr_attach_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "failed to open and load BPF skeleton\n");
		return 1;
	}

	LIBBPF_OPTS(bpf_kprobe_opts, entry_opts, .offset = entry_addr);
	links[0] = bpf_program__attach_kprobe_opts(skel->progs.on_entry, NULL, &entry_opts);

	LIBBPF_OPTS(bpf_kprobe_opts, site_opts);
	site_opts.offset = site_addr;
	links[1] = bpf_program__attach_kprobe_opts(skel->progs.on_site, NULL, &site_opts);

	LIBBPF_OPTS(bpf_kprobe_opts, ret_opts, .retprobe = true, .offset = KADDR_RET_SITE);
	links[2] = bpf_program__attach_kprobe_opts(skel->progs.on_ret, NULL, &ret_opts);

	/* by name: here the offset is relative to the function */
	LIBBPF_OPTS(bpf_kprobe_opts, rel_opts, .offset = 0x1d);
	links[3] = bpf_program__attach_kprobe_opts(skel->progs.on_site, "tcp_ack", &rel_opts);
	links[4] = bpf_program__attach_kprobe(skel->progs.on_ret, true, "tcp_rcv_established");

	for (i = 0; i < 5; i++) {
		if (!links[i]) {
			err = -errno;
			fprintf(stderr, "attach %d failed: %s\n", i, strerror(errno));
			goto cleanup;
		}
	}

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	printf("attached at 0x%lx and 0x%lx; see /sys/kernel/tracing/trace_pipe\n",
	       entry_addr, site_addr);
	while (!exiting)
		sleep(1);

cleanup:
	for (i = 0; i < 5; i++)
		bpf_link__destroy(links[i]);
	kaddr_attach_bpf__destroy(skel);
	return err != 0;
}
