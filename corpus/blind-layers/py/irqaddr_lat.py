#!/usr/bin/env python3
# irqaddr_lat  Histogram of the time spent in the body of an IRQ handler.
#              For lab kernels where the interesting part of the handler
#              has been inlined and has no symbol of its own.
#
# USAGE: irqaddr_lat [-h] [-m {sym,off,addr,raw}] [-k KSYMS] [interval]
#
# 12-Mar-2023   written for the storage team's nokaslr test boxes

from __future__ import print_function
from bcc import BPF
from time import sleep
import argparse

# handle_irq_event+0x3c on 6.1.0-18-amd64 (nokaslr); re-check after upgrades
HANDLER_BODY = 0xffffffff810f3a2c

examples = """examples:
    ./irqaddr_lat              # probe handle_irq_event by name
    ./irqaddr_lat -m addr 1    # probe the inlined body, 1 second summaries
"""
parser = argparse.ArgumentParser(
    description="Summarize IRQ handler body latency as a histogram",
    formatter_class=argparse.RawDescriptionHelpFormatter,
    epilog=examples)
parser.add_argument("-m", "--mode", default="sym",
    choices=["sym", "off", "addr", "raw"],
    help="how to place the probes")
parser.add_argument("-k", "--ksyms", default="/proc/kallsyms",
    help="symbol file used to find irq_thread_fn (default: /proc/kallsyms)")
parser.add_argument("interval", nargs="?", type=int, default=5,
    help="output interval, in seconds")
args = parser.parse_args()

bpf_text = """
#include <uapi/linux/ptrace.h>

BPF_HASH(start, u32, u64);
BPF_HISTOGRAM(dist);

int on_entry(struct pt_regs *ctx)
{
    u32 cpu = bpf_get_smp_processor_id();
    u64 ts = bpf_ktime_get_ns();

    start.update(&cpu, &ts);
    return 0;
}

int on_exit(struct pt_regs *ctx)
{
    u32 cpu = bpf_get_smp_processor_id();
    u64 *tsp = start.lookup(&cpu);

    if (tsp == 0)
        return 0;
    dist.increment(bpf_log2l(bpf_ktime_get_ns() - *tsp));
    start.delete(&cpu);
    return 0;
}
"""


def have_symbol(name):
    with open('/proc/kallsyms') as f:
        return any(line.split()[2] == name for line in f)


thread_fn = 0
with open(args.ksyms) as syms:
    for line in syms:
        fields = line.split()
        if len(fields) >= 3 and fields[2] == "irq_thread_fn":
            thread_fn = int(fields[0], 16)
            break

b = BPF(text=bpf_text)
if args.mode == "sym":
    b.attach_kprobe(event="handle_irq_event", fn_name="on_entry")
    b.attach_kretprobe(event="handle_irq_event", fn_name="on_exit")
elif args.mode == "off":
    b.attach_kprobe(event="handle_irq_event", event_off=0x3c, fn_name="on_entry")
    b.attach_kretprobe(event="handle_irq_event", fn_name="on_exit")
elif args.mode == "addr":
    b.attach_kprobe(event=HANDLER_BODY, fn_name="on_entry")
    b.attach_kretprobe(event=thread_fn, fn_name="on_exit")
else:
    b.attach_kprobe(event=0xffffffff810f3b10, fn_name="on_entry")
    b.attach_kretprobe(event=b.get_syscall_fnname("ioctl"), fn_name="on_exit")

if not have_symbol("irq_thread_fn"):
    print("warning: irq_thread_fn missing; threaded IRQs will not be timed")

print("Tracing IRQ handler body... Hit Ctrl-C to end.")
try:
    while True:
        sleep(args.interval)
        b["dist"].print_log2_hist("nsecs")
        b["dist"].clear()
except KeyboardInterrupt:
    pass
