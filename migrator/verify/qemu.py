"""Boot a kernel in QEMU with a busybox initramfs, load modules one at a time, and read back the
kprobes each one registered from /sys/kernel/debug/kprobes/list.

The modules need no cooperation: the guest records the probe list before ``insmod``, after it,
and after a small workload (some modules arm probes lazily), then ``rmmod``s the module and sends
its dmesg. Everything travels over the second serial port as ``PM ...`` lines into a host file,
so the kernel console (first serial port) stays separate and can be shown when the guest dies.

One boot holds every module; if the kernel dies part way (a module that panics or hangs it), the
module that was running is recorded as such and the remaining ones get a fresh boot.
"""

from __future__ import annotations

import base64
import gzip
import os
import re
import stat
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from migrator.verify.debkernel import BootError, Kernel, static_busybox

Log = Callable[[str], None]

NOKASLR_TEXT = 0xFFFFFFFF81000000  # x86-64 _text without KASLR
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

_PROBE_RE = re.compile(r"^(?P<addr>[0-9a-fA-F]+)\s+(?P<kind>[kr])\s+(?P<where>\S+)\s*(?P<rest>.*)$")
_OOPS_RE = re.compile(r"(BUG:|Oops|general protection fault|Kernel panic|WARNING: CPU|RIP: )")


@dataclass(frozen=True)
class Probe:
    """One line of /sys/kernel/debug/kprobes/list:
    ``<addr>  <k|r>  <sym>+0x<off>  <module of the probed code> [GONE][DISABLED][OPTIMIZED][FTRACE]``."""

    raw: str
    address: str = ""
    kind: str = ""
    where: str = ""
    module: str = ""
    flags: tuple[str, ...] = ()

    @property
    def place(self) -> tuple[str, str, str, str]:
        return (self.address, self.kind, self.where, self.module) if self.kind else (self.raw, "", "", "")

    @classmethod
    def parse(cls, line: str) -> Probe:
        line = line.strip()
        m = _PROBE_RE.match(line)
        if not m:
            return cls(line)
        rest = m.group("rest")
        flags = tuple(re.findall(r"\[([A-Z]+)\]", rest))
        words = re.sub(r"\[[A-Z]+\]", " ", rest).split()
        return cls(line, m.group("addr").lower(), m.group("kind"), m.group("where"),
                   words[0] if words else "", flags)


_TRACE_RE = re.compile(r"resolved: \((?P<caller>[\w.]+)\S* <- _kprobe_addr\) ret=(?P<ret>\S+) at=(?P<at>\S+)"
                       r"(?: \[(?P<module>[\w-]+)\])?")


@dataclass(frozen=True)
class Registration:
    """One address the kernel resolved for a kprobe registration (a trace event on the return of
    _kprobe_addr()): who asked (register_kprobe, or the entry check of register_kretprobe), the
    address, and where that is as symbol+offset."""

    caller: str
    address: str
    where: str
    module: str = ""  # the module of the code at that address, if not the kernel

    @classmethod
    def parse(cls, line: str) -> Registration | None:
        m = _TRACE_RE.search(line)
        if m is None:
            return None
        where = m.group("at").split("/", 1)[0]  # drop the symbol size of %pS
        return cls(m.group("caller"), m.group("ret").lower(), where, m.group("module") or "")


@dataclass
class GuestModule:
    ko: str  # host path of the .ko
    name: str  # the module's name, for rmmod
    gid: str = ""  # set when it is put in an initramfs


@dataclass
class ModuleRun:
    gid: str
    insmod_rc: int | None = None
    rmmod_rc: int | None = None
    probes: dict[str, list[Probe]] = field(default_factory=dict)  # phase (pre/load/work) -> list
    log: list[str] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # what insmod printed
    started_at: float = 0.0  # guest uptime
    seconds: float = 0.0  # from insmod to the end of rmmod and the log dump
    finished: bool = False
    crashed: str | None = None  # why the guest never finished this module

    def added(self, phase: str) -> list[Probe]:
        """Probes present after ``phase`` that were not there before insmod (as a multiset)."""
        before = [p.place for p in self.probes.get("pre", [])]
        out = []
        for p in self.probes.get(phase, []):
            if p.place in before:  # (flags such as [OPTIMIZED] may change in between)
                before.remove(p.place)
            else:
                out.append(p)
        return out

    @property
    def oops(self) -> bool:
        return any(_OOPS_RE.search(line) for line in self.log)


@dataclass
class BootResult:
    kernel: str
    kaslr: bool
    accel: str = ""
    boots: int = 0
    wall: float = 0.0
    info: dict[str, str] = field(default_factory=dict)
    runs: dict[str, ModuleRun] = field(default_factory=dict)
    kallsyms: bytes | None = None
    console: list[str] = field(default_factory=list)  # the tail of the kernel console of a failed boot
    complete: bool = False

    @property
    def ready(self) -> float:
        """Seconds from kernel start to the guest's init being ready to load modules."""
        return _float(self.info.get("ready", ""))

    @property
    def text_address(self) -> int | None:
        words = self.info.get("text", "").split()
        try:
            return int(words[0], 16) if words else None
        except ValueError:
            return None


# -- initramfs ---------------------------------------------------------------------------------------
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


def make_initramfs(path: str, modules: list[GuestModule], kallsyms: bool, busybox: str) -> None:
    c = Cpio()
    for d in ("bin", "dev", "proc", "sys", "tmp", "pm", "pm/mods", *(f"pm/mods/{m.gid}" for m in modules)):
        c.directory(d)
    with open(busybox, "rb") as fh:
        c.file("bin/busybox", fh.read(), 0o755)
    c.file("init", GUEST_INIT.encode(), 0o755)
    c.file("pm/workload", WORKLOAD.encode())
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


# -- the guest's report ------------------------------------------------------------------------------
def parse_report(text: str, result: BootResult) -> None:
    """Read the ``PM ...`` lines of one boot into ``result`` (runs are added or updated)."""
    encoded: list[str] = []
    in_kallsyms = False
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if in_kallsyms:
            if line == "PM KALLSYMS end":
                in_kallsyms = False
            else:
                encoded.append(line.strip())
            continue
        if not line.startswith("PM "):
            continue
        parts = line.split(" ", 3)
        tag = parts[1] if len(parts) > 1 else ""
        if tag == "RESTART":
            result.info["restart"] = parts[2] if len(parts) > 2 else ""
        elif tag == "DONE":
            result.complete = True
            result.info["done"] = parts[2] if len(parts) > 2 else ""
        elif tag == "BOOT" and len(parts) >= 3:
            result.info[parts[2]] = parts[3] if len(parts) > 3 else ""
        elif tag == "KALLSYMS" and parts[2:3] == ["begin"]:
            in_kallsyms = True
        elif tag in ("MOD", "KP", "LOG", "TR", "ERR") and len(parts) >= 3:
            run = result.runs.setdefault(parts[2], ModuleRun(parts[2]))
            rest = parts[3] if len(parts) > 3 else ""
            if tag == "MOD":
                word, _, value = rest.partition(" ")
                if word == "insmod" and value.strip().lstrip("-").isdigit():
                    run.insmod_rc = int(value)
                elif word == "rmmod" and value.strip().lstrip("-").isdigit():
                    run.rmmod_rc = int(value)
                elif word == "begin":
                    run.started_at = _float(value)
                elif word == "end":
                    run.finished = True
                    run.seconds = max(0.0, _float(value) - run.started_at)
            elif tag == "KP":
                phase, _, probe = rest.partition(" ")
                bucket = run.probes.setdefault(phase, [])
                if probe.strip() != "-":
                    bucket.append(Probe.parse(probe))
            elif tag == "ERR":
                run.errors.append(rest)
            elif tag == "TR":
                reg = Registration.parse(rest)
                if reg is not None:
                    run.registrations.append(reg)
            else:
                run.log.append(rest)
    if encoded:
        try:
            result.kallsyms = gzip.decompress(base64.b64decode("".join(encoded)))
        except (ValueError, OSError, EOFError) as e:
            result.info["kallsyms-error"] = str(e)


def _float(text: str) -> float:
    try:
        return float(text.split()[0])
    except (ValueError, IndexError):
        return 0.0


# -- booting -----------------------------------------------------------------------------------------
def choose_accel() -> tuple[str, str]:
    forced = os.environ.get("PROBE_MIGRATOR_ACCEL")
    if forced in ("kvm", "tcg"):
        return forced, "PROBE_MIGRATOR_ACCEL"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg", "/dev/kvm is not usable"
    if os.path.exists("/sys/module/kvm_pvm"):
        return "tcg", "the host's KVM is kvm-pvm, which runs only PVM guest kernels"
    return "kvm", "/dev/kvm"


def boot_modules(kernel: Kernel, modules: list[GuestModule], workdir: str, kaslr: bool = False,
                 timeout: float = 900, kallsyms: bool = False, log: Log | None = None,
                 max_boots: int | None = None) -> BootResult:
    """Boot ``kernel`` (with or without KASLR), load every module in turn, return what happened.

    ``timeout`` bounds the wall-clock time of all boots together. Raises BootError when the kernel
    cannot be booted at all."""
    busybox = static_busybox()
    if busybox is None:
        raise BootError("no statically linked busybox (Debian: apt-get install busybox-static)")
    os.makedirs(workdir, exist_ok=True)
    for i, m in enumerate(modules):
        m.gid = f"m{i:03d}"
    # nokaslr: PVH-boot the decompressed vmlinux (about 2x faster; same addresses as the bzImage with
    # nokaslr). KASLR is done by the bzImage's decompressor, so KASLR must boot the bzImage.
    image = kernel.bzimage if kaslr or kernel.vmlinux is None else kernel.vmlinux
    append = "console=ttyS0 panic=-1 quiet loglevel=1" + ("" if kaslr else " nokaslr")
    accel, why = choose_accel()
    result = BootResult(kernel.kver, kaslr, accel)
    say = log or (lambda _msg: None)
    say(f"booting {kernel.kver} ({'KASLR' if kaslr else 'nokaslr'}, {accel}: {why}) with {len(modules)} module(s)")
    deadline = time.monotonic() + timeout
    pending = list(modules)
    first = True
    started = time.monotonic()
    limit = max_boots if max_boots is not None else len(modules) + 2
    while first or pending:
        if result.boots >= limit:
            for m in pending:
                result.runs.setdefault(m.gid, ModuleRun(m.gid)).crashed = "not run: too many guest crashes"
            break
        initrd = os.path.join(workdir, f"initrd{result.boots}.cpio.gz")
        make_initramfs(initrd, pending, kallsyms and first, busybox)
        status, text, console = _run_qemu(image, initrd, append, accel, workdir, deadline, result.boots)
        if status == "no-start" and accel == "kvm":
            say("the guest did not start under KVM; retrying with TCG")
            accel = result.accel = "tcg"
            status, text, console = _run_qemu(image, initrd, append, accel, workdir, deadline, result.boots)
        if first and "PM BOOT" not in text and image != kernel.bzimage:
            say("the decompressed kernel did not boot (PVH); retrying with the bzImage")
            image = kernel.bzimage
            status, text, console = _run_qemu(image, initrd, append, accel, workdir, deadline, result.boots)
        result.boots += 1
        result.complete = False
        result.info.pop("restart", None)
        parse_report(text, result)
        if first and "release" not in result.info:
            raise BootError(f"the guest did not start ({status})"
                            + (": " + " | ".join(console[-8:]) if console else ""))
        first = False
        if result.complete:
            break
        remaining = [m for m in pending if m.gid not in result.runs]
        if "restart" in result.info:  # a module oopsed: the kernel is no place for the next ones
            say(f"a module oopsed ({_name_of(pending, result.info['restart'])}); rebooting for the remaining modules")
            pending = remaining
            continue
        # the module that was running when the guest died takes the blame; the rest get a new boot
        result.console = console
        culprit = next((m for m in pending if m.gid in result.runs and not result.runs[m.gid].finished), None)
        how = {"timeout": "ran out of time (--timeout)", "stalled": "hung", "ok": "died"}.get(status, status)
        if culprit is not None:
            result.runs[culprit.gid].crashed = f"the guest {how} while this module was loaded" + (
                f": {key_line(console)}" if console else "")
            say(f"the guest {how} during {culprit.name}; rebooting for the remaining modules")
        if culprit is None or (status == "timeout" and time.monotonic() >= deadline):
            why = "out of time (--timeout)" if status == "timeout" else f"the guest {how}"
            for m in remaining:
                result.runs.setdefault(m.gid, ModuleRun(m.gid)).crashed = f"not run: {why}"
            break
        pending = remaining
    result.wall = time.monotonic() - started
    return result


def _name_of(modules: list[GuestModule], gid: str) -> str:
    return next((m.name for m in modules if m.gid == gid), gid)


def key_line(console: list[str]) -> str:
    """The line of a kernel console that says what killed the guest."""
    for marker in ("Kernel panic", "BUG:", "Oops", "general protection fault", "WARNING: CPU"):
        for line in console:
            if marker in line:
                return line
    return console[-1] if console else ""


def _run_qemu(image: str, initrd: str, append: str, accel: str, workdir: str, deadline: float,
              n: int) -> tuple[str, str, list[str]]:
    """One boot. Returns (status, the guest's report text, the tail of the kernel console)."""
    report = os.path.join(workdir, f"report{n}.txt")
    console = os.path.join(workdir, f"console{n}.txt")
    for p in (report, console):
        if os.path.exists(p):
            os.unlink(p)
    cmd = ["qemu-system-x86_64", "-accel", accel, "-m", "512M", "-smp", "1", "-nodefaults", "-no-user-config",
           "-display", "none", "-no-reboot", "-net", "none", "-kernel", image, "-initrd", initrd,
           "-append", append, "-serial", f"file:{console}", "-serial", f"file:{report}"]
    if accel == "kvm":
        cmd[3:3] = ["-cpu", "host"]
    start = last_change = time.monotonic()
    watch = 60.0 if accel == "kvm" else None  # KVM that cannot run this guest hangs silently
    size = 0
    with open(os.path.join(workdir, f"qemu{n}.err"), "w+b") as err:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        except FileNotFoundError as e:
            raise BootError("qemu-system-x86_64 is not installed (Debian: apt-get install qemu-system-x86)") from e
        status = "ok"
        while proc.poll() is None:
            time.sleep(0.2)
            now = time.monotonic()
            if watch is not None and now - start > watch:
                if "PM BOOT" not in _read(report):
                    status = "no-start"
                    break
                watch = None
            grown = os.path.getsize(report) if os.path.exists(report) else 0
            if grown != size:
                size, last_change = grown, now
            elif now - last_change > STALL_SECONDS:  # every module reports within a bounded time
                status = "stalled" if size else "no-start"
                break
            if now > deadline:
                status = "timeout"
                break
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        err.seek(0)
        message = err.read().decode(errors="replace").strip()
    if status == "ok" and proc.returncode != 0:
        status = f"qemu exited with {proc.returncode}: {message[-300:]}"
    lines = [line.strip() for line in _read(console).replace("\r", "").splitlines() if line.strip()]
    return status, _read(report), lines[-80:]


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""
