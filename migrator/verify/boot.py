"""verify --boot: prove migrations on the real kernel.

For each module ``fix`` changes (see units.py), the original and the migrated source are built
against the headers of a Debian kernel (kbuild.py); that kernel is booted once in QEMU with every
built module in its initramfs (each original next to its migration, so even under KASLR both sides
see the same addresses), each module is loaded in turn, and the kprobes it registered are read back
from /sys/kernel/debug/kprobes/list (qemu.py). judge.py turns each pair into a verdict.

Busybox's insmod retries a failed finit_module() with init_module(), so the init of a module that
fails to load runs twice (its log lines and registrations appear twice).

Environment: PROBE_MIGRATOR_KERNEL_CACHE (where kernel images go), PROBE_MIGRATOR_ACCEL=kvm|tcg
(default: KVM when usable), PROBE_MIGRATOR_KEEP=1 (keep the build/VM work files and say where).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import sys
import tempfile
import time
from typing import TYPE_CHECKING

from migrator.verify import behaviour
from migrator.verify.debkernel import BootError, Kernel, Log, log_stderr
from migrator.verify.guest import GuestModule
from migrator.verify.judge import SIDES, ModuleResult, Report, Side, judge, summary, write_text
from migrator.verify.kbuild import Build, BuildError, build_modules, module_name
from migrator.verify.qemu import boot_modules, key_line
from migrator.verify.units import Unit, units_from_fix

if TYPE_CHECKING:
    from migrator.check.engine import Options


def verify_boot(kernel: Kernel, units: list[Unit], kaslr: bool = False, timeout: float = 900,
                log: Log = log_stderr, workdir: str | None = None) -> Report:
    """Build both versions of every module in ``units``, boot once, load them all, judge each pair."""
    t0 = time.monotonic()
    keep = workdir is not None or bool(os.environ.get("PROBE_MIGRATOR_KEEP"))
    work = workdir or tempfile.mkdtemp(prefix="probe-migrator-boot-")
    try:
        log(f"building {sum(len(u.modules) for u in units)} module(s), before and after, against {kernel.headers}")
        results = _build_both_sides(kernel, units, work)
        t_build = time.monotonic() - t0
        report = Report(kernel.kver, kaslr, results)
        loaded, t_vm = _load_in_guest(kernel, report, os.path.join(work, "vm"), timeout, log)
        for mr in results:
            judge(mr)
        per_module = [s.run.seconds for mr in results for s in (mr.before, mr.after) if s.run and s.run.finished]
        report.timing.update({"build": t_build, "vm": t_vm, "total": time.monotonic() - t0,
                              "modules_loaded": float(loaded),
                              "per_module": sum(per_module) / len(per_module) if per_module else 0.0})
        return report
    finally:
        if keep:
            log(f"work files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _build_both_sides(kernel: Kernel, units: list[Unit], work: str) -> list[ModuleResult]:
    """One Kbuild run per unit and side (two at a time: each is a parallel make already); the .ko
    files stay under ``work``/<side>/<unit>/ for the guest."""
    jobs = [(i, side, unit) for i, unit in enumerate(units) for side in SIDES]

    def run_build(job: tuple[int, str, Unit]) -> tuple[int, str, dict[str, Build]]:
        i, side, unit = job
        files = unit.before if side == "before" else unit.after
        names = [module_name(p) for p in unit.modules]
        return i, side, build_modules(kernel.headers, files, names, os.path.join(work, side, str(i)),
                                      kver=kernel.kver, timeout=900)

    built: dict[tuple[int, str], dict[str, Build]] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for i, side, res in pool.map(run_build, jobs):
            built[(i, side)] = res
    return [ModuleResult(path, module_name(path), Side(built[(i, "before")][module_name(path)]),
                         Side(built[(i, "after")][module_name(path)]),
                         behavioural=behaviour.SEEN.encode() in unit.after.get(os.path.basename(path), b""))
            for i, unit in enumerate(units) for path in unit.modules]


def _load_in_guest(kernel: Kernel, report: Report, vmdir: str, timeout: float, log: Log) -> tuple[int, float]:
    """Boot once with every built module, each original right before its migration, and attach each
    module's run to its side of ``report``. Returns how many modules went to the guest and the VM's
    wall-clock time."""
    guests = [GuestModule(s.build.ko, mr.name) for mr in report.modules for s in (mr.before, mr.after)
              if s.build.ok and s.build.ko]
    if not guests:
        return 0, 0.0
    boot = boot_modules(kernel, guests, vmdir, kaslr=report.kaslr, timeout=timeout, log=log)
    report.accel, report.boots, report.console = boot.accel, boot.boots, boot.console
    report.text = boot.info.get("text", "")
    report.timing["guest_boot"] = boot.ready
    by_ko = {g.ko: g for g in guests}
    for mr in report.modules:
        for s in (mr.before, mr.after):
            g = by_ko.get(s.build.ko or "")
            if g is not None:
                s.run = boot.runs.get(g.gid)
    return len(guests), boot.wall


def run_verify_boot(paths: list[str], opts: Options, symbols_path: str | None, kver: str | None, kaslr: bool,
                    timeout: float, fmt: str, map_kver: str | None = None) -> int:
    """The ``verify --boot`` command. 0: no regression; 1: a migration is different (or broke the
    module); 2: usage or setup error. With ``map_kver``, the proof across builds (crossbuild.py)."""
    from migrator.fix.symbols import MapError, load
    from migrator.verify import debkernel

    try:
        symbols = load(symbols_path) if symbols_path else None
    except MapError as e:
        log_stderr(f"error: {e}")
        return 2
    if symbols is not None and kaslr:
        log_stderr("note: the symbol map's addresses assume nokaslr; under KASLR the originals' hard-coded "
                "addresses point elsewhere, which is what --kaslr demonstrates")
    t0 = time.monotonic()
    try:
        units = units_from_fix(paths, opts, symbols)
        for unit in units:
            for path in unit.skipped:
                log_stderr(f"{path}: note: not a kernel module (no module_init/MODULE_LICENSE); not booted")
        units = [u for u in units if u.modules]
        if not units:
            log_stderr("nothing to verify: fix changes no module")
            if fmt == "json":
                sys.stdout.write(json.dumps({"kernel": kver, "kaslr": kaslr, "modules": []}, indent=2) + "\n")
            return 0
        kernel = debkernel.setup(kver)
        map_kernel = debkernel.setup(map_kver) if map_kver else None
        t_setup = time.monotonic() - t0
        if map_kernel is not None:
            from migrator.verify.crossbuild import verify_cross

            report = verify_cross(map_kernel, kernel, units, timeout=timeout)
        else:
            report = verify_boot(kernel, units, kaslr=kaslr, timeout=timeout)
    except (BootError, BuildError) as e:
        log_stderr(f"error: {e}")
        return 2
    report.timing["setup"] = t_setup
    report.timing["total"] = time.monotonic() - t0
    if fmt == "json":
        sys.stdout.write(json.dumps(report.as_json(), indent=2) + "\n")
    else:
        write_text(report, sys.stdout)
    if report.console:
        log_stderr(f"the guest died at least once: {key_line(report.console)}")
    log_stderr(summary(report))
    return 1 if report.regressed else 0
