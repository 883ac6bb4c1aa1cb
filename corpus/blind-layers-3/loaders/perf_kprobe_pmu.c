/*
 * perf_kprobe_pmu.c - count hits of kernel locations through the perf
 * "kprobe" PMU (no tracefs needed), plus a tracepoint and a uprobe for
 * comparison.  Build: cc -O2 -o perf_kprobe_pmu perf_kprobe_pmu.c
 *
 * usage: perf_kprobe_pmu HEXADDR [seconds]
 */
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PMU_DIR "/sys/bus/event_source/devices/"

static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int sys_perf_event_open(struct perf_event_attr *attr)
{
	return syscall(__NR_perf_event_open, attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
}

/* kprobe at an absolute kernel address */
static int open_kprobe_addr(uint64_t where, int is_ret)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = read_int(PMU_DIR "kprobe/type");
	attr.config = is_ret ? 1ULL << read_int(PMU_DIR "kprobe/format/retprobe") : 0;
	attr.kprobe_addr = where;
	attr.sample_period = 1;
	return sys_perf_event_open(&attr);
}

/* kprobe at function + offset */
static int open_kprobe_func(const char *func, uint64_t off)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = read_int(PMU_DIR "kprobe/type");
	attr.kprobe_func = (uint64_t)(uintptr_t)func;
	attr.probe_offset = off;
	return sys_perf_event_open(&attr);
}

/* first address of a text symbol in the installed map, 0 if none */
static uint64_t map_lookup(const char *name)
{
	char sym[256], type;
	unsigned long long a;
	uint64_t found = 0;
	FILE *f = fopen("/boot/System.map", "r");

	if (!f)
		return 0;
	while (fscanf(f, "%llx %c %255s", &a, &type, sym) == 3) {
		if ((type == 't' || type == 'T') && strcmp(sym, name) == 0) {
			found = a;
			break;
		}
	}
	fclose(f);
	return found;
}

static long long count(int fd)
{
	long long n = 0;

	if (fd < 0 || read(fd, &n, sizeof(n)) != sizeof(n))
		return -1;
	return n;
}

int main(int argc, char **argv)
{
	int kp_type = read_int(PMU_DIR "kprobe/type");
	int up_type = read_int(PMU_DIR "uprobe/type");
	int tp_id = read_int("/sys/kernel/tracing/events/sched/sched_switch/id");
	unsigned secs = argc > 2 ? atoi(argv[2]) : 5;
	int fds[7], i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s HEXADDR [seconds]\n", argv[0]);
		return 2;
	}

	struct perf_event_attr fixed = {
		.type = kp_type,
		.size = sizeof(fixed),
		.config2 = 0xffffffff8123a4b0ULL,
		.sample_period = 1,
	};
	struct perf_event_attr named = {
		.type = kp_type,
		.size = sizeof(named),
		.config1 = (uint64_t)(uintptr_t)"do_nanosleep",
		.config2 = 0x8,
	};
	struct perf_event_attr tp = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(tp),
		.config = tp_id,
		.sample_period = 1,
	};
	struct perf_event_attr up, dup;

	memset(&up, 0, sizeof(up));
	up.size = sizeof(up);
	up.type = up_type;
	up.uprobe_path = (uint64_t)(uintptr_t)"/bin/bash";
	up.probe_offset = 0x4a0;

	memset(&dup, 0, sizeof(dup));
	dup.size = sizeof(dup);
	dup.type = kp_type;
	dup.config2 = map_lookup("type_show");
	dup.sample_period = 1;

	fds[0] = open_kprobe_addr(strtoull(argv[1], NULL, 16), 0);
	fds[1] = open_kprobe_func("vfs_read", 0);
	fds[2] = sys_perf_event_open(&fixed);
	fds[3] = sys_perf_event_open(&named);
	fds[4] = sys_perf_event_open(&tp);
	fds[5] = sys_perf_event_open(&up);
	fds[6] = sys_perf_event_open(&dup);

	sleep(secs);
	for (i = 0; i < 7; i++)
		printf("event %d: %lld\n", i, count(fds[i]));
	printf("(event 0 was at 0x%s)\n", argv[1]);
	return 0;
}
