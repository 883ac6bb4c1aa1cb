// SPDX-License-Identifier: Apache-2.0
/*
 * uspace_ksym.c - written for probe-migrator's corpus in the style of a
 * user-space observability agent.  The agent carries its OWN function
 * called kallsyms_lookup_name() - a /proc/kallsyms scanner - and uses it
 * only to ask "does this symbol exist on this kernel?" before attaching a
 * libbpf kprobe by NAME.  This is user space: the kernel's unexported
 * kallsyms_lookup_name() is not involved, and no address reaches a probe.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "agent.skel.h"

uint64_t kallsyms_lookup_name(const char *name)
{
	char buf[256], sym[200], t;
	void *addr = NULL;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%p %c %199s", &addr, &t, sym) != 3)
			continue;
		if (addr && !strcmp(sym, name)) {
			fclose(f);
			return (uint64_t)(uintptr_t)addr;
		}
	}
	fclose(f);
	return 0;
}

static const char *first_present(const char *const *cands, int n)
{
	for (int i = 0; i < n; i++)
		if (kallsyms_lookup_name(cands[i]))
			return cands[i];
	return NULL;
}

int main(void)
{
	static const char *const fork_names[] = {
		"__x64_sys_fork", "__arm64_sys_fork", "sys_fork",
	};
	struct agent_bpf *skel;
	const char *fork_fn;
	bool tramp_fixed;

	tramp_fixed = kallsyms_lookup_name("__bpf_tramp_image_put_rcu") != 0;
	fork_fn = first_present(fork_names, 3);
	if (!fork_fn) {
		fprintf(stderr, "no fork entry point found\n");
		return 1;
	}

	skel = agent_bpf__open_and_load();
	if (!skel)
		return 1;
	skel->links.fork_ret = bpf_program__attach_kprobe(skel->progs.fork_ret,
							  true, fork_fn);
	skel->links.tcp_send = bpf_program__attach_kprobe(skel->progs.tcp_send,
							  false, "tcp_sendmsg");
	printf("fork probe on %s (trampoline fix: %s)\n", fork_fn,
	       tramp_fixed ? "yes" : "no");
	getchar();
	agent_bpf__destroy(skel);
	return 0;
}
