#!/usr/bin/env python3
# sysmap_probe - trace the copy of __d_lookup_rcu() that the compiler
# inlined into lookup_fast(), using addresses from the kernel's System.map.
#
# Works when kptr_restrict hides addresses in the live symbol table: the
# map file on disk is read instead.  Use --by-name on kernels where the
# helper is out of line again.

import argparse
import os
import sys

MAP_CANDIDATES = (
    "/boot/System.map",
    "/usr/src/linux/System.map",
)
LIVE_SYMS = "/proc/kallsyms"
TRACING = "/sys/kernel/tracing"

# offset of the inlined __d_lookup_rcu() loop inside lookup_fast(), from
# objdump of the distro vmlinux; update when the compiler changes
INLINE_OFFSET = 0x5b


def find_map(explicit):
    if explicit:
        return explicit
    for path in MAP_CANDIDATES:
        if os.path.exists(path):
            return path
    return LIVE_SYMS


def load_map(path):
    syms = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            addr, typ, name = parts[:3]
            if typ in ("t", "T"):
                syms.setdefault(name, int(addr, 16))
    return syms


def define(line):
    with open(os.path.join(TRACING, "kprobe_events"), "a") as ev:
        ev.write(line + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--map", help="symbol map to use instead of the default"
                   " search (System.map files, then /proc/kallsyms)")
    p.add_argument("--by-name", action="store_true",
                   help="probe lookup_fast by symbol; no map needed")
    args = p.parse_args()

    if args.by_name:
        define("p:sysmap/lookup_fast lookup_fast")
        define("r:sysmap/lookup_fast_ret lookup_fast ret=$retval")
        return 0

    path = find_map(args.map)
    syms = load_map(path)
    if "lookup_fast" not in syms:
        print("sysmap_probe: lookup_fast not in %s" % path, file=sys.stderr)
        return 1
    func = syms["lookup_fast"]
    site = func + INLINE_OFFSET
    if path != LIVE_SYMS:
        print("sysmap_probe: using %s; boot with nokaslr or the addresses"
              " will be wrong" % path, file=sys.stderr)

    define("p:sysmap/inl_rcu 0x%x name=+0(+8(%%si)):string" % site)
    define("r:sysmap/lookup_fast_ret 0x%016x ret=$retval" % func)
    define("-:sysmap/stale")
    return 0


if __name__ == "__main__":
    sys.exit(main())
