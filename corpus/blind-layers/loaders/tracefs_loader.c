// SPDX-License-Identifier: GPL-2.0
/*
 * unlinkmon - define kprobe events through tracefs and print their ids
 * for the BPF loader, which attaches to the events' perf tracepoints.
 *
 * Symbol-based events are used where possible; two events sit on code
 * without a symbol and are placed by address, read from System.map.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#define TRACEFS "/sys/kernel/tracing"

static int write_probe(const char *def)
{
	int fd = open(TRACEFS "/kprobe_events", O_WRONLY | O_APPEND);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, def, strlen(def));
	close(fd);
	return n < 0 ? -errno : 0;
}

static unsigned long sysmap_addr(const char *name)
{
	char line[512], sym[256];
	unsigned long addr = 0, a;
	char t;
	FILE *f = fopen("/boot/System.map", "r");

	if (!f) {
		fprintf(stderr, "unlinkmon: no System.map; falling back to names\n");
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s", &a, &t, sym) == 3 &&
		    !strcmp(sym, name)) {
			addr = a;
			break;
		}
	}
	fclose(f);
	return addr;
}

static int event_id(const char *ev)
{
	char path[256];
	int id = -1;
	FILE *f;

	snprintf(path, sizeof(path), TRACEFS "/events/unlinkmon/%s/id", ev);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &id) != 1)
		id = -1;
	fclose(f);
	return id;
}

int main(void)
{
	char buf[256];
	unsigned long unl, unl_ret;
	int fd, err = 0;

	err |= write_probe("p:unlinkmon/unlinkat do_unlinkat dfd=%di\n");
	err |= write_probe("p:unlinkmon/rmdir do_rmdir+0x20\n");
	err |= write_probe("r:unlinkmon/rmdir_ret do_rmdir\n");

	unl = sysmap_addr("vfs_unlink");
	unl_ret = sysmap_addr("may_delete");
	if (unl && unl_ret) {
		snprintf(buf, sizeof(buf), "p:unlinkmon/vfs_unl 0x%lx\n", unl + 0x3e);
		err |= write_probe(buf);
		snprintf(buf, sizeof(buf), "r:unlinkmon/maydel_ret 0x%016lx ret=$retval\n",
			 unl_ret);
		err |= write_probe(buf);
	}
	err |= write_probe("p:unlinkmon/evict 0xffffffff812f0a30\n");

	fd = open(TRACEFS "/kprobe_events", O_WRONLY | O_APPEND);
	if (fd >= 0) {
		dprintf(fd, "p 0x%lx\n", unl + 0x51);
		dprintf(fd, "-:unlinkmon/stale\n");
		close(fd);
	}
	if (err)
		fprintf(stderr, "unlinkmon: some events failed: %s\n", strerror(-err));

	printf("unlinkat id=%d vfs_unl id=%d\n",
	       event_id("unlinkat"), event_id("vfs_unl"));

	write_probe("-:unlinkmon/unlinkat\n");
	write_probe("-:unlinkmon/vfs_unl\n");
	return 0;
}
