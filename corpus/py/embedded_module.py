#!/usr/bin/env python3
# embedded_module: a BCC tool whose BPF text also carries a kprobe module fragment by mistake.
from bcc import BPF

bpf_text = """
#include <linux/kprobes.h>

static struct kprobe kp;

static int __init m_init(void)
{
	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
	return register_kprobe(&kp);
}
"""
bpf_text += "static struct kprobe kp2;\nint f(void) { kp2.addr = (kprobe_opcode_t *)0xffffffff813669e0; return 0; }\n"

b = BPF(text=bpf_text)
