"""ksym_lookup: find a function's address in /proc/kallsyms and probe it through tracefs."""
import os

TRACEFS = "/sys/kernel/tracing"


def lookup(name):
    with open("/proc/kallsyms") as f:
        for line in f:
            addr, _kind, sym = line.split()[:3]
            if sym == name:
                return int(addr, 16)
    raise KeyError(name)


def sysmap(release=None):
    release = release or os.uname().release
    return open(f"/boot/System.map-{release}")


def add_probe(event, name):
    addr = lookup(name)
    with open(os.path.join(TRACEFS, "kprobe_events"), "a") as f:
        f.write("p:kl/%s 0x%x\n" % (event, addr))
        f.write(f"r:kl/{event}_ret 0x{addr:x}\n")


def add_fixed():
    with open(os.path.join(TRACEFS, "kprobe_events"), "a") as f:
        f.write("p:kl/unlink 0xffffffff8137dd60 dfd=%di\n")
        f.write('p:kl/clone kernel_clone\n')
        f.write("-:kl/clone\n")
        print("cannot read /proc/kallsyms as a user")
