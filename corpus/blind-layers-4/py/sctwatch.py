#!/usr/bin/env python3
# sctwatch  Count openat2() calls per command.
#
# USAGE: sctwatch [-h] [-d DURATION]
#
# Written for the probe-migrator held-out set. Apache License 2.0.

from __future__ import print_function
from bcc import BPF
from time import sleep
import argparse

parser = argparse.ArgumentParser(description="Count openat2() calls per command")
parser.add_argument("-d", "--duration", type=int, default=10,
    help="total duration of trace, in seconds")
args = parser.parse_args()

b = BPF(text='''
#include <uapi/linux/ptrace.h>
#include <linux/kprobes.h>
#include <linux/sched.h>

typedef unsigned long (*kln_t)(const char *name);

static kln_t kln;
static unsigned long *table;
static struct kprobe kp_kln = {
    .symbol_name = "kallsyms_lookup_name",
};
static struct kprobe kp_open;

struct key_t {
    char comm[TASK_COMM_LEN];
};
BPF_HASH(counts, struct key_t, u64);

static int find_kln(void)
{
    int ret = register_kprobe(&kp_kln);

    if (ret < 0)
        return ret;
    kln = (kln_t)kp_kln.addr;
    unregister_kprobe(&kp_kln);
    return 0;
}

static int hook(void)
{
    if (find_kln())
        return -ENOENT;
    table = (unsigned long *)kln("sys_call_table");
    kp_open.addr = (kprobe_opcode_t *)kln("do_sys_openat2");
    return register_kprobe(&kp_open);
}

int count_open(struct pt_regs *ctx)
{
    struct key_t key = {};

    bpf_get_current_comm(&key.comm, sizeof(key.comm));
    counts.increment(key);
    return 0;
}
''')
b.attach_kprobe(event="do_sys_openat2", fn_name="count_open")

print("Counting openat2() calls for %d seconds... Hit Ctrl-C to end." % args.duration)
try:
    sleep(args.duration)
except KeyboardInterrupt:
    pass

print("%-16s %8s" % ("COMM", "OPENS"))
counts = b["counts"]
for k, v in sorted(counts.items(), key=lambda kv: -kv[1].value):
    print("%-16s %8d" % (k.comm.decode("utf-8", "replace"), v.value))
