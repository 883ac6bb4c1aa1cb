#!/usr/bin/env python3
"""kaddr_events - define kprobe events at kernel text addresses and stream hits.

Sites are either named functions (by symbol) or raw instruction addresses that
were picked out of a disassembly of the lab kernel (booted with nokaslr).
"""
import argparse
import os
import signal
import sys

TRACEFS = "/sys/kernel/tracing"
GROUP = "kaddr"

# site name -> address in the 6.1.0-56 lab kernel
SITES = {
    "pagefault_slow": 0xffffffff810a1f3c,
    "mmap_region_mid": 0xffffffff812c44e8,
}


def tracefs_write(name, text, append=True):
    path = os.path.join(TRACEFS, name)
    with open(path, "a" if append else "w") as f:
        f.write(text + "\n")


def add_entry(name, addr):
    tracefs_write("kprobe_events", "p:%s/%s 0x%x" % (GROUP, name, addr))


def add_return(name, addr):
    tracefs_write("kprobe_events", "r:%s/%s %#x ret=$retval" % (GROUP, name, addr))


def add_site(name, addr, fetch=""):
    tracefs_write("kprobe_events", f"p:{GROUP}/{name} 0x{addr:x} {fetch}".rstrip())


def add_by_symbol(name, sym, off=0):
    if off:
        tracefs_write("kprobe_events", "p:%s/%s %s+%d" % (GROUP, name, sym, off))
    else:
        tracefs_write("kprobe_events", "p:%s/%s %s" % (GROUP, name, sym))


def remove(name):
    tracefs_write("kprobe_events", "-:%s/%s" % (GROUP, name))


def lookup(name):
    with open("/proc/kallsyms") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 3 and fields[2] == name:
                return int(fields[0], 16)
    raise KeyError(name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resolve", metavar="FUNC", action="append", default=[],
                    help="also probe FUNC at the address listed in /proc/kallsyms")
    ap.add_argument("--ret", action="store_true", help="add return probes too")
    args = ap.parse_args()

    if os.geteuid() != 0:
        sys.exit("kaddr_events: need root to write %s/kprobe_events" % TRACEFS)

    names = []
    for name, addr in SITES.items():
        add_entry(name, addr)
        names.append(name)
    add_site("fault_regs", 0xffffffff810a1f80, "ip=+128(%di):x64")
    names.append("fault_regs")

    for func in args.resolve:
        add_entry(func, lookup(func))
        names.append(func)
        if args.ret:
            add_return(func + "_ret", lookup(func))
            names.append(func + "_ret")

    handler = "handle_mm_fault"
    add_by_symbol("mm_fault", handler)
    add_by_symbol("mm_fault_mid", handler, 0x4c)
    names += ["mm_fault", "mm_fault_mid"]

    tracefs_write("events/%s/enable" % GROUP, "1", append=False)

    def stop(*_):
        tracefs_write("events/%s/enable" % GROUP, "0", append=False)
        for n in names:
            remove(n)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    with open(os.path.join(TRACEFS, "trace_pipe")) as pipe:
        for line in pipe:
            print(line, end="")


if __name__ == "__main__":
    main()
