#!/usr/bin/env python3
# faultwatch - count page faults per process and, on request, arm the
# legacy address-based fault probe carried in the program text.
#
# The program is kept as one concatenated literal, one C line per Python
# line, so that diffs against the old module stay readable.
#
# USAGE: faultwatch [--no-legacy] [interval]

from __future__ import print_function
from bcc import BPF
from time import sleep
import argparse

ap = argparse.ArgumentParser(description="Count page faults per process")
ap.add_argument("--no-legacy", action="store_true")
ap.add_argument("interval", nargs="?", type=int, default=2)
args = ap.parse_args()

prog = ("#include <uapi/linux/ptrace.h>\n"
        "#include <linux/kprobes.h>\n"
        "\n"
        "BPF_HASH(faults, u32, u64);\n"
        "\n"
        "static struct kprobe kp_fault;\n"
        "static struct kprobe kp_exit;\n"
        "\n"
        "int legacy_arm(void)\n"
        "{\n"
        "\tunsigned long stext = kallsyms_lookup_name(\"_stext\");\n"
        "\n"
        "\tkp_fault.addr = (kprobe_opcode_t *)0xffffffff8107c5a0;\n"
        "\tkp_fault.pre_handler = NULL;\n"
        "\tkp_exit.addr = (kprobe_opcode_t *)kallsyms_lookup_name(\"do_exit\");\n"
        "\treturn stext ? 0 : -1;\n"
        "}\n"
        "\n"
        "int on_fault(struct pt_regs *ctx)\n"
        "{\n"
        "\tu32 pid = bpf_get_current_pid_tgid() >> 32;\n"
        "\tu64 zero = 0, *val;\n"
        "\n"
        "\tval = faults.lookup_or_try_init(&pid, &zero);\n"
        "\tif (val)\n"
        "\t\t(*val)++;\n"
        "\treturn 0;\n"
        "}\n")

if args.no_legacy:
    print("legacy block ignored; counting through handle_mm_fault only")

b = BPF(text=prog)
b.attach_kprobe(event="handle_mm_fault", fn_name="on_fault")
b.attach_kprobe(event=b.get_syscall_fnname("madvise"), fn_name="on_fault")

print("Counting page faults... Hit Ctrl-C to end.")
try:
    while True:
        sleep(args.interval)
        print("%-8s %s" % ("PID", "FAULTS"))
        for k, v in sorted(b["faults"].items(), key=lambda kv: -kv[1].value)[:10]:
            print("%-8d %d" % (k.value, v.value))
        b["faults"].clear()
except KeyboardInterrupt:
    pass
