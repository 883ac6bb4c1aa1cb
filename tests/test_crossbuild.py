"""verify --boot --map-kernel: a migration proven on a kernel build other than the one its map (and
the original's hard-coded addresses) came from, and the originals shown to miss there.

The slow test takes the kernel linux-headers-amd64 points to today as the map's build ``A`` (its map
dumped by ``symbols --boot``, the corpus's addresses moved to it) and the other flavour of the same
ABI as ``B`` (``-amd64`` <-> ``-cloud-amd64``): one source, two configurations, two text layouts.
Nothing is pinned: both names are derived from what the archive holds at run time."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from bootkit import _ADDRESS_RE, cli

from migrator.check.includes import local_headers
from migrator.verify import debkernel
from migrator.verify.crossbuild import CrossResult, judge_cross
from migrator.verify.guest_report import ModuleRun, Probe, Registration
from migrator.verify.judge import ModuleResult, Side
from migrator.verify.kbuild import Build

A_OPENAT = "ffffffff81363fb1  k  do_sys_openat2+0x11  [OPTIMIZED]"
B_OPENAT = "ffffffff8134a361  k  do_sys_openat2+0x11"
B_ELSEWHERE = "ffffffff81363fb1  k  do_linkat+0x81"


def _side(rc: int | None = 0, probes: tuple[str, ...] = (), builds: bool = True, regs: tuple[str, ...] = ()) -> Side:
    run = None
    if rc is not None and builds:  # a module that does not build never reaches the guest
        run = ModuleRun("m", insmod_rc=rc, rmmod_rc=0 if rc == 0 else None, finished=True,
                        probes={"pre": [], "load": [Probe.parse(p) for p in probes]},
                        registrations=[Registration("register_kprobe", r.split()[0], r.split()[1]) for r in regs])
    return Side(Build(builds, errors=[] if builds else ["x.c: error: implicit declaration of function"]), run)


@pytest.mark.parametrize(("ref", "before", "after", "verdict", "regressed", "misses", "moved"), [
    # the migration lands on B's do_sys_openat2+0x11; the original's address is do_linkat+0x81 there
    (_side(probes=(A_OPENAT,)), _side(probes=(B_ELSEWHERE,)), _side(probes=(B_OPENAT,)), "equivalent", False, True, 1),
    # the original fails its init on B (-EILSEQ: not an instruction boundary)
    (_side(probes=(A_OPENAT,)), _side(rc=84), _side(probes=(B_OPENAT,)), "equivalent", False, True, 1),
    # a build where nothing moved proves nothing about portability: said, not hidden
    (_side(probes=(A_OPENAT,)), _side(probes=(A_OPENAT,)), _side(probes=(A_OPENAT,)), "equivalent", False, False, 0),
    (_side(probes=(A_OPENAT,)), _side(probes=(B_ELSEWHERE,)), _side(probes=(B_ELSEWHERE,)), "different", True, True, 0),
    (_side(probes=(A_OPENAT,)), _side(probes=(B_ELSEWHERE,)), _side(rc=2), "different", True, True, 0),
    # neither loads on B (an address fix left for a human): not the migration's doing
    (_side(probes=(A_OPENAT,)), _side(rc=22), _side(rc=22), "load-fail", False, True, 0),
    (_side(builds=False), _side(builds=False), _side(probes=(B_OPENAT,)), "build-fail", False, False, 0),
    (_side(rc=22), _side(rc=22), _side(probes=(B_OPENAT,)), "load-fail", False, False, 0),
    # the migrated version needs what B lacks, and so does the original: no regression
    (_side(probes=(A_OPENAT,)), _side(builds=False), _side(builds=False), "build-fail", False, True, 0),
    (_side(probes=(A_OPENAT,)), _side(probes=(B_ELSEWHERE,)), _side(builds=False), "build-fail", True, True, 0),
    # registered and removed during init: the resolved registrations decide
    (_side(regs=("0xffffffff813abf30 vfs_fsync+0x0",)), _side(regs=("0xffffffff813abf30 do_fsync+0x10",)),
     _side(regs=("0xffffffff81391230 vfs_fsync+0x0",)), "equivalent", False, True, 1),
])
def test_cross_build_verdicts(ref, before, after, verdict, regressed, misses, moved):
    m = ModuleResult("x.c", "x", before, after)
    cross = CrossResult(ref)
    judge_cross(m, cross)
    assert (m.verdict, m.regressed, cross.original_misses, cross.moved) == (verdict, regressed, misses, moved), \
        (m.detail, cross.original_detail)


def test_map_kernel_needs_boot_and_excludes_kaslr(tmp_path):
    r = cli("verify", "--map-kernel", "6.1.0-1-amd64", str(tmp_path))
    assert r.returncode == 2 and b"--boot" in r.stderr
    r = cli("verify", "--boot", "--kaslr", "--map-kernel", "6.1.0-1-amd64", str(tmp_path))
    assert r.returncode == 2 and b"--kaslr" in r.stderr


def other_flavour(kver: str) -> str | None:
    """The same ABI built with Debian's other amd64 configuration (``amd64`` <-> ``cloud-amd64``)."""
    if kver.endswith("-cloud-amd64"):
        return kver[:-len("-cloud-amd64")] + "-amd64"
    if kver.endswith("-amd64"):
        return kver[:-len("-amd64")] + "-cloud-amd64"
    return None


def _in_archive(kver: str) -> bool:
    r = subprocess.run(["apt-cache", "show", f"linux-image-{kver}"], capture_output=True, text=True)
    return r.returncode == 0 and "Package:" in r.stdout


@pytest.mark.slow
def test_migrations_land_on_the_same_symbol_offset_of_another_build(kernel, corpus, booted_map, tmp_path):
    other = other_flavour(kernel.kver)
    if other is None or not debkernel.which("apt-cache") or not _in_archive(other):
        pytest.skip(f"the archive offers no other build of {kernel.kver} (looked for linux-image-{other})")
    try:
        debkernel.setup(other, log=lambda _msg: None)
    except debkernel.MissingPackages as e:
        pytest.skip(f"cannot install what booting {other} needs: {e}")
    src = tmp_path / "src"
    for path, (old, _new) in corpus.contents.items():
        dest = src / os.path.relpath(path, corpus.dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(old)
    # the originals with a kernel address written in them or in a local header they include
    hard_coded = {os.path.basename(p)[:-2] for p, (old, _n) in corpus.contents.items()
                  if p.endswith(".c") and any(_ADDRESS_RE.search(text) for text in
                                              (old, *(h.encode() for _p, h in local_headers(p, old))))}
    r = cli("verify", "--boot", "--symbols", str(booted_map), "--kver", other, "--map-kernel", kernel.kver,
            "--format", "json", *sorted(str(p) for p in src.iterdir()))
    print(r.stderr.decode())
    assert r.returncode == 0, r.stderr.decode()  # no migration regressed on the other build
    data = json.loads(r.stdout)
    assert (data["kernel"], data["map_kernel"]) == (other, kernel.kver)
    by = {m["module"]: m for m in data["modules"]}
    proven = {n for n, m in by.items() if m["verdict"] == "equivalent"}
    travelled = {n for n in proven & hard_coded if by[n]["cross_build"]["original_misses"]}
    print(f"on {other} with the map of {kernel.kver}: {len(proven)} equivalent ({sorted(proven)}); "
          f"hard-coded originals that miss there: {len(travelled)} ({sorted(travelled)})")
    # the acceptance: at least 8 migrations proven on the other build, each a hard-coded original
    # that misses there, at places that moved between the two builds
    assert len(travelled) >= 8, {n: (m["verdict"], m["detail"], m.get("cross_build", {}).get("original"))
                                 for n, m in by.items()}
    for n in travelled:
        cross = by[n]["cross_build"]
        assert cross["moved"] >= 1 and cross["moved"] == cross["compared"], (n, cross)
        reference = {" ".join(p.split()[1:3]) for p in cross["reference"]["probes"]}
        landed = {" ".join(p.split()[1:3]) for p in by[n]["after"]["probes"]}
        assert reference == landed, n
    assert "k do_sys_openat2+0x11" in {" ".join(p.split()[1:3]) for p in by["sysmap_openat"]["after"]["probes"]}
    # and where the original does land (its addresses come from kallsyms, not the map), it is said
    for n in proven - hard_coded:
        assert re.search(r"do not come from the map|does not (build|load)", by[n]["cross_build"]["original"]), n
