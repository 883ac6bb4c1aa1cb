"""The verdict on one migration, from what both versions of a module did in the guest, and the report.

A module's migration is

* ``equivalent`` when both versions load alike and register the same probes (type, address,
  symbol+offset, flags; ``[OPTIMIZED]`` is ignored, it depends on timing),
* ``different`` when they do not (or the migrated version alone fails to load or crashes),
* ``build-fail`` / ``load-fail`` when a version cannot be built / loaded, so nothing can be compared
  (an original that uses kallsyms_lookup_name, unexported since 5.7, does not build on 6.1).

A failure of the migrated version alone is a regression (exit status 1), as is ``different``.

When neither version keeps a kprobe registered after insmod (a self-test that registers and
unregisters inside its init), the guest's trace of every address register_k(ret)probe() resolved
decides instead.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from migrator.verify import behaviour
from migrator.verify.guest_report import ModuleRun, Probe, Registration
from migrator.verify.kbuild import Build

VERDICTS = ("equivalent", "different", "build-fail", "load-fail")
SIDES = ("before", "after")
_IGNORED_FLAGS = frozenset({"OPTIMIZED"})  # the optimizer runs after a delay
_NOISE = ("taints kernel", "module verification failed", "Disabling lock debugging")


@dataclass
class Side:
    """One version of a module (the original or its migration): how it built, what it did in the guest."""

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
    behavioural: bool = False  # its handlers log what they see for the guest program (behaviour.py)
    behaviour: str = ""  # behaves | differs | not-exercised
    behaviour_detail: str = ""
    # verify --map-kernel (crossbuild.py): the original on the map's kernel, whether it misses on this one
    cross: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "module": self.name, "path": self.path, "verdict": self.verdict, "detail": self.detail,
            "regressed": self.regressed, "before": self.before.as_json(), "after": self.after.as_json()}
        if self.behavioural:
            out["behaviour"] = {"verdict": self.behaviour, "detail": self.behaviour_detail}
        if self.cross:
            out["cross_build"] = self.cross
        return out


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
    if result.behavioural:
        result.behaviour, result.behaviour_detail = (
            behaviour.judge(a.log()) if a.loaded else ("not-exercised", "the migrated module did not load"))
        result.regressed = result.regressed or result.behaviour == "differs"


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


@dataclass
class Report:
    """One ``verify --boot`` run; as_json() is what --format json prints."""

    kernel: str
    kaslr: bool
    modules: list[ModuleResult]
    map_kernel: str = ""  # verify --map-kernel: the build the originals' addresses belong to
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
        return {"kernel": self.kernel, "map_kernel": self.map_kernel or None, "kaslr": self.kaslr,
                "accel": self.accel, "boots": self.boots,
                "text": self.text, "timing": {k: round(v, 2) for k, v in self.timing.items()},
                "summary": dict(self.counts()), "modules": [m.as_json() for m in self.modules]}


def write_text(report: Report, out: IO[str]) -> None:
    for m in report.modules:
        out.write(f"{m.path}: {m.verdict}: {m.detail}\n")
        if m.behavioural:
            out.write(f"    behaviour: {m.behaviour}: {m.behaviour_detail}\n")
        if m.cross:
            misses = "misses" if m.cross.get("original_misses") else "does not miss"
            out.write(f"    the original on {report.kernel} {misses}: {m.cross.get('original')}\n")
        bp, ap = m.before.probes(), m.after.probes()
        if m.verdict == "equivalent":
            for p in (ap if m.cross else bp):  # across builds: where the migration landed on this one
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
    on = f"{report.kernel} (map: {report.map_kernel})" if report.map_kernel else report.kernel
    return (f"{len(report.modules)} module(s) verified on {on} "
            f"({'KASLR' if report.kaslr else 'nokaslr'}, {report.accel or 'no boot'}, {report.boots} boot(s)): "
            f"{shown or 'nothing to do'}; build {t.get('build', 0):.1f}s, VM {t.get('vm', 0):.1f}s "
            f"(guest up in {t.get('guest_boot', 0):.1f}s, {t.get('per_module', 0):.2f}s a module), "
            f"total {t.get('total', 0):.1f}s")


