"""verify --boot and symbols --boot: prove migrations on the real kernel.

For each module ``fix`` changes, the original and the migrated source are built against the
headers of a Debian kernel; that kernel is booted once in QEMU with every built module in its
initramfs (each original next to its migration, so even under KASLR both sides see the same
addresses), each module is loaded in turn, and the kprobes it registered are read back from
/sys/kernel/debug/kprobes/list. A module's migration is

* ``equivalent`` when both versions load alike and register the same probes (type, address,
  symbol+offset, flags; ``[OPTIMIZED]`` is ignored, it depends on timing),
* ``different`` when they do not (or the migrated version alone fails to load or crashes),
* ``build-fail`` / ``load-fail`` when a version cannot be built / loaded, so nothing can be compared
  (an original that uses kallsyms_lookup_name, unexported since 5.7, does not build on 6.1).

A failure of the migrated version alone is a regression (exit status 1), as is ``different``.

When neither version keeps a kprobe registered after insmod (a self-test that registers and
unregisters inside its init), the guest's trace of every address register_k(ret)probe() resolved
decides instead. Busybox's insmod retries a failed finit_module() with init_module(), so the init
of a module that fails to load runs twice (its log lines and registrations appear twice).

Environment: PROBE_MIGRATOR_KERNEL_CACHE (where kernel images go), PROBE_MIGRATOR_ACCEL=kvm|tcg
(default: KVM when usable), PROBE_MIGRATOR_KEEP=1 (keep the build/VM work files and say where).
"""

from __future__ import annotations

import concurrent.futures
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from migrator.verify.debkernel import BootError, Kernel, which
from migrator.verify.qemu import GuestModule, ModuleRun, Probe, Registration, boot_modules, key_line

if TYPE_CHECKING:
    from migrator.check.engine import Options
    from migrator.fix.symbols import SymbolMap

Log = Callable[[str], None]
VERDICTS = ("equivalent", "different", "build-fail", "load-fail")
SIDES = ("before", "after")
_INCLUDE_RE = re.compile(rb'^\s*#\s*include\s*"([^"]+)"', re.M)
_MODULE_RE = re.compile(rb"\b(module_init|init_module|MODULE_LICENSE)\b")
_DIAG_RE = re.compile(r"^(?P<file>(?:.*/)?[\w.+-]+\.[ch]):\d+:(?:\d+:)? (?P<kind>error|warning|fatal error): (?P<msg>.*)$")
_FROM_RE = re.compile(r"^In file included from (?:.*/)?(?P<file>[\w.+-]+\.c):\d+")
_MODPOST_RE = re.compile(r"^(?P<kind>ERROR|WARNING): modpost: (?P<msg>.*?)\[(?:.*/)?(?P<mod>[\w-]+)\.ko\](?P<rest>.*)$")
_IGNORED_FLAGS = frozenset({"OPTIMIZED"})  # the optimizer runs after a delay
_NOISE = ("taints kernel", "module verification failed", "Disabling lock debugging")


def _stderr(msg: str) -> None:
    sys.stderr.write(f"probe-migrator: {msg}\n")
    sys.stderr.flush()


# -- what to build -----------------------------------------------------------------------------------
@dataclass
class Unit:
    """The changed modules of one directory, with both versions of every file they may include."""

    directory: str
    modules: list[str]  # paths of the .c files, one module each
    before: dict[str, bytes]  # file name -> content
    after: dict[str, bytes]
    skipped: list[str] = field(default_factory=list)  # changed .c files that are not kernel modules


def module_name(path: str) -> str:
    return re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])


def units_from_contents(contents: dict[str, tuple[bytes, bytes]]) -> list[Unit]:
    """``contents``: path -> (original, migrated) of every .c/.h file considered. A .c file is a module
    to verify when it changed or includes (by ``#include "x.h"``) a header of its directory that changed,
    and is a kernel module at all (module_init, init_module or MODULE_LICENSE: not a user-space loader)."""
    by_dir: dict[str, dict[str, tuple[bytes, bytes]]] = {}
    for path, pair in contents.items():
        by_dir.setdefault(os.path.dirname(path) or ".", {})[os.path.basename(path)] = pair
    units = []
    for directory, files in sorted(by_dir.items()):
        changed_headers = {n for n, (old, new) in files.items() if n.endswith(".h") and old != new}
        mods: list[str] = []
        skipped: list[str] = []
        for name, (old, new) in sorted(files.items()):
            if not name.endswith(".c"):
                continue
            includes = {os.path.basename(i.decode(errors="replace")) for i in _INCLUDE_RE.findall(old)}
            if old != new or includes & changed_headers:
                (mods if _MODULE_RE.search(old) else skipped).append(os.path.join(directory, name))
        if mods or skipped:
            units.append(Unit(directory, mods, {n: o for n, (o, _n) in files.items()},
                              {n: m for n, (_o, m) in files.items()}, skipped))
    return units


def units_from_fix(paths: list[str], opts: Options, symbols: SymbolMap | None) -> list[Unit]:
    """Run ``fix`` (in memory) over ``paths`` and collect what it changes. Every .c/.h file of a
    directory that holds a changed file is taken along, so local includes resolve on both sides."""
    from migrator.check.discover import walk
    from migrator.fix.fixer import fix_bytes

    contents: dict[str, tuple[bytes, bytes]] = {}
    for item in walk(paths, opts.exclude):
        if isinstance(item, tuple):
            raise BootError(f"{item[0]}: {item[1]}")
        with open(item.path, "rb") as fh:
            data = fh.read()
        ff = fix_bytes(item.path, data, opts, symbols)
        contents[item.path] = (data, ff.new if ff.changed and ff.new is not None else data)
    dirs = {os.path.dirname(p) or "." for p, (o, n) in contents.items() if o != n}
    for d in dirs:  # headers the walk did not pick up (no probe triggers) are still includable
        for name in os.listdir(d):
            p = os.path.join(d, name)
            if name.endswith((".c", ".h")) and p not in contents and os.path.isfile(p):
                with open(p, "rb") as fh:
                    data = fh.read()
                contents[p] = (data, data)
    return units_from_contents({p: c for p, c in contents.items() if (os.path.dirname(p) or ".") in dirs})


# -- building ----------------------------------------------------------------------------------------
@dataclass
class Build:
    ok: bool = False
    ko: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build(kernel: Kernel, files: dict[str, bytes], modules: list[str], outdir: str,
          timeout: int = 900) -> dict[str, Build]:
    """Build ``modules`` (names) from ``files`` in ``outdir`` against the kernel's headers; the .ko files stay."""
    os.makedirs(outdir, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(outdir, name), "wb") as fh:
            fh.write(data)
    # Compile everything and keep going; one object that fails stops modpost for all, so link again
    # with only the objects that compiled. Undefined symbols are warnings here and read back below.
    output = _make(kernel, outdir, modules, timeout)
    compiled = [m for m in modules if os.path.exists(os.path.join(outdir, m + ".o"))]
    if compiled and len(compiled) < len(modules):
        output += _make(kernel, outdir, compiled, timeout)
    results = {m: Build() for m in modules}
    current: str | None = None
    for line in output.splitlines():
        inc = _FROM_RE.match(line)
        if inc:
            current = module_name(inc.group("file"))
            continue
        d = _DIAG_RE.match(line)
        if d:
            target = results.get(module_name(d.group("file")))
            if target is None and d.group("file").endswith(".h") and current in results:
                target = results[current]
            if target is not None:
                bucket = target.warnings if d.group("kind") == "warning" else target.errors
                bucket.append(f"{os.path.basename(d.group('file'))}: {d.group('kind')}: {d.group('msg')}")
            continue
        current = None
        p = _MODPOST_RE.match(line)
        if p and p.group("mod").replace("-", "_") in results:
            target = results[p.group("mod").replace("-", "_")]
            text = f"modpost: {p.group('msg').strip()} {p.group('rest').strip()}".strip()
            (target.errors if p.group("kind") == "ERROR" or "undefined" in text else target.warnings).append(text)
    for m, b in results.items():
        ko = os.path.join(outdir, m + ".ko")
        b.ok = os.path.exists(ko) and not b.errors
        if b.ok:
            magic = _vermagic(ko)
            if magic is not None and not magic.startswith(kernel.kver + " "):
                b.ok = False
                b.errors.append(f"vermagic {magic!r} does not match {kernel.kver}")
        if b.ok:
            b.ko = ko
        elif not b.errors:
            b.errors.append("no .ko produced")
    return results


def _make(kernel: Kernel, outdir: str, modules: list[str], timeout: int) -> str:
    with open(os.path.join(outdir, "Kbuild"), "w") as fh:
        fh.write("".join(f"obj-m += {m}.o\n" for m in modules))
    cmd = ["make", "-k", f"-j{os.cpu_count() or 2}", "-C", kernel.headers, f"M={os.path.abspath(outdir)}",
           "KBUILD_MODPOST_WARN=1", "modules"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError as e:
        raise BootError("make is not installed (Debian: apt-get install make)") from e
    except subprocess.TimeoutExpired as e:
        raise BootError(f"building in {outdir} took longer than {timeout}s") from e
    return proc.stdout + proc.stderr


def _vermagic(ko: str) -> str | None:
    tool = which("modinfo")
    if tool is None:
        return None
    r = subprocess.run([tool, "-F", "vermagic", ko], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


# -- judging -----------------------------------------------------------------------------------------
@dataclass
class Side:
    build: Build
    run: ModuleRun | None = None

    def probes(self) -> list[Probe]:
        """What the module registered: after the workload if anything, else right after insmod."""
        if self.run is None:
            return []
        return self.run.added("work") or self.run.added("load")

    def registrations(self) -> list[Registration]:
        return list(self.run.registrations) if self.run else []

    @property
    def loaded(self) -> bool:
        r = self.run
        return r is not None and r.finished and r.crashed is None and r.insmod_rc == 0

    def log(self) -> list[str]:
        return [line for line in (self.run.log if self.run else []) if not any(n in line for n in _NOISE)]

    def as_json(self) -> dict[str, object]:
        r = self.run
        return {"builds": self.build.ok, "errors": self.build.errors, "warnings": self.build.warnings,
                "loaded": self.loaded,
                "insmod_rc": r.insmod_rc if r else None, "rmmod_rc": r.rmmod_rc if r else None,
                "crashed": r.crashed if r else None, "oops": bool(r and r.oops),
                "insmod_errors": r.errors if r else [], "seconds": round(r.seconds, 2) if r else None,
                "probes": [p.raw for p in self.probes()],
                "registrations": [fmt_registration(r) for r in self.registrations()], "log": self.log()}


@dataclass
class ModuleResult:
    path: str
    name: str
    before: Side
    after: Side
    verdict: str = ""
    detail: str = ""
    regressed: bool = False  # the migrated version is worse: different, or fails where the original did not

    def as_json(self) -> dict[str, object]:
        return {"module": self.name, "path": self.path, "verdict": self.verdict, "detail": self.detail,
                "regressed": self.regressed, "before": self.before.as_json(), "after": self.after.as_json()}


def probe_key(p: Probe, own_module: str) -> tuple[str, str, str, str, tuple[str, ...]]:
    # a probe on the module's own code sits wherever that load put the module: compare sym+off only
    address = "" if p.module == own_module else p.address
    return (p.kind, address, p.where, p.module, tuple(sorted(set(p.flags) - _IGNORED_FLAGS)))


def registration_key(r: Registration, own_module: str) -> tuple[str, str, str, str]:
    return (r.caller, "" if r.module == own_module else r.address, r.where, r.module)


def fmt_registration(r: Registration) -> str:
    return f"{r.caller}: {r.address} {r.where}" + (f" [{r.module}]" if r.module else "")


def fmt_probe(p: Probe) -> str:
    flags = "".join(f"[{f}]" for f in p.flags)
    return f"{p.kind} {p.address} {p.where}" + (f" {p.module}" if p.module else "") + (f" {flags}" if flags else "")


def judge(result: ModuleResult) -> None:
    b, a = result.before, result.after
    verdict, detail, regressed = _judge(b, a, result.name)
    result.verdict, result.detail, result.regressed = verdict, detail, regressed


def _why_not_loaded(s: Side) -> str:
    r = s.run
    if r is None:
        return "not run"
    if r.crashed:
        return r.crashed
    if not r.finished:
        return "the guest did not finish it"
    return f"insmod exit status {r.insmod_rc}" + (f" ({r.errors[0]})" if r.errors else "")


def _judge(b: Side, a: Side, name: str) -> tuple[str, str, bool]:
    if not b.build.ok:
        also = "it builds after migration" if a.build.ok else \
            "nor does the migrated one (" + (a.build.errors[0] if a.build.errors else "?") + ")"
        return "build-fail", f"the original does not build ({b.build.errors[0] if b.build.errors else '?'}); {also}", False
    if not a.build.ok:
        return "build-fail", f"the migrated version does not build ({a.build.errors[0] if a.build.errors else '?'})", True
    if not b.loaded:
        also = "the migrated one loads" if a.loaded else f"nor does the migrated one ({_why_not_loaded(a)})"
        return "load-fail", f"the original does not load ({_why_not_loaded(b)}); {also}", False
    if not a.loaded:
        if b.run and b.run.rmmod_rc and a.run and a.run.insmod_rc == 17:  # EEXIST: the original is still loaded
            return "load-fail", f"the original could not be unloaded (rmmod exit status {b.run.rmmod_rc}), " \
                                "so the migrated one could not be loaded after it", False
        return "different", f"the migrated version does not load ({_why_not_loaded(a)})", True
    if bool(b.run and b.run.oops) != bool(a.run and a.run.oops):
        which_one = "original" if b.run and b.run.oops else "migrated version"
        return "different", f"only the {which_one} oopses", True
    kb = Counter(probe_key(p, name) for p in b.probes())
    ka = Counter(probe_key(p, name) for p in a.probes())
    if kb != ka:
        lost = sum((kb - ka).values())
        gained = sum((ka - kb).values())
        return "different", f"the migrated version registers {gained} probe(s) the original does not and " \
                            f"misses {lost} of the original's", True
    if not kb:
        # nothing stays registered: compare what was registered (and removed again) while loading
        rb = Counter(registration_key(r, name) for r in b.registrations())
        ra = Counter(registration_key(r, name) for r in a.registrations())
        if rb != ra:
            return "different", "no kprobe stays registered, but the registrations made while loading differ", True
        if not rb:
            return "equivalent", "neither version registers a kprobe", False
        n = sum(rb.values())
        return "equivalent", f"no kprobe stays registered; the {n} registration{'s' * (n != 1)} made while " \
                             "loading resolve to the same addresses", False
    n = sum(kb.values())
    return "equivalent", f"both register the same {n} kprobe{'s' * (n != 1)}", False


# -- the whole run -----------------------------------------------------------------------------------
@dataclass
class Report:
    kernel: str
    kaslr: bool
    modules: list[ModuleResult]
    accel: str = ""
    boots: int = 0
    text: str = ""  # _text as the guest saw it
    timing: dict[str, float] = field(default_factory=dict)
    console: list[str] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(m.verdict for m in self.modules)

    @property
    def regressed(self) -> bool:
        return any(m.regressed for m in self.modules)

    def as_json(self) -> dict[str, object]:
        return {"kernel": self.kernel, "kaslr": self.kaslr, "accel": self.accel, "boots": self.boots,
                "text": self.text, "timing": {k: round(v, 2) for k, v in self.timing.items()},
                "summary": dict(self.counts()), "modules": [m.as_json() for m in self.modules]}


def verify_boot(kernel: Kernel, units: list[Unit], kaslr: bool = False, timeout: float = 900,
                log: Log = _stderr, workdir: str | None = None) -> Report:
    """Build both versions of every module in ``units``, boot once, load them all, judge each pair."""
    t0 = time.monotonic()
    keep = workdir is not None or bool(os.environ.get("PROBE_MIGRATOR_KEEP"))
    work = workdir or tempfile.mkdtemp(prefix="probe-migrator-boot-")
    try:
        results: list[ModuleResult] = []
        jobs = [(i, side, unit) for i, unit in enumerate(units) for side in SIDES]

        def run_build(job: tuple[int, str, Unit]) -> tuple[int, str, dict[str, Build]]:
            i, side, unit = job
            files = unit.before if side == "before" else unit.after
            names = [module_name(p) for p in unit.modules]
            return i, side, build(kernel, files, names, os.path.join(work, side, str(i)))

        log(f"building {sum(len(u.modules) for u in units)} module(s), before and after, against {kernel.headers}")
        built: dict[tuple[int, str], dict[str, Build]] = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for i, side, res in pool.map(run_build, jobs):
                built[(i, side)] = res
        t_build = time.monotonic() - t0
        guests: list[GuestModule] = []
        for i, unit in enumerate(units):
            for path in unit.modules:
                name = module_name(path)
                mr = ModuleResult(path, name, Side(built[(i, "before")][name]), Side(built[(i, "after")][name]))
                results.append(mr)
                for side in SIDES:  # each original right before its migration
                    b = getattr(mr, side).build
                    if b.ok and b.ko:
                        guests.append(GuestModule(b.ko, name))
        report = Report(kernel.kver, kaslr, results)
        t_vm = 0.0
        if guests:
            kos = {g.ko: g for g in guests}
            boot = boot_modules(kernel, guests, os.path.join(work, "vm"), kaslr=kaslr, timeout=timeout, log=log)
            t_vm = boot.wall
            report.accel, report.boots, report.console = boot.accel, boot.boots, boot.console
            report.text = boot.info.get("text", "")
            report.timing["guest_boot"] = boot.ready
            for mr in results:
                for side in SIDES:
                    s: Side = getattr(mr, side)
                    g = kos.get(s.build.ko or "")
                    if g is not None:
                        s.run = boot.runs.get(g.gid)
        for mr in results:
            judge(mr)
        per_module = [s.run.seconds for mr in results for s in (mr.before, mr.after) if s.run and s.run.finished]
        report.timing.update({"build": t_build, "vm": t_vm, "total": time.monotonic() - t0,
                              "modules_loaded": float(len(guests)),
                              "per_module": sum(per_module) / len(per_module) if per_module else 0.0})
        return report
    finally:
        if keep:
            log(f"work files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def write_text(report: Report, out: IO[str]) -> None:
    for m in report.modules:
        out.write(f"{m.path}: {m.verdict}: {m.detail}\n")
        bp, ap = m.before.probes(), m.after.probes()
        if m.verdict == "equivalent":
            for p in bp:
                out.write(f"    {fmt_probe(p)}\n")
            if not bp:
                for r in m.before.registrations():
                    out.write(f"    (during load) {fmt_registration(r)}\n")
            continue
        for label, side, probes in (("before", m.before, bp), ("after", m.after, ap)):
            if side.run is None:
                continue
            if not probes:
                out.write(f"    {label}: (no kprobe registered)\n")
            for p in probes:
                out.write(f"    {label}: {fmt_probe(p)}\n")
            if not probes:
                for r in side.registrations():
                    out.write(f"    {label}: (during load) {fmt_registration(r)}\n")


def summary(report: Report) -> str:
    c = report.counts()
    t = report.timing
    shown = ", ".join(f"{c[v]} {v}" for v in VERDICTS if c[v])
    return (f"{len(report.modules)} module(s) verified on {report.kernel} "
            f"({'KASLR' if report.kaslr else 'nokaslr'}, {report.accel or 'no boot'}, {report.boots} boot(s)): "
            f"{shown or 'nothing to do'}; build {t.get('build', 0):.1f}s, VM {t.get('vm', 0):.1f}s "
            f"(guest up in {t.get('guest_boot', 0):.1f}s, {t.get('per_module', 0):.2f}s a module), "
            f"total {t.get('total', 0):.1f}s")


def run_verify_boot(paths: list[str], opts: Options, symbols_path: str | None, kver: str | None, kaslr: bool,
                    timeout: float, fmt: str) -> int:
    """The ``verify --boot`` command. 0: no regression; 1: a migration is different (or broke the
    module); 2: usage or setup error."""
    from migrator.fix.symbols import MapError, load
    from migrator.verify import debkernel

    try:
        symbols = load(symbols_path) if symbols_path else None
    except MapError as e:
        _stderr(f"error: {e}")
        return 2
    if symbols is not None and kaslr:
        _stderr("note: the symbol map's addresses assume nokaslr; under KASLR the originals' hard-coded "
                "addresses point elsewhere, which is what --kaslr demonstrates")
    t0 = time.monotonic()
    try:
        units = units_from_fix(paths, opts, symbols)
        for unit in units:
            for path in unit.skipped:
                _stderr(f"{path}: note: not a kernel module (no module_init/MODULE_LICENSE); not booted")
        units = [u for u in units if u.modules]
        if not units:
            _stderr("nothing to verify: fix changes no module")
            if fmt == "json":
                sys.stdout.write(json.dumps({"kernel": kver, "kaslr": kaslr, "modules": []}, indent=2) + "\n")
            return 0
        kernel = debkernel.setup(kver)
        t_setup = time.monotonic() - t0
        report = verify_boot(kernel, units, kaslr=kaslr, timeout=timeout)
    except BootError as e:
        _stderr(f"error: {e}")
        return 2
    report.timing["setup"] = t_setup
    report.timing["total"] = time.monotonic() - t0
    if fmt == "json":
        sys.stdout.write(json.dumps(report.as_json(), indent=2) + "\n")
    else:
        write_text(report, sys.stdout)
    if report.console:
        _stderr(f"the guest died at least once: {key_line(report.console)}")
    _stderr(summary(report))
    return 1 if report.regressed else 0


# -- symbols --boot ----------------------------------------------------------------------------------
_MARKERS = frozenset(("_text", "_stext", "_etext", "_sinittext", "_einittext", "_end"))


def text_only(kallsyms: str) -> str:
    """Text symbols (and the section markers symbols.load uses), as in corpus/maps."""
    out = []
    for line in kallsyms.splitlines():
        words = line.split()
        if len(words) >= 4 and words[3].startswith("[__builtin__"):
            continue  # trampolines of ftrace/kprobes/bpf, not code of the kernel image
        if len(words) >= 3 and (words[1] in "tTwW" or words[2] in _MARKERS):
            out.append(line)
    return "\n".join(out) + "\n"


def dump_kallsyms(kernel: Kernel, timeout: float = 600, log: Log = _stderr) -> tuple[str, float]:
    """Boot with nokaslr and return /proc/kallsyms (the real System.map, which Debian ships as a stub)."""
    work = tempfile.mkdtemp(prefix="probe-migrator-kallsyms-")
    try:
        boot = boot_modules(kernel, [], work, kaslr=False, timeout=timeout, kallsyms=True, log=log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if boot.kallsyms is None:
        raise BootError("the guest sent no /proc/kallsyms" + (f" ({boot.info['kallsyms-error']})"
                                                              if "kallsyms-error" in boot.info else ""))
    text = boot.kallsyms.decode("utf-8", "replace")
    found = re.search(r"^([0-9a-f]+) T _text$", text, re.M)
    if found is None or not found.group(1).strip("0"):
        raise BootError("the guest's /proc/kallsyms has no addresses (kptr_restrict)")
    return text, boot.wall


def run_symbols_boot(output: str | None, kver: str | None, text: bool, timeout: float) -> int:
    from migrator.fix.symbols import MapError, load
    from migrator.verify import debkernel

    t0 = time.monotonic()
    try:
        kernel = debkernel.setup(kver)
        data, vm = dump_kallsyms(kernel, timeout)
    except BootError as e:
        _stderr(f"error: {e}")
        return 2
    if text:
        data = text_only(data)
    if output is None or output == "-":
        sys.stdout.write(data)
        sys.stdout.flush()
    else:
        tmp = f"{output}.tmp{os.getpid()}"
        if output.endswith(".gz"):
            with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=9) as gz:
                gz.write(data)
        else:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(data)
        os.replace(tmp, output)
        try:
            smap = load(output)
        except MapError as e:
            _stderr(f"error: the saved map does not load: {e}")
            return 2
        _stderr(f"{output}: {len(smap.text)} text symbols of {kernel.kver} (nokaslr; _text at "
                f"{smap.markers.get('_text', 0):#x})")
    _stderr(f"booted {kernel.kver} in {vm:.1f}s; total {time.monotonic() - t0:.1f}s")
    return 0
