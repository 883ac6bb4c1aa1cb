"""``verify`` (without --boot): build each module ``fix`` changes, before and after, and compare.

A migration regresses a module that built before when the migrated version does not build, or
builds with a warning the original did not have. Each side is one Kbuild run over every changed
module of a directory (see kbuild.build_modules), in a scratch directory removed afterwards.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from migrator.verify.kbuild import Build, BuildError, build_modules, module_name

if TYPE_CHECKING:
    from migrator.check.engine import Options
    from migrator.fix.symbols import SymbolMap

Change = tuple[str, bytes, bytes]  # path of a .c module, original, migrated


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


def default_kernel_build() -> str:
    return f"/lib/modules/{os.uname().release}/build"


def find_debian_headers() -> str | None:
    """An installed Debian linux-headers-*-amd64 tree, newest first."""
    found = sorted(glob.glob("/usr/src/linux-headers-*-amd64"), reverse=True)
    return found[0] if found else None


def compare_builds(kdir: str, changes: list[Change], headers: dict[str, tuple[bytes, bytes]],
                   timeout: int = 600) -> list[ModuleReport]:
    """Build the modules of one directory before and after. ``changes``: (path, old, new) of its changed
    .c modules; ``headers``: name -> (old, new) of the headers next to them, so ``#include "x.h"`` finds
    the matching version on each side."""
    names: dict[str, str] = {}
    for path, _old, _new in changes:
        name = module_name(path)
        if name in names.values():  # x-y.c and x_y.c would both build x_y.ko
            name = f"{name}_{len(names)}"
        names[path] = name
    before_files = {h: old for h, (old, _new) in headers.items()}
    after_files = {h: new for h, (_old, new) in headers.items()}
    for path, old, new in changes:
        before_files[names[path] + ".c"] = old
        after_files[names[path] + ".c"] = new
    before = _build_in_scratch(kdir, before_files, list(names.values()), timeout)
    after = _build_in_scratch(kdir, after_files, list(names.values()), timeout)
    return [ModuleReport(names[p], p, before[names[p]], after[names[p]]) for p, _o, _n in changes]


def _build_in_scratch(kdir: str, files: dict[str, bytes], modules: list[str], timeout: int) -> dict[str, Build]:
    work = tempfile.mkdtemp(prefix="probe-migrator-verify-")
    try:
        return build_modules(kdir, files, modules, work, timeout=timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class PathError(Exception):
    """A path given to ``verify`` cannot be walked; args: the path and why."""


def changes_by_directory(paths: list[str], opts: Options, symbols: SymbolMap | None
                         ) -> list[tuple[list[Change], dict[str, tuple[bytes, bytes]]]]:
    """Run ``fix`` (in memory) over ``paths``; per directory with a changed .c file, its changes and
    both versions of every header next to them. Raises PathError for a path that cannot be walked."""
    from migrator.check.discover import walk
    from migrator.fix.fixer import FileFix, fix_bytes

    by_dir: dict[str, list[FileFix]] = {}
    for item in walk(paths, opts.exclude):
        if isinstance(item, tuple):
            raise PathError(item[0], item[1])
        with open(item.path, "rb") as fh:
            ff = fix_bytes(item.path, fh.read(), opts, symbols)
        by_dir.setdefault(os.path.dirname(item.path) or ".", []).append(ff)
    out = []
    for directory, fixes in sorted(by_dir.items()):
        changes = [(f.path, f.original, f.new or f.original) for f in fixes if f.changed and f.path.endswith(".c")]
        if not changes:
            continue
        headers = {}
        for name in os.listdir(directory):
            if name.endswith(".h"):
                p = os.path.join(directory, name)
                with open(p, "rb") as fh:
                    old = fh.read()
                fixed = next((f for f in fixes if f.path == p and f.changed), None)
                headers[name] = (old, fixed.new if fixed and fixed.new else old)
        out.append((changes, headers))
    return out


def run_build_check(paths: list[str], opts: Options, symbols: SymbolMap | None, kdir: str | None,
                    fmt: str) -> int:
    """The ``verify`` command without --boot. 0: no regression; 1: a module regressed; 2: setup error."""
    kdir = kdir or default_kernel_build()
    err = sys.stderr
    reports: list[ModuleReport] = []
    try:
        for changes, headers in changes_by_directory(paths, opts, symbols):
            reports.extend(compare_builds(kdir, changes, headers))
    except PathError as e:
        err.write(f"{e.args[0]}: error: {e.args[1]}\n")
        return 2
    except BuildError as e:
        err.write(f"probe-migrator: error: {e}\n")
        return 2
    if fmt == "json":
        sys.stdout.write(json.dumps([{
            "module": r.name, "path": r.path, "builds_before": r.before.ok, "builds_after": r.after.ok,
            "errors_before": r.before.errors, "errors_after": r.after.errors, "new_warnings": r.new_warnings,
        } for r in reports], indent=2) + "\n")
    else:
        for r in reports:
            sys.stdout.write(f"{r.path}: before: {_state(r.before)}; after: {_state(r.after)}; "
                             f"new warnings: {len(r.new_warnings)}\n")
            for w in r.new_warnings:
                sys.stdout.write(f"    {w}\n")
        err.write(f"{len(reports)} module(s) built before and after against {kdir}; "
                  f"{sum(r.regressed for r in reports)} regressed\n")
    return 1 if any(r.regressed for r in reports) else 0


def _state(b: Build) -> str:
    return "builds" if b.ok else "FAILS (" + (b.errors[0] if b.errors else "?") + ")"
