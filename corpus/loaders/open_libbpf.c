// SPDX-License-Identifier: GPL-2.0
/* open_libbpf: attach the openat counter at an address copied from System.map. */
#include <stdio.h>
#include <bpf/libbpf.h>
#include "open.skel.h"

int main(void)
{
	struct open_bpf *skel = open_bpf__open_and_load();
	LIBBPF_OPTS(bpf_kprobe_opts, opts);
	LIBBPF_OPTS(bpf_kprobe_opts, ropts, .offset = 0xffffffff813669e0, .retprobe = true);
	struct bpf_link *l1, *l2, *l3;

	if (!skel)
		return 1;
	opts.offset = 0xffffffff81363fb1;
	l1 = bpf_program__attach_kprobe_opts(skel->progs.on_open, NULL, &opts);
	l2 = bpf_program__attach_kprobe_opts(skel->progs.on_read_ret, NULL, &ropts);
	l3 = bpf_program__attach_kprobe(skel->progs.on_clone, false, "kernel_clone");
	printf("%p %p %p\n", (void *)l1, (void *)l2, (void *)l3);
	return 0;
}
