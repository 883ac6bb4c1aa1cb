#!/usr/bin/env python3
#
# bcc_rawattach.py -- attach one BPF function at kernel text addresses that
# have no usable name (duplicated statics, .cold parts), next to a normal
# attach by name.  Talks to libbcc directly through ctypes for the raw cases
# because the BPF() wrapper only knows names.
#
# Copyright 2022 the perf-lab scripts authors.  GPL-2.0.

import ctypes as ct
import sys

from bcc import BPF

lib = ct.CDLL("libbcc.so.0", use_errno=True)
lib.bpf_attach_kprobe.restype = ct.c_void_p
lib.bpf_attach_kprobe.argtypes = [ct.c_int, ct.c_int, ct.c_char_p,
                                  ct.c_char_p, ct.c_ulonglong, ct.c_int]
lib.bpf_detach_kprobe.restype = ct.c_int
lib.bpf_detach_kprobe.argtypes = [ct.c_char_p]

BPF_PROBE_ENTRY = 0
BPF_PROBE_RETURN = 1

PROG = r"""
#include <uapi/linux/ptrace.h>
#include <linux/kprobes.h>

BPF_HASH(counts, u64, u64);

static struct kprobe cold_kp;

int on_hit(struct pt_regs *ctx)
{
    u64 ip = PT_REGS_IP(ctx);
    counts.increment(ip);
    return 0;
}

static int cold_init(void)
{
    cold_kp.addr = (kprobe_opcode_t *)0xffffffff81e01a40;
    return register_kprobe(&cold_kp);
}
"""


def first_text_symbol(name):
    with open("/proc/kallsyms", "rb") as f:
        for line in f:
            a, t, sym = line.split()[:3]
            if sym == name and t in b"tT":
                return a
    return None


b = BPF(text=PROG)
fn = b.load_func("on_hit", BPF.KPROBE)

# 1. the ordinary way: by name, and by name plus an offset into it
b.attach_kprobe(event=b"vfs_write", fn_name=b"on_hit")
b.attach_kprobe(event="vfs_write", event_off=0x1d, fn_name="on_hit")
lib.bpf_attach_kprobe(fn.fd, BPF_PROBE_ENTRY, b"p_vfs_write_29", b"vfs_write", 0x1d, 0)

# 2. raw addresses: a .cold part and the second of two static helpers
lib.bpf_attach_kprobe(fn.fd, BPF_PROBE_ENTRY, b"p_ffffffff81e01a40",
                      None, 0xffffffff81e01a40, 0)
b.attach_kprobe(event=0xffffffff8153c9e0, fn_name="on_hit")
b.attach_kretprobe(event=0xffffffff8153c9e0, fn_name="on_hit")

raw = first_text_symbol(b"show_stat")
if raw is None:
    sys.exit("show_stat: no such text symbol")
kaddr = int(raw, 16)
lib.bpf_attach_kprobe(fn.fd, BPF_PROBE_RETURN, b"r_show_stat", None, kaddr, 0)
print("show_stat resolved to 0x%x" % kaddr)

try:
    input("attached; press Enter to stop\n")
except (KeyboardInterrupt, EOFError):
    pass

for k, v in sorted(b["counts"].items(), key=lambda kv: kv[1].value):
    print("%-18s %-28s %8d" % (hex(k.value), b.ksym(k.value).decode(), v.value))

for ev in (b"p_vfs_write_29", b"p_ffffffff81e01a40", b"r_show_stat"):
    lib.bpf_detach_kprobe(ev)
