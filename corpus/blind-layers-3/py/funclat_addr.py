#!/usr/bin/env python3
# @lint-avoid-python-3-compatibility-imports
#
# funclat_addr  Histogram of a kernel function's latency, by name or by address.
#               For Linux, uses BCC, eBPF.
#
# USAGE: funclat_addr [-h] [-a HEXADDR] [-i INTERVAL] [-d DURATION] [-m]
#                     [--kallsyms] [--tracefs] [--legacy-module] [function]
#
# Symbols that are static or inlined twice can't be told apart by name; the
# -a option takes the start address from a symbol dump instead (see
# /proc/kallsyms as root).
#
# 11-Mar-2021   written for the lab's latency board

from __future__ import print_function
from bcc import BPF
from time import sleep, strftime
import argparse
import os
import sys

KALLSYMS = "/proc/kallsyms"
TRACEFS = "/sys/kernel/tracing"

examples = """examples:
    ./funclat_addr vfs_read               # by name
    ./funclat_addr -m tcp_sendmsg         # milliseconds
    ./funclat_addr -a ffffffff8139f2d0    # by start address
    ./funclat_addr --kallsyms vfs_read    # print where vfs_read lives, then trace
"""
parser = argparse.ArgumentParser(
    description="Time a kernel function and show a latency histogram",
    formatter_class=argparse.RawDescriptionHelpFormatter,
    epilog=examples)
parser.add_argument("-a", "--address",
    help="attach at this hex address instead of a function name")
parser.add_argument("-i", "--interval", type=int, default=99999999,
    help="summary interval, seconds")
parser.add_argument("-d", "--duration", type=int,
    help="total duration of trace, seconds")
parser.add_argument("-m", "--milliseconds", action="store_true",
    help="millisecond histogram")
parser.add_argument("--kallsyms", action="store_true",
    help="report the symbol's address before tracing")
parser.add_argument("--tracefs", action="store_true",
    help="also create plain kprobe events for 'perf trace' users")
parser.add_argument("--legacy-module", action="store_true",
    help="compile the old in-kernel counter instead (pre-4.1 kernels)")
parser.add_argument("function", nargs="?", default="vfs_read",
    help="kernel function to trace")
args = parser.parse_args()


def kallsyms_addr(name):
    with open(KALLSYMS) as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 3 and fields[2] == name:
                return int(fields[0], 16)
    sys.exit("error: %s not found (is /proc/kallsyms readable?)" % name)


bpf_text = """
#include <uapi/linux/ptrace.h>

struct slot_key {
    u64 addr;
    u64 slot;
};

BPF_HASH(start, u32);
BPF_HISTOGRAM(dist, struct slot_key);

int trace_entry(struct pt_regs *ctx)
{
    u32 tid = bpf_get_current_pid_tgid();
    u64 ts = bpf_ktime_get_ns();
    start.update(&tid, &ts);
    return 0;
}

int trace_return(struct pt_regs *ctx)
{
    struct slot_key key = {};
    u32 tid = bpf_get_current_pid_tgid();
    u64 *tsp = start.lookup(&tid);
    if (tsp == 0)
        return 0;
    u64 delta = bpf_ktime_get_ns() - *tsp;
    start.delete(&tid);
    FACTOR
    key.addr = PT_REGS_IP(ctx);
    key.slot = bpf_log2l(delta);
    dist.increment(key);
    return 0;
}
"""

legacy_text = """
#include <linux/kprobes.h>

static struct kprobe kp_entry;
static struct kprobe kp_helper;
static unsigned long hits;

static int count_hit(struct kprobe *p, struct pt_regs *regs)
{
    hits++;
    return 0;
}

int legacy_init(void)
{
    kp_entry.addr = (kprobe_opcode_t *)0xffffffff8139f2d0;
    kp_entry.pre_handler = count_hit;
    kp_helper.addr = (kprobe_opcode_t *)kallsyms_lookup_name("rw_verify_area");
    kp_helper.pre_handler = count_hit;
    register_kprobe(&kp_entry);
    return register_kprobe(&kp_helper);
}
"""

if args.legacy_module:
    BPF(text=legacy_text)
    sys.exit(0)

if args.milliseconds:
    bpf_text = bpf_text.replace("FACTOR", "delta /= 1000000;")
    label = "msecs"
else:
    bpf_text = bpf_text.replace("FACTOR", "delta /= 1000;")
    label = "usecs"

b = BPF(text=bpf_text)
if args.address:
    target_addr = int(args.address, 16)
    b.attach_kprobe(event=target_addr, fn_name="trace_entry")
    b.attach_kretprobe(event=target_addr, fn_name="trace_return")
    if args.tracefs:
        with open(os.path.join(TRACEFS, "kprobe_events"), "a") as ke:
            ke.write("p:funclat/entry 0x%x\n" % target_addr)
            ke.write("r:funclat/exit {addr:#x}\n".format(addr=target_addr))
else:
    if args.kallsyms:
        where = kallsyms_addr(args.function)
        print("%s is at 0x%x" % (args.function, where))
    b.attach_kprobe(event=args.function, fn_name="trace_entry")
    b.attach_kretprobe(event=args.function, fn_name="trace_return")
    if args.tracefs:
        with open(os.path.join(TRACEFS, "kprobe_events"), "a") as ke:
            ke.write("p:funclat/entry %s\n" % args.function)
            ke.write("r:funclat/exit %s $retval\n" % args.function)

print("Tracing %s... Hit Ctrl-C to end." % (args.address or args.function))
seconds = 0
while True:
    try:
        sleep(args.interval)
        seconds += args.interval
    except KeyboardInterrupt:
        break
    print("\n%s" % strftime("%H:%M:%S"))
    b["dist"].print_log2_hist(label, "addr", section_print_fn=lambda a: "0x%x" % a)
    b["dist"].clear()
    if args.duration and seconds >= args.duration:
        break

if args.tracefs:
    with open(os.path.join(TRACEFS, "kprobe_events"), "a") as ke:
        ke.write("-:funclat/entry\n-:funclat/exit\n")
