#!/usr/bin/env python3
# execwatch  Print exec() calls, optionally for one PID.
#
# USAGE: execwatch [-h] [-p PID]
#
# Written for the probe-migrator held-out set. Apache License 2.0.

from __future__ import print_function
from bcc import BPF
import argparse

parser = argparse.ArgumentParser(description="Print exec() calls")
parser.add_argument("-p", "--pid", type=int, help="trace this PID only")
args = parser.parse_args()

bpf_text = """
#include <uapi/linux/ptrace.h>
#include <linux/sched.h>
#include <linux/kprobes.h>
#include <linux/binfmts.h>

struct data_t {
    u32 pid;
    char comm[TASK_COMM_LEN];
};
BPF_PERF_OUTPUT(events);

static struct kprobe kp_exec = {
    .symbol_name = "do_execveat_common",
};
static struct kprobe kp_bprm = {
    .symbol_name = "bprm_execve",
    .addr = (kprobe_opcode_t *)0xffffffff812f4e20,
};
static struct kretprobe krp_exit = {
    .kp.symbol_name = "do_exit",
    .maxactive = 20,
};

static long jdo_execve(struct filename *filename)
{
    jprobe_return();
    return 0;
}

static struct jprobe jp_exec = {
    .entry = jdo_execve,
    .kp = { .symbol_name = "do_execve" },
};

static int rearm(void)
{
    unregister_kprobe(&kp_exec);
    kp_exec.addr = NULL;
    return register_kprobe(&kp_exec);
}

static int fixup(void)
{
    krp_exit.kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("do_exit");
    return register_kretprobe(&krp_exit);
}

int trace_exec(struct pt_regs *ctx)
{
    struct data_t data = {};
    u32 pid = bpf_get_current_pid_tgid() >> 32;

    FILTER
    data.pid = pid;
    bpf_get_current_comm(&data.comm, sizeof(data.comm));
    events.perf_submit(ctx, &data, sizeof(data));
    return 0;
}
"""

if args.pid:
    bpf_text = bpf_text.replace('FILTER', 'if (pid != %d) { return 0; }' % args.pid)
else:
    bpf_text = bpf_text.replace('FILTER', '')

b = BPF(text=bpf_text)
b.attach_kprobe(event="do_execveat_common", fn_name="trace_exec")

print("%-8s %-16s" % ("PID", "COMM"))

def print_event(cpu, data, size):
    event = b["events"].event(data)
    print("%-8d %-16s" % (event.pid, event.comm.decode("utf-8", "replace")))

b["events"].open_perf_buffer(print_event)
while True:
    try:
        b.perf_buffer_poll()
    except KeyboardInterrupt:
        exit()
