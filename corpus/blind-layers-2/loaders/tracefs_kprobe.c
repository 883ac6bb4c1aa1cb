// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs_kprobe - define kprobe events for the watchdog sites and enable them.
 *
 * Sites come from a text file of "name hexaddr" pairs generated at image build
 * time; a couple of fixed ones are compiled in.  Functions that must be probed
 * by name are listed separately.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRACEFS "/sys/kernel/tracing"
#define GROUP "wdog"
#define MAX_SITES 32

static int kevents_fd = -1;

static int add_addr_probe(const char *name, unsigned long addr)
{
	return dprintf(kevents_fd, "p:%s/%s 0x%lx\n", GROUP, name, addr);
}

static int add_ret_probe(const char *name, unsigned long addr)
{
	char buf[256];
	int n;

	n = snprintf(buf, sizeof(buf), "r:%s/%s_ret %#lx ret=$retval\n", GROUP, name, addr);
	return write(kevents_fd, buf, n);
}

static int add_sym_probe(const char *name, const char *sym, unsigned int off)
{
	if (off)
		return dprintf(kevents_fd, "p:%s/%s %s+%u\n", GROUP, name, sym, off);
	return dprintf(kevents_fd, "p:%s/%s %s\n", GROUP, name, sym);
}

static void del_probe(const char *name)
{
	dprintf(kevents_fd, "-:%s/%s\n", GROUP, name);
}

static unsigned long kallsyms_find(const char *want)
{
	char line[512], sym[256];
	unsigned long a;
	FILE *ks = fopen("/proc/kallsyms", "r");

	if (!ks)
		return 0;
	while (fgets(line, sizeof(line), ks)) {
		if (sscanf(line, "%lx %*c %255s", &a, sym) == 2 && !strcmp(sym, want)) {
			fclose(ks);
			return a;
		}
	}
	fclose(ks);
	return 0;
}

int main(int argc, char **argv)
{
	const char *sites_file = argc > 1 ? argv[1] : "/etc/wdog/sites";
	unsigned long long sites[MAX_SITES];
	char names[MAX_SITES][64];
	int nsites = 0, i;
	unsigned long lockup;
	FILE *fp, *sf, *up;

	kevents_fd = open(TRACEFS "/kprobe_events", O_WRONLY | O_APPEND);
	if (kevents_fd < 0) {
		perror("open kprobe_events");
		return 1;
	}

	sf = fopen(sites_file, "r");
	while (sf && nsites < MAX_SITES &&
	       fscanf(sf, "%63s %llx", names[nsites], &sites[nsites]) == 2)
		nsites++;
	if (sf)
		fclose(sf);

	fp = fopen(TRACEFS "/kprobe_events", "a");
	if (!fp)
		return 1;
	for (i = 0; i < nsites; i++)
		fprintf(fp, "p:%s/site_%d 0x%llx\n", GROUP, i, sites[i]);
	fputs("p:wdog/touch_fixed 0xffffffff8123abcd\n", fp);
	fputs("p:wdog/touch watchdog_touch\n", fp);
	fclose(fp);

	lockup = kallsyms_find("watchdog_overflow_callback");
	if (lockup) {
		add_addr_probe("overflow", lockup);
		add_ret_probe("overflow", lockup);
	} else {
		fprintf(stderr, "watchdog_overflow_callback missing from /proc/kallsyms, using name\n");
		add_sym_probe("overflow", "watchdog_overflow_callback", 0);
	}
	add_sym_probe("hrtimer", "watchdog_timer_fn", 0x2b);

	up = fopen(TRACEFS "/uprobe_events", "a");
	if (up) {
		fprintf(up, "p:%s/pet /usr/sbin/watchdog:0x%lx\n", GROUP, 0x41f0UL);
		fclose(up);
	}

	printf("defined %d sites; enable with: echo 1 > %s/events/%s/enable\n",
	       nsites + 3, TRACEFS, GROUP);
	if (argc > 2 && !strcmp(argv[2], "--remove")) {
		del_probe("overflow");
		del_probe("overflow_ret");
		del_probe("hrtimer");
	}
	close(kevents_fd);
	return 0;
}
