"""kprobe_fs -- thin helpers around tracefs dynamic probe files.

Imported by the lab's test scripts:

    from kprobe_fs import add_symbol_probe, enable, remove_probe

Symbols can be resolved through a System.map or /proc/kallsyms when a test
needs the address of a local symbol that has a duplicate name.
"""

import errno
import os

__all__ = [
    "tracefs_root", "add_symbol_probe", "add_offset_probe", "add_address_probe",
    "add_address_retprobe", "add_fetch_probe", "add_uprobe", "remove_probe",
    "enable", "system_map_path", "load_symbol_map", "kallsyms_lookup",
]

_CANDIDATES = ("/sys/kernel/tracing", "/sys/kernel/debug/tracing")
_root = None


def tracefs_root():
    global _root
    if _root is None:
        for cand in _CANDIDATES:
            if os.path.exists(os.path.join(cand, "kprobe_events")):
                _root = cand
                break
        else:
            raise OSError(errno.ENOENT, "tracefs is not mounted")
    return _root


def _append(name, line):
    with open(os.path.join(tracefs_root(), name), "a") as f:
        f.write(line + "\n")


def add_symbol_probe(event, symbol, fetchargs="", group="kprobes"):
    _append("kprobe_events", "p:%s/%s %s %s" % (group, event, symbol, fetchargs))


def add_offset_probe(event, symbol, offset, group="kprobes"):
    _append("kprobe_events",
            "p:{grp}/{ev} {sym}+{off:#x}".format(grp=group, ev=event,
                                                 sym=symbol, off=offset))


def add_address_probe(event, address, group="kprobes"):
    _append("kprobe_events", "p:%s/%s 0x%016lx" % (group, event, address))


def add_address_retprobe(event, address):
    _append("kprobe_events", "r:" + event + " 0x" + format(address, "x"))


def add_fetch_probe(event, address, fetchargs, group="kprobes"):
    _append("kprobe_events", f"p:{group}/{event} 0x{address:x} {fetchargs}")


def add_uprobe(event, binary, offset, group="uprobes"):
    _append("uprobe_events", "p:%s/%s %s:0x%x" % (group, event, binary, offset))


def remove_probe(event, group="kprobes", kind="kprobe"):
    _append(kind + "_events", "-:%s/%s" % (group, event))


def enable(event, group="kprobes", on=True):
    path = os.path.join(tracefs_root(), "events", group, event, "enable")
    with open(path, "w") as f:
        f.write("1" if on else "0")


def system_map_path(release=None):
    release = release or os.uname().release
    return f"/boot/System.map-{release}"


def load_symbol_map(path=None, types="tTwW"):
    """Return {name: [addresses]} for the text symbols of a System.map."""
    table = {}
    with open(path or system_map_path()) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3 or parts[1] not in types:
                continue
            table.setdefault(parts[2], []).append(int(parts[0], 16))
    return table


def kallsyms_lookup(name, module=None):
    """Every address of NAME in the running kernel (needs root for values)."""
    found = []
    with open("/proc/kallsyms") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3 or parts[2] != name:
                continue
            if module is not None and (len(parts) < 4 or parts[3] != "[%s]" % module):
                continue
            found.append(int(parts[0], 16))
    if found and not any(found):
        raise PermissionError("addresses in /proc/kallsyms are hidden (kptr_restrict)")
    return found
