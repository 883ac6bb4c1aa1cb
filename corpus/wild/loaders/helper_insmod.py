#!/usr/bin/env python3
# helper_insmod.py - written for probe-migrator's corpus in the style of
# platform-security frameworks whose Python helper loads a companion kernel
# module and hands it, as module parameters, the addresses of two unexported
# kernel functions it looked up in /proc/kallsyms itself.
import os
import subprocess

KALLSYMS = "/proc/kallsyms"


def symbol_address(name):
    """The address column of NAME's line, as a hex string (no 0x)."""
    with open(KALLSYMS, "rb") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 3 and fields[2].decode() == name:
                return fields[0].decode()
    return None


def load_helper(ko_path, verbose=False):
    params = []
    ram = symbol_address("page_is_ram")
    if ram:
        params.append(f"ram_fn=0x{ram}")
    prot = symbol_address("phys_mem_access_prot")
    if prot:
        params.append("prot_fn=0x%s" % prot)
    if verbose:
        params.append("debug=1")
    print("loading %s with %d parameters" % (ko_path, len(params)))
    subprocess.check_output(["insmod", ko_path] + params)
    return os.path.exists("/dev/platsec")


if __name__ == "__main__":
    load_helper(os.path.join(os.path.dirname(__file__), "platsec.ko"))
