#!/usr/bin/env python3
# tcpsnoop_k  Count TCP send/receive calls per process.
#
# USAGE: tcpsnoop_k [-h] [-i INTERVAL] [-c COUNT]
#
# Written for the probe-migrator held-out set. Apache License 2.0.

from __future__ import print_function
from bcc import BPF
from time import sleep, strftime
import argparse

parser = argparse.ArgumentParser(
    description="Count TCP send/receive calls per process")
parser.add_argument("-i", "--interval", type=int, default=1,
    help="output interval, in seconds")
parser.add_argument("-c", "--count", type=int, default=-1,
    help="number of outputs")
args = parser.parse_args()

bpf_text = ('#include <uapi/linux/ptrace.h>\n'
            '#include <net/sock.h>\n'
            '#include <linux/kprobes.h>\n'
            '\n'
            'static struct kprobe kp_send;\n'
            'static struct kprobe kp_recv;\n'
            'static struct kprobe kp_conn = {\n'
            '\t.symbol_name = "tcp_v4_connect",\n'
            '};\n'
            'BPF_HASH(calls, u32, u64);\n'
            '\n'
            'static int setup(void)\n'
            '{\n'
            '\tif (!kallsyms_lookup_name("tcp_v4_connect"))\n'
            '\t\treturn -ENOENT;\n'
            '\tkp_send.addr = (kprobe_opcode_t *)kallsyms_lookup_name("tcp_sendmsg");\n'
            '\tkp_recv.addr = (kprobe_opcode_t *)(kallsyms_lookup_name("tcp_recvmsg") + 0x10);\n'
            '\tprintk(KERN_DEBUG "tcpsnoop: sk_alloc at %lx\\n",\n'
            '\t       kallsyms_lookup_name("sk_alloc"));\n'
            '\treturn register_kprobe(&kp_conn);\n'
            '}\n'
            '\n'
            'int count_call(struct pt_regs *ctx, struct sock *sk)\n'
            '{\n'
            '\tu32 pid = bpf_get_current_pid_tgid() >> 32;\n'
            '\tcalls.increment(pid);\n'
            '\treturn 0;\n'
            '}\n')

b = BPF(text=bpf_text)
b.attach_kprobe(event="tcp_sendmsg", fn_name="count_call")
b.attach_kprobe(event="tcp_recvmsg", fn_name="count_call")

print("Counting TCP calls... Hit Ctrl-C to end.")
calls = b["calls"]
remaining = args.count
while remaining != 0:
    try:
        sleep(args.interval)
    except KeyboardInterrupt:
        remaining = 1
    print()
    print(strftime("%H:%M:%S"))
    print("%-8s %10s" % ("PID", "CALLS"))
    for k, v in sorted(calls.items(), key=lambda kv: -kv[1].value):
        print("%-8d %10d" % (k.value, v.value))
    calls.clear()
    remaining -= 1
