#!/usr/bin/env python3
"""Minimal kprobe attacher that talks to libbcc through ctypes.

Used on appliances where the bcc Python package is not installed but
libbcc.so.0 is.  Loads a trivial "return 0" program and attaches it, so the
probe hit counts show up in /sys/kernel/debug/kprobes/list and in perf stat.
"""
import ctypes as ct
import os
import sys
import time

libbcc = ct.CDLL("libbcc.so.0", use_errno=True)

libbcc.bcc_prog_load.restype = ct.c_int
libbcc.bcc_prog_load.argtypes = [ct.c_int, ct.c_char_p, ct.c_void_p, ct.c_int,
                                 ct.c_char_p, ct.c_uint, ct.c_int, ct.c_char_p,
                                 ct.c_uint]
libbcc.bpf_attach_kprobe.restype = ct.c_int
libbcc.bpf_attach_kprobe.argtypes = [ct.c_int, ct.c_int, ct.c_char_p,
                                     ct.c_char_p, ct.c_uint64, ct.c_int]
libbcc.bpf_detach_kprobe.restype = ct.c_int
libbcc.bpf_detach_kprobe.argtypes = [ct.c_char_p]

BPF_PROG_TYPE_KPROBE = 2
BPF_PROBE_ENTRY, BPF_PROBE_RETURN = 0, 1

# r0 = 0; exit
INSNS = (b"\xb7\x00\x00\x00\x00\x00\x00\x00"
         b"\x95\x00\x00\x00\x00\x00\x00\x00")


def load_prog():
    buf = ct.create_string_buffer(INSNS, len(INSNS))
    log = ct.create_string_buffer(65536)
    fd = libbcc.bcc_prog_load(BPF_PROG_TYPE_KPROBE, b"nop", buf, len(INSNS),
                              b"GPL", 0, 1, log, ct.sizeof(log))
    if fd < 0:
        sys.exit("prog load failed: %s\n%s" % (os.strerror(ct.get_errno()),
                                              log.value.decode()))
    return fd


def main():
    prog_fd = load_prog()
    events = []

    # hot site in the middle of vfs_read (lab kernel, nokaslr)
    fd1 = libbcc.bpf_attach_kprobe(prog_fd, BPF_PROBE_ENTRY, b"p_ffffffff8134f2a0", None, 0xffffffff8134f2a0, 0)
    events.append(b"p_ffffffff8134f2a0")

    with open("/proc/kallsyms") as f:
        for line in f:
            if line.split()[2] == "vfs_write":
                kaddr = int(line.split()[0], 16)
                break
        else:
            sys.exit("vfs_write not found")
    fd2 = libbcc.bpf_attach_kprobe(prog_fd, BPF_PROBE_RETURN, b"r_vfs_write_addr", None,
                                   kaddr, 0)
    events.append(b"r_vfs_write_addr")

    # by name (offset is relative to the function)
    fd3 = libbcc.bpf_attach_kprobe(prog_fd, BPF_PROBE_ENTRY, b"p_vfs_fsync", b"vfs_fsync", 0, 0)
    events.append(b"p_vfs_fsync")
    fd4 = libbcc.bpf_attach_kprobe(prog_fd, BPF_PROBE_ENTRY, b"p_vfs_fsync_14", b"vfs_fsync", 0x14, 0)
    events.append(b"p_vfs_fsync_14")

    if min(fd1, fd2, fd3, fd4) < 0:
        print("some probes failed to attach: %s" % os.strerror(ct.get_errno()),
              file=sys.stderr)
    print("attached; see /sys/kernel/debug/kprobes/list. Ctrl-C to detach.")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    for ev in events:
        libbcc.bpf_detach_kprobe(ev)


if __name__ == "__main__":
    main()
