#!/usr/bin/python3
# connwatchd -- keep a small set of TCP kprobe events installed and forward
# their hits to the journal.  Started by connwatchd.service (Type=notify).
#
# /etc/connwatchd.conf, one probe per line:
#     NAME SYMBOL            probe a function by name
#     NAME @SYMBOL[#N]       probe the N-th text symbol of that name (for
#                            duplicated statics: resolved to its address)

import logging
import os
import signal
import socket
import time

CONF = "/etc/connwatchd.conf"
KSYMS_PATH = "/proc/kallsyms"
TRACING = "/sys/kernel/tracing"
GROUP = "connwatch"

log = logging.getLogger("connwatchd")
running = True


def sd_notify(msg):
    sock_path = os.environ.get("NOTIFY_SOCKET")
    if not sock_path:
        return
    if sock_path.startswith("@"):
        sock_path = "\0" + sock_path[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(msg.encode(), sock_path)


def nth_address(symbol, nth):
    seen = 0
    with open(KSYMS_PATH) as f:
        for line in f:
            a, t, name = line.split()[:3]
            if name == symbol and t in "tT":
                if seen == nth:
                    return int(a, 16)
                seen += 1
    raise LookupError(symbol)


def write_events(lines):
    with open(os.path.join(TRACING, "kprobe_events"), "a") as f:
        for line in lines:
            f.write(line + "\n")


def install(conf):
    defs = []
    for raw in conf:
        name, target = raw.split()[:2]
        if not target.startswith("@"):
            symbol = target
            defs.append("p:%s/%s %s" % (GROUP, name, symbol))
            defs.append("r:%s/%s_ret %s ret=$retval" % (GROUP, name, symbol))
            continue
        symbol, _, nth = target[1:].partition("#")
        where = nth_address(symbol, int(nth or 0))
        log.info("%s: %s#%s is at 0x%x", name, symbol, nth or 0, where)
        defs.append("p:%s/%s 0x%x" % (GROUP, name, where))
        defs.append("r:%s/%s_ret 0x%x ret=$retval" % (GROUP, name, where))
        defs.append(f"p:{GROUP}/{name}_sk {where:#x} sk=%di:x64")
    write_events(defs)
    with open(os.path.join(TRACING, "events", GROUP, "enable"), "w") as f:
        f.write("1")


def uninstall(conf):
    with open(os.path.join(TRACING, "events", GROUP, "enable"), "w") as f:
        f.write("0")
    lines = []
    for raw in conf:
        name = raw.split()[0]
        lines += ["-:%s/%s" % (GROUP, name), "-:%s/%s_ret" % (GROUP, name)]
        if "@" in raw:
            lines.append("-:%s/%s_sk" % (GROUP, name))
    write_events(lines)


def stop(signum, frame):
    global running
    running = False


def main():
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with open(CONF) as f:
        conf = [l for l in f if l.strip() and not l.startswith("#")]
    try:
        install(conf)
    except PermissionError:
        log.error("cannot resolve @ probes: /proc/kallsyms shows zeros, run as root")
        raise SystemExit(1)
    signal.signal(signal.SIGTERM, stop)
    sd_notify("READY=1")
    with open(os.path.join(TRACING, "trace_pipe")) as pipe:
        while running:
            line = pipe.readline()
            if line:
                log.info(line.rstrip())
            else:
                time.sleep(0.2)
    sd_notify("STOPPING=1")
    uninstall(conf)


if __name__ == "__main__":
    main()
