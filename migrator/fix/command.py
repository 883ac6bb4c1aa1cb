"""The ``fix`` command: run the fixer over files and emit diffs, in-place writes or a mail series."""

from __future__ import annotations

import os
import sys

from migrator.check.discover import walk
from migrator.check.engine import Options, read_candidate
from migrator.core.findings import Diagnostic
from migrator.fix.fixer import FileFix, fix_bytes
from migrator.fix.patches import (
    Changed,
    atomic_write,
    unified_diff,
)
from migrator.fix.series import Series, display_path, identity, write_series
from migrator.fix.symbols import MapError, SymbolMap, load


class _Usage(Exception):
    """A setting that makes the run impossible (exit 2 before any file is read)."""


def run_fix(paths: list[str], opts: Options, symbols_path: str | None, write: bool, patch_dir: str | None,
            quiet: bool, series: Series | None = None, keep_old_kernels: bool = False) -> int:
    err = sys.stderr
    series = series or Series()
    try:
        ident = _identity(series) if patch_dir else None
        symbols = load(symbols_path) if symbols_path else None
    except (_Usage, MapError, ValueError) as e:
        err.write(f"probe-migrator: error: {e}\n")
        return 2
    fixes, failed = _fix_all(paths, opts, symbols, keep_old_kernels)
    changed = [f for f in fixes if f.changed]
    if not quiet:
        for ff in fixes:
            for finding, reason in ff.refused:
                err.write(f"{finding.path}:{finding.line}:{finding.column}: note: not fixed [{finding.rule}]: {reason}\n")
    if patch_dir:
        failed = not write_series(patch_dir, changed, fixes, symbols, series, ident) or failed
    elif write:
        failed = not _write_in_place(changed) or failed
    else:
        out = sys.stdout.buffer
        for ff in changed:
            out.write(unified_diff(display_path(ff.path), ff.original, ff.new or b""))
        out.flush()
    if failed:
        return 2
    return 1 if changed else 0


def _identity(series: Series) -> str | None:
    ident = identity(series.sender)
    if series.signoff and ident is None:
        raise _Usage("--signoff needs your identity: set git config user.name and user.email, or pass "
                     "--from 'Name <mail>'")
    return ident


def _fix_all(paths: list[str], opts: Options, symbols: SymbolMap | None,
             keep_old_kernels: bool = False) -> tuple[list[FileFix], bool]:
    """The fixes of every file under ``paths``; errors go to stderr as they come (True: some)."""
    err = sys.stderr
    failed = False
    fixes: list[FileFix] = []
    for item in walk(paths, opts.exclude):
        if isinstance(item, tuple):
            err.write(f"{item[0]}: error: {item[1]}\n")
            failed = True
            continue
        data = read_candidate(item.path, opts, item.explicit)
        if isinstance(data, Diagnostic):
            err.write(f"{item.path}: {data.severity.label}: {data.message}\n")
            failed = failed or data.kind == "io"
            continue
        ff = fix_bytes(item.path, data, opts, symbols, keep_old_kernels)
        for message in ff.errors:
            err.write(f"{item.path}: error: {message}\n")
            failed = True
        for message in ff.warnings:
            err.write(f"{item.path}: warning: {message}\n")
        fixes.append(ff)
    return fixes, failed


def _write_in_place(changed: list[FileFix]) -> bool:
    """``fix --write``: each file replaced atomically, unless it changed on disk meanwhile."""
    err = sys.stderr
    ok = True
    written: set[str] = set()
    for ff in changed:
        real = os.path.realpath(ff.path)
        if real in written:  # a symlink to a file already written (or the file of a symlink)
            continue
        written.add(real)
        try:
            atomic_write(ff.path, ff.original, ff.new or b"")
            err.write(f"{ff.path}: fixed {sum(len(a.findings) for a in ff.applied)} finding(s)\n")
        except Changed:
            err.write(f"{ff.path}: error: changed on disk since it was read; not written\n")
            ok = False
        except OSError as e:
            err.write(f"{ff.path}: error: {e.strerror or e}; not written\n")
            ok = False
    return ok
