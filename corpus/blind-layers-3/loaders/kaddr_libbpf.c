// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kaddr_libbpf - load kaddr.bpf.o and attach its programs:
 *   on_entry   at the N-th copy of a duplicated static function, by address
 *   on_send    at tcp_sendmsg+0x1d, by name
 *   on_cold    at a .cold text block given on the command line
 *   on_read    at vfs_read, by name
 *   on_stat    at the return of show_stat in the packaged 6.1.0-13 kernel
 *
 * usage: kaddr_libbpf SYMBOL NTH COLD_HEXADDR
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

struct window {
	unsigned long offset;
	unsigned long len;
};

static void on_sig(int sig)
{
	(void)sig;
	stop = 1;
}

/* address of the nth (0-based) text symbol called name, 0 if none */
static unsigned long ksym_nth(const char *name, int nth)
{
	char line[512], sym[256], type;
	unsigned long addr;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s", &addr, &type, sym) != 3)
			continue;
		if ((type == 't' || type == 'T') && !strcmp(sym, name) && nth-- == 0) {
			fclose(f);
			return addr;
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p_entry, *p_send, *p_cold, *p_read, *p_stat;
	struct bpf_link *links[5] = {};
	struct window scan = { .offset = 0xffffffff81000000UL, .len = 0x1000000 };
	unsigned long addr;
	int i, err = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: %s SYMBOL NTH COLD_HEXADDR\n", argv[0]);
		return 2;
	}
	addr = ksym_nth(argv[1], atoi(argv[2]));
	if (!addr) {
		fprintf(stderr, "%s #%s: not in /proc/kallsyms (or hidden)\n", argv[1], argv[2]);
		return 1;
	}
	if (addr < scan.offset || addr >= scan.offset + scan.len)
		fprintf(stderr, "warning: 0x%lx is outside the core kernel text\n", addr);

	obj = bpf_object__open_file("kaddr.bpf.o", NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "failed to open/load kaddr.bpf.o\n");
		return 1;
	}
	p_entry = bpf_object__find_program_by_name(obj, "on_entry");
	p_send = bpf_object__find_program_by_name(obj, "on_send");
	p_cold = bpf_object__find_program_by_name(obj, "on_cold");
	p_read = bpf_object__find_program_by_name(obj, "on_read");
	p_stat = bpf_object__find_program_by_name(obj, "on_stat");

	LIBBPF_OPTS(bpf_kprobe_opts, at_opts, .offset = addr);
	links[0] = bpf_program__attach_kprobe_opts(p_entry, NULL, &at_opts);

	LIBBPF_OPTS(bpf_kprobe_opts, send_opts, .offset = 0x1d, .retprobe = false);
	links[1] = bpf_program__attach_kprobe_opts(p_send, "tcp_sendmsg", &send_opts);

	LIBBPF_OPTS(bpf_kprobe_opts, cold_opts);
	cold_opts.retprobe = false;
	cold_opts.offset = strtoul(argv[3], NULL, 16);
	links[2] = bpf_program__attach_kprobe_opts(p_cold, NULL, &cold_opts);

	links[3] = bpf_program__attach_kprobe(p_read, false, "vfs_read");

	/* nokaslr boot of the packaged kernel; two show_stat copies there */
	LIBBPF_OPTS(bpf_kprobe_opts, stat_opts, .retprobe = true);
	stat_opts.offset = 0xffffffff8153c9e0UL;
	links[4] = bpf_program__attach_kprobe_opts(p_stat, NULL, &stat_opts);

	for (i = 0; i < 5; i++) {
		if (!links[i]) {
			err = -errno;
			fprintf(stderr, "attach %d failed: %s\n", i, strerror(errno));
			goto out;
		}
	}
	printf("attached: %s#%s at 0x%lx, tcp_sendmsg+0x1d, %s, vfs_read\n",
	       argv[1], argv[2], addr, argv[3]);

	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	while (!stop)
		sleep(1);
out:
	for (i = 0; i < 5; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return err ? 1 : 0;
}
