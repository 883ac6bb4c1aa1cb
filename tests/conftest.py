from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import venv
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


WILD = CORPUS / "wild"


def corpus_modules(root: pathlib.Path = CORPUS) -> list[pathlib.Path]:
    """Every corpus module that has an .expected file next to it (outside corpus/wild, whose
    modules tests/test_wild.py scores against the shapes not implemented yet)."""
    out = []
    for exp in sorted(root.rglob("*.expected")):
        if root == CORPUS and exp.is_relative_to(WILD):
            continue
        for suffix in (".c", ".h", ".py", ".sh", ".bash", ".tc"):
            src = exp.with_suffix(suffix)
            if src.exists():
                out.append(src)
                break
    return out


def read_expected(path: pathlib.Path) -> list[tuple[int, int, str, bool]]:
    out = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        ln, col = parts[0].split(":")
        out.append((int(ln), int(col), parts[1], len(parts) > 2 and parts[2] == "info"))
    return sorted(out)


@pytest.fixture
def run_check(tmp_path):
    """Write C text to a file and return the findings of check on it."""
    from migrator.check.engine import Options, check_bytes
    from migrator.check.registry import all_rules

    def run(text: str | bytes, name: str = "mod.c", context: str | None = None):
        data = text.encode() if isinstance(text, str) else text
        p = tmp_path / name
        p.write_bytes(data)
        return check_bytes(str(p), data, Options(rules=list(all_rules()), context=context))

    return run



@dataclass
class Installed:
    exe: pathlib.Path  # the installed probe-migrator
    wheel: pathlib.Path


def _no_index(r: subprocess.CompletedProcess[str]) -> bool:
    out = r.stderr + r.stdout
    return r.returncode != 0 and ("Could not find a version" in out or "No matching distribution" in out)


@pytest.fixture(scope="session")
def installed_wheel() -> Iterator[Installed]:
    """The wheel of this checkout, installed into a fresh venv in a world-readable temporary directory.

    What users install, and what a test can run as another user (``nobody``): the checkout, its venv
    and pytest's tmp_path may all sit under a 0700 directory that user cannot enter."""
    old_umask = os.umask(0o022)  # every file of the install readable by all
    base = pathlib.Path(tempfile.mkdtemp(prefix="pm-wheel-"))
    try:
        os.chmod(base, 0o755)
        dist = base / "dist"
        r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
        if _no_index(r):
            pytest.skip("no package index reachable to build the wheel: " + r.stderr[-300:])
        assert r.returncode == 0, r.stderr
        (wheel,) = dist.glob("probe_migrator-*.whl")
        env_dir = base / "venv"
        venv.EnvBuilder(with_pip=True).create(env_dir)
        r = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                           capture_output=True, text=True, timeout=600)
        if _no_index(r):
            pytest.skip("no package index reachable to install the wheel's dependencies: " + r.stderr[-300:])
        assert r.returncode == 0, r.stderr
    except BaseException:  # a skip too
        shutil.rmtree(base, ignore_errors=True)
        raise
    finally:
        os.umask(old_umask)
    try:
        yield Installed(env_dir / "bin" / "probe-migrator", wheel)
    finally:
        shutil.rmtree(base, ignore_errors=True)


# -- the kernel under test, for the boot tests (test_boot.py, test_crossbuild.py) ----------------------
@pytest.fixture(scope="session")
def kver() -> str:
    """The ABI Debian's linux-headers-amd64 points to now: apt-cache's candidate, else dpkg's installed one."""
    from migrator.verify import debkernel

    found = debkernel.meta_target()
    if found is None:
        pytest.skip("cannot tell the current Debian kernel: neither apt-cache nor dpkg knows linux-headers-amd64 "
                    "(apt-get update; apt-get install linux-headers-amd64)")
    return found


@pytest.fixture(scope="session")
def kernel(kver):
    """That kernel, its headers, QEMU and busybox, installed (as root) or skipped naming what is missing."""
    from migrator.verify import debkernel

    try:
        return debkernel.setup(kver, log=lambda _msg: None)
    except debkernel.MissingPackages as e:
        pytest.skip(f"cannot install what booting {kver} needs: {e}")


@pytest.fixture(scope="session")
def booted_map(kernel, tmp_path_factory) -> pathlib.Path:
    """The text symbols of the kernel under test from its own /proc/kallsyms, by ``symbols --boot``
    (Debian's linux-image ships System.map as a stub; the real one is in the ~1 GB -dbg package)."""
    from bootkit import cli

    out = tmp_path_factory.mktemp("map") / f"debian-{kernel.kver}.kallsyms.gz"
    r = cli("symbols", "--boot", "--kver", kernel.kver, "--text-only", "-o", str(out))
    assert r.returncode == 0, r.stderr.decode()
    return out


@pytest.fixture(scope="session")
def corpus(booted_map, tmp_path_factory):
    """The corpus's kernel modules with their addresses moved to the kernel under test."""
    from bootkit import relocated_corpus

    return relocated_corpus(booted_map, tmp_path_factory.mktemp("corpus"))
