#!/usr/bin/env python3
# biolat_k  Summarize block I/O latency as a histogram.
#
# USAGE: biolat_k [-h] [-i INTERVAL] [-m]
#
# Written for the probe-migrator held-out set. Apache License 2.0.

from __future__ import print_function
from bcc import BPF
from time import sleep
import argparse

parser = argparse.ArgumentParser(description="Block I/O latency histogram")
parser.add_argument("-i", "--interval", type=int, default=5,
    help="output interval, in seconds")
parser.add_argument("-m", "--milliseconds", action="store_true",
    help="histogram in milliseconds")
args = parser.parse_args()

bpf_text = """
#include <uapi/linux/ptrace.h>
#include <linux/blkdev.h>
#include <linux/version.h>
#include <linux/kprobes.h>
""" + """
static unsigned long target;
module_param(target, ulong, 0444);

static struct kprobe kp_start;
static struct kprobe kp_issue;
static struct kprobe kp_merge;
static struct kprobe kp_done;

BPF_HASH(start, struct request *);
BPF_HISTOGRAM(dist);

static int plant(struct kprobe *p, unsigned long where)
{
    p->addr = (kprobe_opcode_t *)where;
    return register_kprobe(p);
}

static int setup_probes(void)
{
    kp_start.addr = (kprobe_opcode_t *)target;
    kp_issue.addr = (kprobe_opcode_t *)0xffffffff8133b2f0UL;
    kp_issue.offset = 5;
#if LINUX_VERSION_CODE < KERNEL_VERSION(2,6,19)
    kp_done.addr = (kprobe_opcode_t *)0xffffffff8133c1a0;
#else
    kp_done.symbol_name = "blk_account_io_done";
#endif
    return plant(&kp_merge, target);
}

int trace_req_start(struct pt_regs *ctx, struct request *req)
{
    u64 ts = bpf_ktime_get_ns();
    start.update(&req, &ts);
    return 0;
}

int trace_req_done(struct pt_regs *ctx, struct request *req)
{
    u64 *tsp = start.lookup(&req);
    if (tsp == 0)
        return 0;
    u64 delta = bpf_ktime_get_ns() - *tsp;
    delta /= FACTOR;
    dist.increment(bpf_log2l(delta));
    start.delete(&req);
    return 0;
}
"""

factor = 1000000 if args.milliseconds else 1000
b = BPF(text=bpf_text, cflags=["-DFACTOR=%d" % factor])
b.attach_kprobe(event="blk_mq_start_request", fn_name="trace_req_start")
b.attach_kprobe(event="blk_account_io_done", fn_name="trace_req_done")

label = "msecs" if args.milliseconds else "usecs"
print("Tracing block device I/O... Hit Ctrl-C to end.")
dist = b["dist"]
while True:
    try:
        sleep(args.interval)
    except KeyboardInterrupt:
        dist.print_log2_hist(label)
        exit()
    print()
    dist.print_log2_hist(label)
    dist.clear()
