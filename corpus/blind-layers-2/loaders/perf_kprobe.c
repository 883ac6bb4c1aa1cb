// SPDX-License-Identifier: GPL-2.0
/*
 * perf_kprobe - count hits of kernel probes through the kprobe PMU
 * (perf_event_open with the dynamic "kprobe" type, no tracefs needed).
 *
 *   perf_kprobe ADDR        probe a raw kernel text address (hex)
 *   perf_kprobe -f FUNC     probe a function by name
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>

/* fallback site for the lab kernel when no argument is given */
#define TARGET_ADDR 0xffffffff8112e4a0ULL

static int read_int_file(const char *path, const char *fmt)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, fmt, &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int perf_open(struct perf_event_attr *attr)
{
	return syscall(__NR_perf_event_open, attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
}

static int kprobe_open_addr(int type, int retbit, __u64 addr, int ret)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	if (ret)
		attr.config |= 1ULL << retbit;
	attr.kprobe_addr = addr;
	return perf_open(&attr);
}

static int kprobe_open_fixed(int type)
{
	struct perf_event_attr attr = {
		.size = sizeof(struct perf_event_attr),
		.type = type,
	};

	attr.config2 = TARGET_ADDR;
	return perf_open(&attr);
}

static int kprobe_open_name(int type, const char *func, __u64 off)
{
	struct perf_event_attr attr = {};

	attr.size = sizeof(attr);
	attr.type = type;
	attr.kprobe_func = (__u64)(uintptr_t)func;
	attr.probe_offset = off;
	return perf_open(&attr);
}

static int uprobe_open(int type, const char *path, __u64 off)
{
	struct perf_event_attr attr = {};

	attr.size = sizeof(attr);
	attr.type = type;
	attr.config1 = (__u64)(uintptr_t)path;
	attr.config2 = off;
	return perf_open(&attr);
}

static int watch_open(void *where)
{
	struct perf_event_attr attr = {};

	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_BREAKPOINT;
	attr.bp_type = HW_BREAKPOINT_W;
	attr.bp_addr = (__u64)(uintptr_t)where;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	return perf_open(&attr);
}

static long long read_count(int fd)
{
	long long n = -1;

	if (fd < 0 || read(fd, &n, sizeof(n)) != sizeof(n))
		return -1;
	return n;
}

int main(int argc, char **argv)
{
	int ktype = read_int_file("/sys/bus/event_source/devices/kprobe/type", "%d");
	int utype = read_int_file("/sys/bus/event_source/devices/uprobe/type", "%d");
	int retbit = read_int_file("/sys/bus/event_source/devices/kprobe/format/retprobe", "config:%d");
	static long watched;
	int fds[5], i;

	if (ktype < 0 || retbit < 0) {
		fprintf(stderr, "no kprobe PMU; need Linux 4.17+\n");
		return 1;
	}
	if (argc > 2 && strcmp(argv[1], "-f") == 0) {
		fds[0] = kprobe_open_name(ktype, argv[2], 0);
		fds[1] = kprobe_open_name(ktype, argv[2], 0x10);
	} else if (argc > 1) {
		__u64 addr = strtoull(argv[1], NULL, 16);

		fds[0] = kprobe_open_addr(ktype, retbit, addr, 0);
		fds[1] = kprobe_open_addr(ktype, retbit, addr, 1);
	} else {
		fds[0] = kprobe_open_fixed(ktype);
		fds[1] = -1;
	}
	fds[2] = utype < 0 ? -1 : uprobe_open(utype, "/usr/bin/bash", 0xd5690);
	fds[3] = watch_open(&watched);
	fds[4] = -1;

	if (fds[0] < 0) {
		fprintf(stderr, "perf_event_open: %s (is the address in /proc/kallsyms?)\n",
			strerror(errno));
		return 1;
	}
	for (i = 0; i < 4; i++)
		if (fds[i] >= 0)
			ioctl(fds[i], PERF_EVENT_IOC_ENABLE, 0);
	sleep(5);
	for (i = 0; i < 4; i++)
		printf("probe %d: %lld hits\n", i, read_count(fds[i]));
	return 0;
}
