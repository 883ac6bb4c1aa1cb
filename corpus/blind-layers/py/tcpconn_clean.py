#!/usr/bin/env python3
# tcpconn_clean - trace active TCP connects and the libc resolver calls that
# precede them.  Everything here is attached by name: symbols are resolved
# by the kernel (and by bcc through /proc/kallsyms for printing only).
#
# USAGE: tcpconn_clean [-o OFFSET] [-t]

from __future__ import print_function
from bcc import BPF
import argparse
import os

ap = argparse.ArgumentParser(description="Trace TCP connects by symbol")
ap.add_argument("-o", "--offset", type=lambda s: int(s, 0), default=0,
                help="offset into tcp_v4_connect (e.g. 0x1c)")
ap.add_argument("-t", "--tracefs", action="store_true",
                help="also define a tracefs kprobe event by name")
args = ap.parse_args()

bpf_text = """
#include <uapi/linux/ptrace.h>
#include <net/sock.h>

struct conn_t {
    u32 pid;
    u64 addr;
    u64 offset;
};
BPF_PERF_OUTPUT(conns);

int on_connect(struct pt_regs *ctx, struct sock *sk)
{
    struct conn_t c = {};

    c.pid = bpf_get_current_pid_tgid() >> 32;
    c.addr = PT_REGS_IP(ctx);
    c.offset = 0x1c;
    conns.perf_submit(ctx, &c, sizeof(c));
    return 0;
}

int on_getaddrinfo(struct pt_regs *ctx)
{
    return 0;
}
"""

b = BPF(text=bpf_text)
target = "tcp_v4_connect"
b.attach_kprobe(event=target, fn_name="on_connect")
b.attach_kprobe(event="tcp_v6_connect", event_off=args.offset, fn_name="on_connect")
b.attach_kprobe(event=b.get_syscall_fnname("connect"), fn_name="on_connect")
b.attach_kretprobe(event="inet_csk_accept", fn_name="on_connect")
b.attach_kprobe(event_re=r"^tcp_(v4|v6)_syn_recv_sock$", fn_name="on_connect")
b.attach_uprobe(name="c", sym="getaddrinfo", fn_name="on_getaddrinfo")
b.attach_uprobe(name="/bin/bash", addr=0x4a0, fn_name="on_getaddrinfo")

TRACING = "/sys/kernel/tracing"
if args.tracefs:
    with open(os.path.join(TRACING, "kprobe_events"), "a") as f:
        f.write("p:tcpconn/v4 tcp_v4_connect+0x1c\n")
        f.write("r:tcpconn/v4_ret tcp_v4_connect\n")
        f.write("-:tcpconn/stale\n")
    with open(os.path.join(TRACING, "uprobe_events"), "a") as f:
        f.write("p:tcpconn/gai /lib/x86_64-linux-gnu/libc.so.6:0xe1a30\n")

print("kernel symbols come from /proc/kallsyms via bcc's symbol cache")
print("%-7s %s" % ("PID", "CALLER"))


def on_event(cpu, data, size):
    ev = b["conns"].event(data)
    print("%-7d %s" % (ev.pid, b.ksym(ev.addr, show_offset=True).decode()))


b["conns"].open_perf_buffer(on_event)
while True:
    try:
        b.perf_buffer_poll()
    except KeyboardInterrupt:
        break
