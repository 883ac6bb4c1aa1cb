"""verify: build each changed module before and after migration with Kbuild, report the difference.

All modules of one side are built by one ``make -k`` (Kbuild builds them in parallel and keeps
going past a failing one); errors and warnings are attributed to modules by file name.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

_DIAG = re.compile(r"^(?:.*/)?(?P<file>[\w.-]+\.[ch]):\d+:\d+: (?P<kind>error|warning|fatal error): (?P<msg>.*)$")
_MODPOST = re.compile(r"^(?P<kind>ERROR|WARNING): modpost: (?P<msg>.*?)\[(?:.*/)?(?P<mod>[\w-]+)\.ko\](?P<rest>.*)$")


@dataclass
class Build:
    ok: bool
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ModuleReport:
    name: str
    path: str
    before: Build
    after: Build

    @property
    def new_warnings(self) -> list[str]:
        old = set(self.before.warnings)
        return [w for w in self.after.warnings if w not in old]

    @property
    def regressed(self) -> bool:
        return self.before.ok and (not self.after.ok or bool(self.new_warnings))


class VerifyError(RuntimeError):
    pass


def default_kernel_build() -> str:
    return f"/lib/modules/{os.uname().release}/build"


def find_debian_headers() -> str | None:
    """An installed Debian linux-headers-*-amd64 tree, newest first."""
    found = sorted(glob.glob("/usr/src/linux-headers-*-amd64"), reverse=True)
    return found[0] if found else None


def module_name(path: str) -> str:
    return re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])


def build_side(kdir: str, files: dict[str, bytes], modules: list[str], timeout: int = 600) -> dict[str, Build]:
    """Write ``files`` (name -> bytes) into a scratch dir and build ``modules`` (names) there."""
    if not os.path.isfile(os.path.join(kdir, "Makefile")):
        raise VerifyError(f"{kdir}: not a kernel build directory (no Makefile); pass --kernel-build or install "
                          "the kernel headers (Debian: apt-get install linux-headers-amd64)")
    work = tempfile.mkdtemp(prefix="probe-migrator-verify-")
    try:
        for name, data in files.items():
            with open(os.path.join(work, name), "wb") as fh:
                fh.write(data)
        # Compile everything, keep going past failures; then link (modpost) only what compiled,
        # since one failing object stops modpost for all. Modpost errors become warnings so
        # that one module's undefined symbol does not hide the others; they are read back below.
        output = _make(kdir, work, modules, timeout)
        compiled = [m for m in modules if os.path.exists(os.path.join(work, m + ".o"))]
        if compiled and len(compiled) < len(modules):
            output += _make(kdir, work, compiled, timeout)
        results = {m: Build(os.path.exists(os.path.join(work, m + ".ko"))) for m in modules}
        for line in output.splitlines():
            d = _DIAG.match(line)
            if d:
                mod = module_name(d.group("file"))
                target = results.get(mod)
                if target is not None:
                    bucket = target.warnings if d.group("kind") == "warning" else target.errors
                    bucket.append(f"{d.group('kind')}: {d.group('msg')}")
                continue
            p = _MODPOST.match(line)
            if p and p.group("mod") and p.group("mod").replace("-", "_") in results:
                target = results[p.group("mod").replace("-", "_")]
                text = f"modpost: {p.group('msg').strip()} {p.group('rest').strip()}".strip()
                if p.group("kind") == "ERROR" or "undefined" in text:
                    target.errors.append(text)  # an undefined symbol fails at modpost (or insmod)
                    target.ok = False
                else:
                    target.warnings.append(text)
        for b in results.values():
            if not b.ok and not b.errors:
                b.errors.append("no .ko produced")
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _make(kdir: str, work: str, modules: list[str], timeout: int) -> str:
    with open(os.path.join(work, "Kbuild"), "w") as fh:
        fh.write("".join(f"obj-m += {m}.o\n" for m in modules))
    try:
        proc = subprocess.run(
            ["make", "-k", f"-j{os.cpu_count() or 2}", "-C", kdir, f"M={work}", "KBUILD_MODPOST_WARN=1", "modules"],
            capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError as e:
        raise VerifyError("make is not installed (Debian: apt-get install make)") from e
    except subprocess.TimeoutExpired as e:
        raise VerifyError(f"the build took longer than {timeout}s") from e
    return proc.stdout + proc.stderr


def verify(kdir: str, changes: list[tuple[str, bytes, bytes]], headers: dict[str, tuple[bytes, bytes]]) -> list[ModuleReport]:
    """``changes``: (path, old, new) of changed .c modules; ``headers``: name -> (old, new) of the
    headers next to them, so ``#include "x.h"`` finds the matching version on each side."""
    names: dict[str, str] = {}
    for path, _old, _new in changes:
        name = module_name(path)
        if name in names:
            name = f"{name}_{len(names)}"
        names[path] = name
    before_files = {h: old for h, (old, _new) in headers.items()}
    after_files = {h: new for h, (_old, new) in headers.items()}
    for path, old, new in changes:
        before_files[names[path] + ".c"] = old
        after_files[names[path] + ".c"] = new
    mods = list(names.values())
    before = build_side(kdir, before_files, mods)
    after = build_side(kdir, after_files, mods)
    return [ModuleReport(names[p], p, before[names[p]], after[names[p]]) for p, _o, _n in changes]
