"""verify --boot --map-kernel A --kver B: prove migrations on a kernel build other than the map's.

The point of the migration is that a probe given as symbol+offset lands on the same instruction of
*every* build, where a hard-coded address is right on one build only. So the proof takes two Debian
kernels whose text layouts differ (another flavour of the same ABI, such as ``cloud-amd64``, or
another series; consecutive ABIs of one flavour often share a layout):

* ``A``, the build the symbol map comes from: the original module is built for it and loaded there.
  What it registers is the *reference*: the instructions its author meant (``kind sym+off``).
* ``B``, another build: the migrated module and, again, the original are built for it and loaded
  there. The migration is ``equivalent`` when it registers the reference's probes by kind and
  symbol+offset (at B's own addresses, which the guest's kprobes list prints); the original *misses*
  when it does not register them there (other instructions, or it fails to load).

Addresses are compared only to say how many probed places moved between the builds: a proof where
none moved shows nothing about portability, and the report says so.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass

from migrator.verify.debkernel import Kernel, Log, log_stderr
from migrator.verify.guest import GuestModule
from migrator.verify.guest_report import Probe, Registration
from migrator.verify.judge import ModuleResult, Report, Side
from migrator.verify.kbuild import Build, build_modules, module_name
from migrator.verify.qemu import boot_modules
from migrator.verify.units import Unit

Place = tuple[str, str, str, tuple[str, ...]]  # kind, sym+off, module of the code, flags
_IGNORED_FLAGS = frozenset({"OPTIMIZED"})


@dataclass
class CrossResult:
    """What the cross-build proof adds to a module's result."""

    reference: Side  # the original on the map's kernel
    original_misses: bool = False  # the original on the other build does not land on the reference
    original_detail: str = ""
    moved: int = 0  # reference probes whose address differs on the other build
    compared: int = 0  # reference probes (or registrations) compared


def place(p: Probe) -> Place:
    """A probe without its address (the module's own code is named by symbol+offset too)."""
    return (p.kind, p.where, p.module, tuple(sorted(set(p.flags) - _IGNORED_FLAGS)))


def _reg_place(r: Registration) -> tuple[str, str, str]:
    return (r.caller, r.where, r.module)


def judge_cross(m: ModuleResult, cross: CrossResult) -> None:
    """The verdict of ``m`` (before/after: on the other build) against ``cross.reference``."""
    ref, b, a = cross.reference, m.before, m.after
    m.verdict, m.detail, m.regressed = _verdict(ref, b, a, cross)
    cross.original_misses, cross.original_detail = _original(ref, b)


def _verdict(ref: Side, b: Side, a: Side, cross: CrossResult) -> tuple[str, str, bool]:
    if not ref.build.ok:
        return "build-fail", ("the original does not build for the map's kernel ("
                              f"{ref.build.errors[0] if ref.build.errors else '?'}): no reference to compare with"), False
    if not a.build.ok:  # a regression only where the original does build for this kernel
        also = "" if b.build.ok else "; nor does the original"
        return "build-fail", (f"the migrated version does not build for the other kernel "
                              f"({a.build.errors[0] if a.build.errors else '?'}){also}"), b.build.ok
    if not ref.loaded:
        return "load-fail", "the original does not load on the map's kernel: no reference to compare with", False
    if not a.loaded:
        if not b.loaded:  # e.g. addresses fix left for a human: the migration made nothing worse
            return "load-fail", "neither version loads on the other build (an address fix could not migrate stays "\
                                "build-specific, or the code is missing there)", False
        return "different", "the migrated version does not load on the other build; the original does", True
    rp, ap = ref.probes(), a.probes()
    if rp or ap:
        kr, ka = Counter(place(p) for p in rp), Counter(place(p) for p in ap)
        if kr != ka:
            return "different", (f"on the other build the migrated version registers {sum((ka - kr).values())} probe(s) "
                                 f"the original did not on the map's kernel and misses {sum((kr - ka).values())}"), True
        cross.compared = len(rp)
        cross.moved = _moved([(place(p), p.address) for p in rp], [(place(p), p.address) for p in ap])
        return "equivalent", (f"the {len(rp)} kprobe(s) the original registers on the map's kernel, by symbol+offset, "
                              f"{cross.moved} of them at another address"), False
    rr, ra = Counter(map(_reg_place, ref.registrations())), Counter(map(_reg_place, a.registrations()))
    if rr != ra:
        return "different", "no kprobe stays registered, and the registrations made while loading differ", True
    cross.compared = sum(rr.values())
    cross.moved = _moved([(_reg_place(r), r.address) for r in ref.registrations()],
                         [(_reg_place(r), r.address) for r in a.registrations()])
    return "equivalent", (f"no kprobe stays registered; the {cross.compared} registration(s) made while loading "
                          f"resolve to the same symbol+offset, {cross.moved} of them at another address"), False


def _moved(ref: list[tuple[object, str]], other: list[tuple[object, str]]) -> int:
    """How many reference places sit at another address on the other build."""
    there: dict[object, list[str]] = {}
    for key, addr in other:
        there.setdefault(key, []).append(addr)
    return sum(1 for key, addr in ref if addr not in there.get(key, []))


def _original(ref: Side, b: Side) -> tuple[bool, str]:
    """Does the original, built for the other kernel, still land where it meant to?"""
    if not ref.loaded:
        return False, "no reference"
    if not b.build.ok:
        return True, "it does not build for the other kernel"
    if not b.loaded:
        return True, "it does not load on the other kernel"
    rp, bp = ref.probes(), b.probes()
    if rp or bp:
        kr, kb = Counter(place(p) for p in rp), Counter(place(p) for p in bp)
        if kr == kb:
            return False, "it registers the same probes here: its addresses do not come from the map"
        return True, f"it registers {', '.join(sorted(p.where for p in bp)) or 'nothing'} instead"
    if Counter(map(_reg_place, ref.registrations())) == Counter(map(_reg_place, b.registrations())):
        return False, "its registrations resolve alike here: its addresses do not come from the map"
    return True, "its registrations resolve elsewhere"


def verify_cross(map_kernel: Kernel, kernel: Kernel, units: list[Unit], timeout: float = 900,
                 log: Log = log_stderr) -> Report:
    """Build the originals for ``map_kernel`` and both versions for ``kernel``, boot each kernel once,
    judge every module against its original's probes on ``map_kernel``."""
    from migrator.verify.boot import verify_boot

    t0 = time.monotonic()
    work = tempfile.mkdtemp(prefix="probe-migrator-cross-")
    keep = bool(os.environ.get("PROBE_MIGRATOR_KEEP"))
    try:
        log(f"building the originals against {map_kernel.headers} (the map's kernel)")
        references = _build_references(map_kernel, units, os.path.join(work, "ref"))
        guests = {path: GuestModule(b.ko, module_name(path)) for path, b in references.items() if b.ok and b.ko}
        runs = {}
        if guests:
            boot = boot_modules(map_kernel, list(guests.values()), os.path.join(work, "vm"), timeout=timeout, log=log)
            runs = {path: boot.runs.get(g.gid) for path, g in guests.items()}
        t_ref = time.monotonic() - t0
        report = verify_boot(kernel, units, timeout=timeout, log=log)
        report.map_kernel = map_kernel.kver
        report.timing["reference"] = t_ref
        for m in report.modules:
            cross = CrossResult(Side(references[m.path], runs.get(m.path)))
            judge_cross(m, cross)
            m.cross = {"reference": cross.reference.as_json(), "original_misses": cross.original_misses,
                       "original": cross.original_detail, "moved": cross.moved, "compared": cross.compared}
        report.timing["total"] = time.monotonic() - t0
        return report
    finally:
        if keep:
            log(f"work files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _build_references(kernel: Kernel, units: list[Unit], work: str) -> dict[str, Build]:
    """The originals built for ``kernel``, by module path."""
    out: dict[str, Build] = {}
    for i, unit in enumerate(units):
        built = build_modules(kernel.headers, unit.before, [module_name(p) for p in unit.modules],
                              os.path.join(work, str(i)), kver=kernel.kver, timeout=900)
        out.update({p: built[module_name(p)] for p in unit.modules})
    return out
