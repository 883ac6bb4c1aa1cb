#!/usr/bin/env python3
# opensnoop_addr: count openat() calls, BCC style, with the address pasted from System.map.
from bcc import BPF

OPENAT_ADDR = 0xffffffff81363fb1  # do_sys_openat2+0x11 on the lab box

prog = """
#include <uapi/linux/ptrace.h>

BPF_HASH(counts, u32, u64);

int on_open(struct pt_regs *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	counts.increment(pid);
	return 0;
}
"""

b = BPF(text=prog)
b.attach_kprobe(event=0xffffffff81363fb1, fn_name="on_open")
b.attach_kretprobe(event="0xffffffff813669e0", fn_name="on_open")
b.attach_kprobe(event="vfs_write", fn_name="on_open")
b.attach_kprobe(event=OPENAT_ADDR, fn_name="on_open")
