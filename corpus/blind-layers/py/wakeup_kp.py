#!/usr/bin/env python3
# wakeup_kp - report which tasks wake which, with the waker's IP.
#
# The C below carries, next to the BPF handler, the static kprobe
# descriptors the old out-of-tree helper used; the build script for that
# helper extracts them from this file, so keep them in sync.
#
# USAGE: wakeup_kp [-p PID]

from __future__ import print_function
from bcc import BPF
import argparse

parser = argparse.ArgumentParser(description="Trace task wakeups")
parser.add_argument("-p", "--pid", type=int, help="only wakeups of this PID")
args = parser.parse_args()

bpf_text = """
#include <uapi/linux/ptrace.h>
#include <linux/kprobes.h>
#include <linux/sched.h>

struct wake_t {
    u32 pid;
    u32 waker;
    u64 addr;
    u64 ts;
};
BPF_PERF_OUTPUT(events);

static struct kprobe kp_ttwu = {
    .addr = (kprobe_opcode_t *)0xffffffff810d6e10,
    .pre_handler = NULL,
};

static struct kprobe kp_wake_q = {
    .symbol_name = "wake_up_q",
};

static struct kretprobe krp_sched = {
    .handler = NULL,
    .maxactive = 20,
};

int helper_setup(void)
{
    unsigned long sct;
    u64 where;

    krp_sched.kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("schedule_timeout");
    sct = kallsyms_lookup_name("sys_call_table");
    where = (u64)kp_wake_q.addr;
    return sct && where ? 0 : -1;
}

int trace_wake(struct pt_regs *ctx, struct task_struct *p)
{
    struct wake_t w = {};

    w.pid = p->pid;
    w.waker = bpf_get_current_pid_tgid() >> 32;
    w.addr = PT_REGS_IP(ctx);
    w.ts = bpf_ktime_get_ns();
    events.perf_submit(ctx, &w, sizeof(w));
    return 0;
}
"""

b = BPF(text=bpf_text)
b.attach_kprobe(event="try_to_wake_up", fn_name="trace_wake")
b.attach_kprobe(event_re="^wake_up_new_task$", fn_name="trace_wake")

print("%-18s %-7s %-7s %s" % ("TIME(s)", "PID", "WAKER", "IP"))
start = [0]


def print_event(cpu, data, size):
    ev = b["events"].event(data)
    if args.pid and ev.pid != args.pid:
        return
    if start[0] == 0:
        start[0] = ev.ts
    print("%-18.9f %-7d %-7d %s" % ((ev.ts - start[0]) / 1e9, ev.pid,
          ev.waker, b.ksym(ev.addr, show_offset=True).decode()))


b["events"].open_perf_buffer(print_event)
while True:
    try:
        b.perf_buffer_poll()
    except KeyboardInterrupt:
        exit()
