#!/usr/bin/env python3
# forkstat_k  Count process creations per second.
#
# USAGE: forkstat_k [-h] [-i INTERVAL] [--example]
#
# Written for the probe-migrator held-out set. Apache License 2.0.

from __future__ import print_function
from bcc import BPF
from time import sleep, strftime
import argparse

MODULE_SAMPLE = r"""
/* What a hand-written module for the same job used to look like. */
static struct kprobe kp = {
	.addr = (kprobe_opcode_t *)0xffffffff81087a40,
};
"""

parser = argparse.ArgumentParser(description="Count process creations")
parser.add_argument("-i", "--interval", type=int, default=1,
    help="output interval, in seconds")
parser.add_argument("--example", action="store_true",
    help="print the legacy kernel module fragment and exit")
args = parser.parse_args()
if args.example:
    print(MODULE_SAMPLE)
    exit()

b = BPF(text=r"""
#include <uapi/linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/kprobes.h>

/* this tool never calls kallsyms_lookup_name(); see --example */

extern void wake_up_new_task(struct task_struct *p);

static long jkernel_clone(struct kernel_clone_args *args)
{
	jprobe_return();
	return 0;
}

static struct jprobe jp_clone = {
	.entry = jkernel_clone,
	.kp = {
		.addr = (kprobe_opcode_t *)0xffffffff81087a40,
	},
};

static struct kretprobe krp_wake = {
	.kp.addr = (kprobe_opcode_t *)&wake_up_new_task,
	.maxactive = 16,
};

static struct kretprobe krp_copy = {
	.kp.symbol_name = "copy_process",
	.maxactive = 16,
};

BPF_ARRAY(forks, u64, 1);

int count_fork(struct pt_regs *ctx)
{
	int zero = 0;

	forks.increment(zero);
	return 0;
}
""")
b.attach_kprobe(event="wake_up_new_task", fn_name="count_fork")

print("Counting forks... Hit Ctrl-C to end.")
forks = b["forks"]
while True:
    try:
        sleep(args.interval)
    except KeyboardInterrupt:
        exit()
    n = forks[0].value
    forks.clear()
    print("%s %d forks/%ds" % (strftime("%H:%M:%S"), n, args.interval))
