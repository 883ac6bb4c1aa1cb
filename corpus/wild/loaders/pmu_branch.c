// SPDX-License-Identifier: GPL-2.0
/*
 * pmu_branch.c - written for probe-migrator's corpus in the style of a
 * samples/bpf "task fd query" test: one helper opens kprobe-PMU and
 * uprobe-PMU perf events, choosing "function + offset" or "absolute
 * address" in two branches, and the test calls it both ways.
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EVSRC "/sys/bus/event_source/devices/"

static int read_num(const char *path)
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

static unsigned long long map_lookup(const char *sym)
{
	char name[128], t;
	unsigned long long a;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fscanf(f, "%llx %c %127s%*[^\n]\n", &a, &t, name) == 3)
		if (!strcmp(name, sym)) {
			fclose(f);
			return a;
		}
	fclose(f);
	return 0;
}

/* func != NULL: func + off;  func == NULL: absolute address in where */
static int open_kprobe(const char *func, __u64 off, __u64 where, int ret)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = read_num(EVSRC "kprobe/type");
	attr.sample_period = 1;
	if (ret)
		attr.config |= 1ULL << read_num(EVSRC "kprobe/format/retprobe");
	if (func) {
		attr.config1 = (__u64)(unsigned long)func;
		attr.config2 = off;
	} else {
		attr.config1 = 0;
		attr.config2 = where;
	}
	return syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
}

/* uprobe: config1 is the binary path, config2 the file offset */
static int open_uprobe(const char *path, __u64 file_off)
{
	struct perf_event_attr up;

	memset(&up, 0, sizeof(up));
	up.size = sizeof(up);
	up.type = read_num(EVSRC "uprobe/type");
	up.config1 = (__u64)(unsigned long)path;
	up.config2 = file_off;
	return syscall(__NR_perf_event_open, &up, getpid(), -1, -1, PERF_FLAG_FD_CLOEXEC);
}

int main(void)
{
	int fds[4];
	int i;

	fds[0] = open_kprobe("bpf_check", 0x0, 0, 0);
	fds[1] = open_kprobe("bpf_check", 0x5, 0, 0);
	fds[2] = open_kprobe(NULL, 0, map_lookup("bpf_check"), 1);
	fds[3] = open_uprobe("/proc/self/exe", 0x1130);

	for (i = 0; i < 4; i++)
		printf("fd[%d] = %d\n", i, fds[i]);
	return 0;
}
