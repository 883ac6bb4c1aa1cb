"""Boot a kernel in QEMU with a busybox initramfs, load modules one at a time, and read back the
kprobes each one registered from /sys/kernel/debug/kprobes/list.

The modules need no cooperation: the guest records the probe list before ``insmod``, after it,
and after a small workload (some modules arm probes lazily), then ``rmmod``s the module and sends
its dmesg. Everything travels over the second serial port as ``PM ...`` lines into a host file,
so the kernel console (first serial port) stays separate and can be shown when the guest dies.

One boot holds every module; if the kernel dies part way (a module that panics or hangs it), the
module that was running is recorded as such and the remaining ones get a fresh boot.

guest.py builds what the guest runs; guest_report.py reads what it sends back.
"""

from __future__ import annotations

import os
import subprocess
import time

from migrator.verify import behaviour
from migrator.verify.debkernel import BootError, Kernel, Log, cache_dir, static_busybox
from migrator.verify.guest import STALL_SECONDS, GuestModule, make_initramfs
from migrator.verify.guest_report import BootResult, ModuleRun, parse_report

NOKASLR_TEXT = 0xFFFFFFFF81000000  # x86-64 _text without KASLR


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
    guest_program, _why = behaviour.program(os.path.join(cache_dir(), "guest"))  # judge.py reports a why
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
        make_initramfs(initrd, pending, kallsyms and first, busybox, guest_program)
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
        after = _after_incomplete_boot(result, pending, status, console, deadline, say)
        if after is None:
            break
        pending = after
    result.wall = time.monotonic() - started
    return result


def _after_incomplete_boot(result: BootResult, pending: list[GuestModule], status: str, console: list[str],
                           deadline: float, say: Log) -> list[GuestModule] | None:
    """The modules the next boot should load, after a boot that ended before the guest said DONE; or
    None when there is no point in another boot (the remaining modules are then marked not run)."""
    remaining = [m for m in pending if m.gid not in result.runs]
    if "restart" in result.info:  # a module oopsed: the kernel is no place for the next ones
        say(f"a module oopsed ({_name_of(pending, result.info['restart'])}); rebooting for the remaining modules")
        return remaining
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
        return None
    return remaining


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
