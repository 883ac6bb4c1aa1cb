#!/usr/bin/env python3
"""symmap_tracer - kprobe events from a System.map, for kernels without kallsyms.

Some of our embedded images ship with CONFIG_KALLSYMS=n, so the only symbol
source is the System.map installed next to the kernel.  Each requested
function is looked up there and defined as an address-based kprobe event.
"""
import os
import sys

GROUP = "smap"
TRACING = "/sys/kernel/debug/tracing"


def map_path():
    rel = os.uname().release
    p = f"/boot/System.map-{rel}"
    if os.path.exists(p):
        return p
    return "/boot/System.map"


def load_map(path):
    table = {}
    with open(path) as f:
        for line in f:
            addr, kind, name = line.split()[:3]
            if kind in "tT":
                table[name] = int(addr, 16)
    return table


class Events:
    def __init__(self, root=TRACING):
        self.ctl = open(os.path.join(root, "kprobe_events"), "a")
        self.uctl = open(os.path.join(root, "uprobe_events"), "a")
        self.names = []

    def _w(self, f, text):
        f.write(text + "\n")
        f.flush()

    def entry(self, ev, addr):
        self._w(self.ctl, "p:{}/{} 0x{:x}".format(GROUP, ev, addr))
        self.names.append(ev)

    def ret(self, ev, addr):
        self._w(self.ctl, f"r:{GROUP}/{ev}_ret {addr:#x} ret=$retval")
        self.names.append(ev + "_ret")

    def mid(self, ev, addr, off):
        self._w(self.ctl, "p:" + GROUP + "/" + ev + "_mid 0x" + format(addr + off, "x"))
        self.names.append(ev + "_mid")

    def by_name(self, ev, sym, off=0):
        if off:
            self._w(self.ctl, f"p:{GROUP}/{ev} {sym}+{off:#x}")
        else:
            self._w(self.ctl, "p:{}/{} {}".format(GROUP, ev, sym))
        self.names.append(ev)

    def shell_readline(self, off):
        self._w(self.uctl, f"p:{GROUP}/readline /bin/bash:{off:#x}")

    def close(self):
        for ev in self.names:
            self._w(self.ctl, f"-:{GROUP}/{ev}")
        self._w(self.uctl, f"-:{GROUP}/readline")
        self.ctl.close()
        self.uctl.close()


def main(argv):
    path = map_path()
    print("reading symbols from %s (not /proc/kallsyms)" % path, file=sys.stderr)
    table = load_map(path)
    ev = Events()
    try:
        for func in argv[1:] or ["do_sys_poll"]:
            if func not in table:
                print("%s: not in System.map, probing by name" % func, file=sys.stderr)
                ev.by_name(func, func)
                continue
            ev.entry(func, table[func])
            ev.ret(func, table[func])
            ev.mid(func, table[func], 0x20)
        ev.by_name("poll_wait", "__pollwait", 0x10)
        ev.shell_readline(0xd5690)
        input("events defined; press Enter to remove them ")
    finally:
        ev.close()


if __name__ == "__main__":
    main(sys.argv)
