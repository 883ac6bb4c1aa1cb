// SPDX-License-Identifier: GPL-2.0
/* perf_kprobe: count vfs_write calls with the kprobe PMU, by address. */
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int kprobe_type(void)
{
	/* read from /sys/bus/event_source/devices/kprobe/type */
	return 6;
}

int open_by_addr(void)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = kprobe_type();
	attr.kprobe_addr = 0xffffffff81367160ULL;
	return syscall(__NR_perf_event_open, &attr, -1, 0, -1, 0);
}

int open_by_config(void)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = kprobe_type(),
		.config2 = 0xffffffff81363fb1,
	};
	return syscall(__NR_perf_event_open, &attr, -1, 0, -1, 0);
}

int open_by_name(void)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = kprobe_type(),
		.config1 = (__u64)(unsigned long)"vfs_read",
		.config2 = 0,
	};
	return syscall(__NR_perf_event_open, &attr, -1, 0, -1, 0);
}
