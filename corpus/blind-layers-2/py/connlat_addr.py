#!/usr/bin/python3
# @lint-avoid-python-3-compatibility-imports
#
# connlat_addr  Trace TCP active connect latency, pinning the probes to
#               kernel text addresses instead of names.
#
# USAGE: connlat_addr [-h] [-6]
#
# tcp_v4_connect has a same-named static twin in an out-of-tree module on the
# test fleet, so the IPv4 probe uses the address from the fleet kernel's
# System.map and the IPv6 one is resolved at start-up.

from __future__ import print_function
from bcc import BPF
import argparse

parser = argparse.ArgumentParser(
    description="Trace TCP connect latency (address-pinned probes)")
parser.add_argument("-6", "--ipv6", action="store_true",
    help="also trace IPv6 connects")
parser.add_argument("--ebpf", action="store_true", help=argparse.SUPPRESS)
args = parser.parse_args()

# fleet kernel 6.1.0-56-amd64, nokaslr
TCP_V4_CONNECT = 0xffffffff81b3f0c0

bpf_text = """
#include <uapi/linux/ptrace.h>
#include <net/sock.h>

BPF_HASH(start, u32, u64);

int trace_connect(struct pt_regs *ctx, struct sock *sk)
{
    u32 tid = bpf_get_current_pid_tgid();
    u64 ts = bpf_ktime_get_ns();
    start.update(&tid, &ts);
    return 0;
}

int trace_connect_ret(struct pt_regs *ctx)
{
    u32 tid = bpf_get_current_pid_tgid();
    u64 *tsp = start.lookup(&tid);
    if (tsp == 0)
        return 0;
    bpf_trace_printk("connect %d us\\n", (bpf_ktime_get_ns() - *tsp) / 1000);
    start.delete(&tid);
    return 0;
}
"""

if args.ebpf:
    print(bpf_text)
    exit()

b = BPF(text=bpf_text)
b.attach_kprobe(event=TCP_V4_CONNECT, fn_name="trace_connect")
b.attach_kretprobe(event=0xffffffff81b3f0c0, fn_name="trace_connect_ret")

if args.ipv6:
    for line in open("/proc/kallsyms"):
        if line.endswith(" tcp_v6_connect\n"):
            v6_addr = int(line.split()[0], 16)
            b.attach_kprobe(event=v6_addr, fn_name="trace_connect")
            break
    else:
        print("tcp_v6_connect not in /proc/kallsyms; is ipv6 loaded?")

# context probes, attached by name
b.attach_kprobe(event="tcp_finish_connect", fn_name="trace_connect_ret")
b.attach_kprobe(event=b.get_syscall_fnname("connect"), fn_name="trace_connect")
b.attach_kprobe(event_re=r"^inet6?_stream_connect$", fn_name="trace_connect")

# the symbol names of the other connect paths, for the header line
paths = []
with open("/proc/kallsyms") as syms:
    for line in syms:
        sym = line.split()[2]
        if sym in ("mptcp_connect", "sctp_connect"):
            paths.append(sym)
            b.attach_kprobe(event=sym, fn_name="trace_connect")

print("Tracing connect latency (%s)... Hit Ctrl-C to end." %
      ", ".join(["tcp_v4_connect"] + paths))
try:
    b.trace_print()
except KeyboardInterrupt:
    pass
