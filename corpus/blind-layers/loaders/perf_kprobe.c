// SPDX-License-Identifier: GPL-2.0
/*
 * pkprobe - create kprobes through the perf "kprobe" PMU (no tracefs) and
 * attach an already-loaded BPF program (pinned at argv[1]) to them.
 *
 * Probes by function name are the normal case; the address variants exist
 * for the lab kernels, where the interesting code was inlined.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>

#define PMU_DIR "/sys/bus/event_source/devices"

static int read_pmu_int(const char *path, const char *fmt)
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

static int pmu_type(const char *pmu)
{
	char path[256];

	snprintf(path, sizeof(path), PMU_DIR "/%s/type", pmu);
	return read_pmu_int(path, "%d");
}

static int retprobe_bit(void)
{
	return read_pmu_int(PMU_DIR "/kprobe/format/retprobe", "config:%d");
}

static int perf_open(struct perf_event_attr *attr)
{
	return syscall(__NR_perf_event_open, attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
}

/* by name (+ relative offset): the supported way */
static int kprobe_by_name(const char *func, uint64_t off, int ret)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = pmu_type("kprobe");
	if (ret)
		attr.config |= 1ULL << retprobe_bit();
	attr.kprobe_func = (uint64_t)(uintptr_t)func;
	attr.probe_offset = off;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	return perf_open(&attr);
}

/* old-style name set-up through the raw config words */
static int kprobe_by_name_raw(const char *func)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = pmu_type("kprobe");
	attr.config1 = (uint64_t)(uintptr_t)func;
	attr.config2 = 0x8;
	attr.sample_period = 1;
	return perf_open(&attr);
}

/* by absolute address */
static int kprobe_by_addr(uint64_t addr, int ret)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = pmu_type("kprobe");
	if (ret)
		attr.config |= 1ULL << retprobe_bit();
	attr.kprobe_addr = addr;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	return perf_open(&attr);
}

static int kprobe_by_config2(uint64_t where)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = pmu_type("kprobe");
	attr.config2 = where;
	attr.sample_period = 1;
	return perf_open(&attr);
}

static int kretprobe_fixed(void)
{
	struct perf_event_attr attr = {
		.size = sizeof(struct perf_event_attr),
		.type = pmu_type("kprobe"),
		.config = 1ULL << retprobe_bit(),
		.kprobe_addr = 0xffffffff8129d4c0ULL,
		.sample_period = 1,
	};

	return perf_open(&attr);
}

static int uprobe_bash(void)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = pmu_type("uprobe");
	attr.uprobe_path = (uint64_t)(uintptr_t)"/bin/bash";
	attr.probe_offset = 0x4a0;
	attr.sample_period = 1;
	return perf_open(&attr);
}

static int tracepoint(int id)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = id;
	attr.sample_period = 1;
	return perf_open(&attr);
}

int main(int argc, char **argv)
{
	int prog_fd, fds[8], n = 0, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s /sys/fs/bpf/PROG\n", argv[0]);
		return 1;
	}
	prog_fd = bpf_obj_get(argv[1]);
	if (prog_fd < 0) {
		perror("bpf_obj_get");
		return 1;
	}

	fds[n++] = kprobe_by_name("do_sys_openat2", 0, 0);
	fds[n++] = kprobe_by_name("do_sys_openat2", 0, 1);
	fds[n++] = kprobe_by_name_raw("vfs_statx");
	fds[n++] = kprobe_by_addr(0xffffffff8129d512ULL, 0);
	fds[n++] = kprobe_by_config2(0xffffffff8129d530ULL);
	fds[n++] = kretprobe_fixed();
	fds[n++] = uprobe_bash();
	fds[n++] = tracepoint(argc > 2 ? atoi(argv[2]) : 0);

	for (i = 0; i < n; i++) {
		if (fds[i] < 0) {
			fprintf(stderr, "probe %d: %s\n", i, strerror(errno));
			continue;
		}
		if (ioctl(fds[i], PERF_EVENT_IOC_SET_BPF, prog_fd) ||
		    ioctl(fds[i], PERF_EVENT_IOC_ENABLE, 0))
			fprintf(stderr, "probe %d: attach: %s\n", i, strerror(errno));
	}
	pause();
	return 0;
}
