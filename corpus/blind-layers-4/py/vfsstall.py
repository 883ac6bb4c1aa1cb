#!/usr/bin/env python3
# vfsstall  Trace VFS reads and writes slower than a threshold.
#
# USAGE: vfsstall [-h] [-m MIN_US] [-p PID]
#
# Written for the probe-migrator held-out set. Apache License 2.0.

from __future__ import print_function
from bcc import BPF
from time import strftime
import argparse

examples = """examples:
    ./vfsstall            # reads/writes slower than 10 ms
    ./vfsstall -m 1000    # slower than 1 ms
    ./vfsstall -p 181     # only PID 181
"""
parser = argparse.ArgumentParser(
    description="Trace slow VFS reads and writes",
    formatter_class=argparse.RawDescriptionHelpFormatter,
    epilog=examples)
parser.add_argument("-m", "--min-us", type=int, default=10000,
    help="minimum latency to print, in microseconds")
parser.add_argument("-p", "--pid", type=int, default=0,
    help="trace this PID only")
args = parser.parse_args()

b = BPF(text=r"""
#include <uapi/linux/ptrace.h>
#include <linux/kprobes.h>
#include <linux/fs.h>

#define TARGET 0xffffffff81234560

extern ssize_t vfs_write(struct file *file, const char __user *buf,
			 size_t count, loff_t *pos);

static struct kprobe kp_read = {
	.symbol_name	= "vfs_read",
	.offset		= 0x10,
};
static struct kprobe kp_stall;
static struct kprobe kp_write;

BPF_HASH(start, u32, u64);

static int arm_probes(void)
{
	int ret;

	kp_stall.addr = (kprobe_opcode_t *)TARGET;
	kp_stall.offset = 0x1b;
	kp_write.addr = (kprobe_opcode_t *)vfs_write;
	ret = register_kprobe(&kp_read);
	if (ret < 0)
		return ret;
	printk(KERN_INFO "vfsstall: vfs_read probe at %p\n", kp_read.addr);
	return 0;
}

int trace_entry(struct pt_regs *ctx)
{
	u32 pid = bpf_get_current_pid_tgid();
	u64 ts = bpf_ktime_get_ns();

	if (FILTER_PID && pid != FILTER_PID)
		return 0;
	start.update(&pid, &ts);
	return 0;
}

int trace_return(struct pt_regs *ctx)
{
	u32 pid = bpf_get_current_pid_tgid();
	u64 *tsp = start.lookup(&pid);

	if (tsp == 0)
		return 0;
	u64 delta_us = (bpf_ktime_get_ns() - *tsp) / 1000;
	if (delta_us >= MIN_US)
		bpf_trace_printk("%d %llu\n", pid, delta_us);
	start.delete(&pid);
	return 0;
}
""", cflags=["-DFILTER_PID=%d" % args.pid, "-DMIN_US=%d" % args.min_us])

b.attach_kprobe(event="vfs_read", fn_name="trace_entry")
b.attach_kretprobe(event="vfs_read", fn_name="trace_return")
b.attach_kprobe(event="vfs_write", fn_name="trace_entry")
b.attach_kretprobe(event="vfs_write", fn_name="trace_return")

print("Tracing VFS calls slower than %d us... Hit Ctrl-C to end." % args.min_us)
print("%-8s %-7s %s" % ("TIME", "PID", "LAT(us)"))
while True:
    try:
        (task, pid, cpu, flags, ts, msg) = b.trace_fields()
        spid, lat = msg.split(b" ")
        print("%-8s %-7s %s" % (strftime("%H:%M:%S"), spid.decode(), lat.decode()))
    except ValueError:
        continue
    except KeyboardInterrupt:
        exit()
