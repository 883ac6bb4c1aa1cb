"""The guest side of a boot: its init script (load each module, report what it registered), the
workload run after each insmod, and the initramfs that carries them, busybox and the modules.

The init script reports over the second serial port as ``PM ...`` lines; guest_report.py reads them.
"""

from __future__ import annotations

import gzip
import stat
from dataclasses import dataclass

LOAD_TIMEOUT = 30  # insmod / rmmod, in the guest
WORK_TIMEOUT = 60  # the workload after each insmod
# the guest reports something at least this often (insmod + workload + rmmod at their limits, plus slack),
# so a silent guest is hung: kill it and carry on with the next module in a new boot
STALL_SECONDS = 2 * LOAD_TIMEOUT + WORK_TIMEOUT + 60

WORKLOAD = """\
# exercise the common paths a little: fork, exec, open, read, write, stat
for i in 1 2 3; do
  cat /proc/version /proc/self/stat > /dev/null
  ls -l / /proc/self > /dev/null
  sh -c 'echo probe > /tmp/pm.w; cat /tmp/pm.w; rm /tmp/pm.w' > /dev/null
done
# known arguments for the behavioural check (behaviour.py): it logs them to /dev/kmsg itself
[ -x /pm/pm-args ] && /pm/pm-args
"""

GUEST_INIT = r"""#!/bin/busybox sh
# probe-migrator guest: load each module, report the kprobes it registered
/bin/busybox --install -s /bin
mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev
mount -t debugfs none /sys/kernel/debug
mount -t tracefs none /sys/kernel/tracing
. /pm/settings
exec 3>/dev/ttyS1
say() { echo "PM $*" >&3; }
probes() {
  say "KP $1 $2 -"
  while IFS= read -r line; do say "KP $1 $2 $line"; done < /sys/kernel/debug/kprobes/list
}
# before anything adds trampolines ([__builtin__ftrace], [__builtin__kprobes])
if [ "$KALLSYMS" = 1 ]; then
  say "KALLSYMS begin"
  gzip -c /proc/kallsyms | base64 >&3
  say "KALLSYMS end"
fi
# Every address register_kprobe()/register_kretprobe() resolves, even for probes a module removes
# again before insmod returns (self-tests), which the list above never shows.
T=/sys/kernel/tracing
if echo 'r:pm/resolved _kprobe_addr ret=$retval:x64 at=$retval:symbol' >> $T/kprobe_events &&
   echo 1 > $T/events/pm/resolved/enable; then
  say "BOOT trace on"
else
  say "BOOT trace off"
fi
registrations() {
  grep -v '^#' $T/trace | while IFS= read -r line; do say "TR $1 $line"; done
  echo > $T/trace
}
up() { read -r u _ < /proc/uptime; echo $u; }
say "BOOT release $(uname -r)"
say "BOOT cmdline $(cat /proc/cmdline)"
say "BOOT text $(grep -m1 ' _text$' /proc/kallsyms)"
say "BOOT sig_enforce $(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)"
say "BOOT ready $(up)"
while read -r gid name; do
  [ -n "$gid" ] || continue
  say "MOD $gid begin $(up)"
  probes $gid pre
  dmesg -c > /dev/null
  echo > $T/trace
  taint0=$(cat /proc/sys/kernel/tainted)
  timeout $LOAD_TIMEOUT insmod /pm/mods/$gid/$name.ko < /dev/null 2>/tmp/insmod.err; rc=$?
  say "MOD $gid insmod $rc"
  while IFS= read -r line; do say "ERR $gid $line"; done < /tmp/insmod.err
  sleep $SETTLE
  probes $gid load
  timeout $WORK_TIMEOUT sh /pm/workload < /dev/null > /dev/null 2>&1
  probes $gid work
  registrations $gid
  if [ $rc = 0 ]; then
    timeout $LOAD_TIMEOUT rmmod $name < /dev/null; say "MOD $gid rmmod $?"
  fi
  dmesg | while IFS= read -r line; do say "LOG $gid $line"; done
  say "MOD $gid end $(up)"
  # an oops (taint flag D) leaves locks held and state half-built: later modules get a fresh kernel
  if [ $(( ($(cat /proc/sys/kernel/tainted) ^ taint0) & 128 )) != 0 ]; then
    say "RESTART $gid"
    poweroff -f
  fi
done < /pm/modules
say "DONE $(up)"
poweroff -f
"""


@dataclass
class GuestModule:
    ko: str  # host path of the .ko
    name: str  # the module's name, for rmmod
    gid: str = ""  # set when it is put in an initramfs


class Cpio:
    """A "newc" cpio archive (what the kernel unpacks as an initramfs), built in memory."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.inode = 0

    def _entry(self, name: str, mode: int, data: bytes = b"", links: int = 1) -> None:
        self.inode += 1
        encoded = name.encode() + b"\0"
        fields = (self.inode, mode, 0, 0, links, 0, len(data), 0, 0, 0, 0, len(encoded), 0)
        header = b"070701" + "".join(f"{v:08X}" for v in fields).encode() + encoded
        self.parts.append(header + b"\0" * (-len(header) % 4))
        if data:
            self.parts.append(data + b"\0" * (-len(data) % 4))

    def directory(self, name: str) -> None:
        self._entry(name, stat.S_IFDIR | 0o755, links=2)

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        self._entry(name, stat.S_IFREG | mode, data)

    def finish(self) -> bytes:
        self._entry("TRAILER!!!", 0)
        return b"".join(self.parts)


def make_initramfs(path: str, modules: list[GuestModule], kallsyms: bool, busybox: str,
                   program: bytes | None = None) -> None:
    c = Cpio()
    for d in ("bin", "dev", "proc", "sys", "tmp", "pm", "pm/mods", *(f"pm/mods/{m.gid}" for m in modules)):
        c.directory(d)
    with open(busybox, "rb") as fh:
        c.file("bin/busybox", fh.read(), 0o755)
    c.file("init", GUEST_INIT.encode(), 0o755)
    c.file("pm/workload", WORKLOAD.encode())
    if program is not None:
        c.file("pm/pm-args", program, 0o755)
    settings = {"KALLSYMS": int(kallsyms), "LOAD_TIMEOUT": LOAD_TIMEOUT, "WORK_TIMEOUT": WORK_TIMEOUT, "SETTLE": "0.2"}
    c.file("pm/settings", "".join(f"{k}={v}\n" for k, v in settings.items()).encode())
    lines = []
    for m in modules:
        with open(m.ko, "rb") as fh:
            c.file(f"pm/mods/{m.gid}/{m.name}.ko", fh.read())
        lines.append(f"{m.gid} {m.name}\n")
    c.file("pm/modules", "".join(lines).encode())
    with open(path, "wb") as fh:
        fh.write(gzip.compress(c.finish(), 1))
