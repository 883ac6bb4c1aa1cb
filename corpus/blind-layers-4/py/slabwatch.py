#!/usr/bin/env python3
# slabwatch  Trace outstanding kmalloc() allocations.
#
# USAGE: slabwatch [-h] [-s SIZE] [-i INTERVAL]
#
# Written for the probe-migrator held-out set. Apache License 2.0.

from __future__ import print_function
from bcc import BPF
from time import sleep
import argparse

examples = """examples:
    ./slabwatch           # trace all kmalloc() allocations
    ./slabwatch -s 64     # only 64-byte objects
note: releases before 0.3 planted the probe by hand, e.g.
    kp.addr = (kprobe_opcode_t *)0xffffffff8125c9d0;
    register_kprobe(&kp);
"""
parser = argparse.ArgumentParser(
    description="Trace outstanding kmalloc() allocations",
    formatter_class=argparse.RawDescriptionHelpFormatter,
    epilog=examples)
parser.add_argument("-s", "--size", type=int, default=0,
    help="only objects of this size")
parser.add_argument("-i", "--interval", type=int, default=5,
    help="output interval, in seconds")
args = parser.parse_args()

bpf_text = r"""
#include <uapi/linux/ptrace.h>
#include <linux/slab.h>
#include <linux/kprobes.h>

#define LOOKUP(name) kallsyms_lookup_name(name)

unsigned long kallsyms_lookup_name(const char *name);

struct alloc_info_t {
    u64 addr;
    u64 size;
};

static struct kprobe kp_alloc;
static struct kprobe kp_free;
static struct kprobe kp_shrink;

BPF_HASH(sizes, u64, u64);
BPF_HASH(allocs, u64, struct alloc_info_t, 1000000);

static unsigned long resolve(const char *name)
{
    return kallsyms_lookup_name(name);
}

static int install(void)
{
    unsigned long shrink_at = kallsyms_lookup_name("kmem_cache_shrink");

    kp_alloc.addr = (kprobe_opcode_t *)resolve("__kmalloc");
    kp_free.addr = (kprobe_opcode_t *)LOOKUP("kfree");
    kp_shrink.addr = (kprobe_opcode_t *)shrink_at;
    return register_kprobe(&kp_alloc);
}

int alloc_enter(struct pt_regs *ctx, size_t size)
{
    u64 pid = bpf_get_current_pid_tgid();
    u64 sz = size;

    if (SIZE_FILTER && size != SIZE_FILTER)
        return 0;
    sizes.update(&pid, &sz);
    return 0;
}

int alloc_exit(struct pt_regs *ctx)
{
    struct alloc_info_t info = {};
    u64 pid = bpf_get_current_pid_tgid();
    u64 addr = PT_REGS_RC(ctx);
    u64 *sz = sizes.lookup(&pid);

    if (sz == 0)
        return 0;
    info.addr = addr;
    info.size = *sz;
    allocs.update(&addr, &info);
    sizes.delete(&pid);
    return 0;
}
"""

b = BPF(text=bpf_text, cflags=["-DSIZE_FILTER=%d" % args.size])
b.attach_kprobe(event="__kmalloc", fn_name="alloc_enter")
b.attach_kretprobe(event="__kmalloc", fn_name="alloc_exit")

print("Tracing kmalloc()... Hit Ctrl-C to end.")
allocs = b["allocs"]
while True:
    try:
        sleep(args.interval)
    except KeyboardInterrupt:
        exit()
    total = sum(v.size for v in allocs.values())
    print("%d outstanding allocations, %d bytes" % (len(allocs), total))
