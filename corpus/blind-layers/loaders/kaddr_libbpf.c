// SPDX-License-Identifier: GPL-2.0
/*
 * kaddr - attach the "on_insn"/"on_ret" BPF programs to kernel text by
 * address.  Used for the inlined fast path of tcp_rcv_established(), which
 * has no symbol; the entry probe by name is kept for comparison.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "kaddr.skel.h"

/* fast-path check inside tcp_rcv_established, from objdump */
#define FASTPATH_OFF 0x2a

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

static unsigned long ksym_lookup(const char *name)
{
	char sym[256], type;
	unsigned long addr;
	FILE *f;

	f = fopen("/proc/kallsyms", "r");
	if (!f) {
		fprintf(stderr, "kaddr: cannot open /proc/kallsyms: %s\n",
			strerror(errno));
		return 0;
	}
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
	LIBBPF_OPTS(bpf_kprobe_opts, by_name, .offset = FASTPATH_OFF);
	struct bpf_link *l_insn = NULL, *l_ret = NULL, *l_name = NULL, *l_entry = NULL;
	struct kaddr_bpf *skel;
	unsigned long addr;
	int err = 0;

	skel = kaddr_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "kaddr: failed to load BPF skeleton\n");
		return 1;
	}

	addr = ksym_lookup("tcp_rcv_established");
	if (!addr) {
		fprintf(stderr, "kaddr: tcp_rcv_established not found\n");
		err = 1;
		goto out;
	}

	{
		LIBBPF_OPTS(bpf_kprobe_opts, opts, .offset = addr + FASTPATH_OFF);

		l_insn = bpf_program__attach_kprobe_opts(skel->progs.on_insn, NULL, &opts);
	}

	DECLARE_LIBBPF_OPTS(bpf_kprobe_opts, ropts, .retprobe = true);
	ropts.offset = 0xffffffff81a5c7d0;
	l_ret = bpf_program__attach_kprobe_opts(skel->progs.on_ret, NULL, &ropts);

	/* the same spot by name + relative offset, for comparison */
	l_name = bpf_program__attach_kprobe_opts(skel->progs.on_insn,
						 "tcp_rcv_established", &by_name);
	l_entry = bpf_program__attach_kprobe(skel->progs.on_entry, false, "tcp_v4_rcv");

	if (!l_insn || !l_ret || !l_name || !l_entry) {
		err = -errno;
		fprintf(stderr, "kaddr: attach failed: %s\n", strerror(-err));
		goto out;
	}

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	printf("attached; fast path at 0x%lx. Ctrl-C to stop.\n", addr + FASTPATH_OFF);
	while (!exiting) {
		sleep(1);
		printf("insn=%llu ret=%llu\n",
		       (unsigned long long)skel->bss->insn_hits,
		       (unsigned long long)skel->bss->ret_hits);
	}

out:
	bpf_link__destroy(l_entry);
	bpf_link__destroy(l_name);
	bpf_link__destroy(l_ret);
	bpf_link__destroy(l_insn);
	kaddr_bpf__destroy(skel);
	return err;
}
