#!/usr/bin/env python3
# rawattach - count hits on kernel text locations by calling libbcc's
# attach functions directly through ctypes.  bcc compiles the program;
# the attach step is done here so that locations without a usable symbol
# (stripped .cold sections, inlined copies) can be probed too.
#
# USAGE: rawattach [-d DURATION]

import argparse
import ctypes as ct
import time

from bcc import BPF

lib = ct.CDLL("libbcc.so.0", use_errno=True)
lib.bpf_attach_kprobe.restype = ct.c_int
lib.bpf_attach_kprobe.argtypes = [ct.c_int, ct.c_int, ct.c_char_p,
                                  ct.c_char_p, ct.c_ulonglong, ct.c_int]
lib.bpf_detach_kprobe.restype = ct.c_int
lib.bpf_detach_kprobe.argtypes = [ct.c_char_p]
lib.bpf_close_perf_event_fd.restype = ct.c_int
lib.bpf_close_perf_event_fd.argtypes = [ct.c_int]

BPF_PROBE_ENTRY = 0
BPF_PROBE_RETURN = 1

# .cold part of ext4_mb_regular_allocator on the reference build
COLD_SITE = 0xffffffff81462be8

prog = """
BPF_ARRAY(hits, u64, 4);

int count(struct pt_regs *ctx)
{
    int k = 0;
    u64 *v = hits.lookup(&k);
    if (v)
        __sync_fetch_and_add(v, 1);
    return 0;
}
"""

opened = []


def attach_name(fd, func, off=0):
    ev = ("p_%s_%x" % (func, off)).encode()
    r = lib.bpf_attach_kprobe(fd, BPF_PROBE_ENTRY, ev, func.encode(), off, 0)
    if r >= 0:
        opened.append((ev, r))
    return r


def attach_addr(fd, addr, ret=False):
    kind = BPF_PROBE_RETURN if ret else BPF_PROBE_ENTRY
    ev = ("%s_%x" % ("r" if ret else "p", addr)).encode()
    r = lib.bpf_attach_kprobe(fd, kind, ev, None, addr, 0)
    if r >= 0:
        opened.append((ev, r))
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-d", "--duration", type=int, default=10)
    ap.add_argument("-x", "--extra", action="append", default=[],
                    type=lambda s: int(s, 0), help="extra text address")
    args = ap.parse_args()

    b = BPF(text=prog)
    fn = b.load_func("count", BPF.KPROBE)

    attach_name(fn.fd, "ext4_mb_regular_allocator")
    attach_name(fn.fd, "ext4_mb_find_by_goal", 0x14)
    fd = lib.bpf_attach_kprobe(fn.fd, BPF_PROBE_ENTRY, b"p_ffffffff81462be8",
                               None, COLD_SITE, 0)
    if fd >= 0:
        opened.append((b"p_ffffffff81462be8", fd))
    lib.bpf_attach_kprobe(fn.fd, BPF_PROBE_ENTRY, b"p_ext4_mb_mark_used",
                          b"ext4_mb_mark_used", 0, 0)
    ret_site = 0xffffffff81462c40
    rfd = lib.bpf_attach_kprobe(fn.fd, BPF_PROBE_RETURN, b"r_cold_exit", None,
                                ret_site, 0)
    if rfd >= 0:
        opened.append((b"r_cold_exit", rfd))
    for extra in args.extra:
        attach_addr(fn.fd, extra)

    with open("/sys/kernel/tracing/available_filter_functions") as f:
        first = f.readline().split()[0]
    print("first traceable function: %s" % first)

    time.sleep(args.duration)
    print("hits: %d" % b["hits"][ct.c_int(0)].value)

    for ev, pfd in opened:
        lib.bpf_close_perf_event_fd(pfd)
        lib.bpf_detach_kprobe(ev)


if __name__ == "__main__":
    main()
