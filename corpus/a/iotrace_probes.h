/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iotrace_probes.h - probe points shared by iotrace_main.c and
 * iotrace_stats.c.  Only iotrace_main.c defines IOTRACE_DEFINE_PROBES
 * before including this file.
 *
 * Addresses are for 6.1.0-56-amd64 (System.map), nokaslr only.
 */
#ifndef _IOTRACE_PROBES_H
#define _IOTRACE_PROBES_H

#include <linux/kprobes.h>
#include <linux/types.h>

/* ksys_write, System.map */
#define IOTRACE_KSYS_WRITE	0xffffffff81367680

enum iotrace_point {
	IOTRACE_READ,
	IOTRACE_WRITE,
	IOTRACE_NR_POINTS,
};

struct iotrace_counters {
	u64 calls;
	u64 bytes;
};

extern struct iotrace_counters iotrace_cnt[IOTRACE_NR_POINTS];

int iotrace_read_pre(struct kprobe *p, struct pt_regs *regs);
int iotrace_write_pre(struct kprobe *p, struct pt_regs *regs);
int iotrace_stats_init(void);
void iotrace_stats_exit(void);

#ifdef IOTRACE_DEFINE_PROBES
static struct kprobe iotrace_read_kp = {
	.addr		= (kprobe_opcode_t *)0xffffffff81367550,	/* ksys_read */
	.pre_handler	= iotrace_read_pre,
};

static struct kprobe iotrace_write_kp = {
	.addr		= (kprobe_opcode_t *)IOTRACE_KSYS_WRITE,
	.pre_handler	= iotrace_write_pre,
};

static struct kprobe *iotrace_kps[IOTRACE_NR_POINTS] = {
	[IOTRACE_READ]	= &iotrace_read_kp,
	[IOTRACE_WRITE]	= &iotrace_write_kp,
};
#endif /* IOTRACE_DEFINE_PROBES */

#endif /* _IOTRACE_PROBES_H */
