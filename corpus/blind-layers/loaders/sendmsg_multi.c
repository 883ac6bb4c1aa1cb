// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sendmsg_multi - attach one BPF program to a list of send paths.  Each
 * entry names a function and an offset inside it; when a name cannot be
 * attached (renamed or inlined on this kernel) an optional absolute
 * fallback address is tried instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "sendmsg_multi.skel.h"

/* kept as parallel arrays so the generator script can append columns */
static const char *site_func[] = {
	"tcp_sendmsg",
	"udp_sendmsg",
	"tcp_sendmsg_locked",
};
static const unsigned long site_off[] = { 0x14, 0x0, 0x3c };
static unsigned long fallback[] = { 0, 0, 0 };
#define NSITES (sizeof(site_func) / sizeof(site_func[0]))

/* a record in the user-space spool file; unrelated to probes */
struct spool_rec {
	unsigned int len;
	unsigned long offset;
};

static int spool_append(FILE *spool, unsigned long pos, unsigned int len)
{
	struct spool_rec rec;

	rec.len = len;
	rec.offset = 0xffffffff81000000UL + pos;
	return fwrite(&rec, sizeof(rec), 1, spool) == 1 ? 0 : -1;
}

int main(void)
{
	struct sendmsg_multi_bpf *skel;
	struct bpf_link *links[NSITES + 2] = {};
	struct bpf_program *prog;
	FILE *spool;
	size_t i;

	skel = sendmsg_multi_bpf__open_and_load();
	if (!skel)
		return 1;
	if (getenv("SENDMSG_UDP_ADDR"))
		fallback[1] = strtoul(getenv("SENDMSG_UDP_ADDR"), NULL, 0);
	prog = skel->progs.on_send;

	for (i = 0; i < NSITES; i++) {
		LIBBPF_OPTS(bpf_kprobe_opts, o, .offset = site_off[i]);

		links[i] = bpf_program__attach_kprobe_opts(prog, site_func[i], &o);
		if (!links[i] && fallback[i]) {
			LIBBPF_OPTS(bpf_kprobe_opts, fb, .offset = fallback[i]);

			fprintf(stderr, "%s: %s, trying 0x%lx\n", site_func[i],
				strerror(errno), fallback[i]);
			links[i] = bpf_program__attach_kprobe_opts(prog, NULL, &fb);
		}
	}

	{
		struct bpf_kprobe_opts ret_opts = {
			.sz = sizeof(ret_opts),
			.retprobe = true,
			.offset = 0xffffffff81b8a0c0,
		};

		links[NSITES] = bpf_program__attach_kprobe_opts(skel->progs.on_send_ret,
								NULL, &ret_opts);
	}

	{
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = "SSL_write");

		links[NSITES + 1] = bpf_program__attach_uprobe_opts(skel->progs.on_ssl, -1,
								    "libssl.so.3", 0, &uo);
	}

	spool = fopen("/var/tmp/sendmsg_multi.spool", "a");
	if (spool) {
		spool_append(spool, 0x40, 64);
		fclose(spool);
	}

	printf("attached; Ctrl-C to stop\n");
	pause();
	for (i = 0; i < NSITES + 2; i++)
		bpf_link__destroy(links[i]);
	sendmsg_multi_bpf__destroy(skel);
	return 0;
}
