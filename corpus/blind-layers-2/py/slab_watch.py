#!/usr/bin/env python3
#
# slab_watch  Histogram of slab allocation sizes, with the allocation fast
#             path pinned to its address in the running kernel.
#
# USAGE: slab_watch [interval]
#
# The BPF text still carries the setup helper from the old kernel-module
# version of this tool; it is dead code on the BPF side.

from bcc import BPF
from time import sleep
import sys

interval = int(sys.argv[1]) if len(sys.argv) > 1 else 5

prog = """
#include <uapi/linux/ptrace.h>
#include <linux/kprobes.h>

BPF_HISTOGRAM(dist);
BPF_HISTOGRAM(ret_dist);

static struct kprobe kp;
static struct kprobe kp_by_name = {
    .symbol_name = "kmem_cache_alloc",
};

static int legacy_setup(void)
{
    kp.addr = (kprobe_opcode_t *)0xffffffff812a7c40;
    return 0;
}

int do_count(struct pt_regs *ctx)
{
    dist.increment(bpf_log2l(PT_REGS_PARM2(ctx)));
    return 0;
}

int do_ret(struct pt_regs *ctx)
{
    ret_dist.increment(bpf_log2l(PT_REGS_RC(ctx) != 0));
    return 0;
}
"""

b = BPF(text=prog)

# __kmalloc slow path site (lab kernel, nokaslr)
b.attach_kprobe(event=0xffffffff812a7c40, fn_name="do_count")

for line in open("/proc/kallsyms", "r"):
    if line.rstrip().endswith(" T kmem_cache_alloc_node"):
        node_addr = int(line.split()[0], 16)
        b.attach_kretprobe(event=node_addr, fn_name="do_ret")
        break

fn = "__kmalloc_node"
b.attach_kprobe(event=fn, fn_name="do_count")
b.attach_kretprobe(event="kmem_cache_alloc_lru", fn_name="do_ret")

# a plain ftrace event on the free path, for cross-checking counts
free_site = 0xffffffff812a9e18
with open("/sys/kernel/tracing/kprobe_events", "a") as kev:
    kev.write("p:slabw/free_site 0x%016x\n" % free_site)
    kev.write("p:slabw/free kfree obj=%di:x64\n")

print("Tracing slab allocations... Ctrl-C to end.")
try:
    while True:
        sleep(interval)
        b["dist"].print_log2_hist("size")
        b["dist"].clear()
except KeyboardInterrupt:
    pass
finally:
    with open("/sys/kernel/tracing/kprobe_events", "a") as kev:
        kev.write("-:slabw/free_site\n")
        kev.write("-:slabw/free\n")
