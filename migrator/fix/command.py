"""The ``fix`` command: run the fixer over files and emit diffs, in-place writes or a mail series."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from migrator.check.discover import walk
from migrator.check.engine import Options, read_candidate
from migrator.check.registry import all_rules
from migrator.core.findings import Diagnostic
from migrator.fix.fixer import FileFix, fix_bytes
from migrator.fix.patches import Changed, atomic_write, mail, unified_diff, write_new_file
from migrator.fix.symbols import MapError, SymbolMap, load


def display_path(path: str) -> str:
    """The path as it appears in diff headers: relative to the current directory."""
    p = os.path.normpath(path)
    if os.path.isabs(p):
        rel = os.path.relpath(p)
        p = rel if not rel.startswith("..") else p.lstrip("/")
    return p.replace(os.sep, "/")


def run_fix(paths: list[str], opts: Options, symbols_path: str | None, write: bool, patch_dir: str | None,
            quiet: bool) -> int:
    err = sys.stderr
    symbols: SymbolMap | None = None
    if symbols_path:
        try:
            symbols = load(symbols_path)
        except MapError as e:
            err.write(f"probe-migrator: error: {e}\n")
            return 2
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
        ff = fix_bytes(item.path, data, opts, symbols)
        for message in ff.errors:
            err.write(f"{item.path}: error: {message}\n")
            failed = True
        for message in ff.warnings:
            err.write(f"{item.path}: warning: {message}\n")
        fixes.append(ff)
    changed = [f for f in fixes if f.changed]
    if not quiet:
        for ff in fixes:
            for finding, reason in ff.refused:
                err.write(f"{finding.path}:{finding.line}:{finding.column}: note: not fixed [{finding.rule}]: {reason}\n")
    if patch_dir:
        author = _author()
        try:
            os.makedirs(patch_dir, exist_ok=True)
            for n, ff in enumerate(changed, 1):
                path = display_path(ff.path)
                diff = unified_diff(path, ff.original, ff.new or b"")
                subject, body = describe(ff, path, symbols)
                name = f"{n:04d}-{_slug(subject)}.patch"
                write_new_file(os.path.join(patch_dir, name), mail(path, diff, subject, body, n, len(changed), author))
                err.write(f"{os.path.join(patch_dir, name)}\n")
        except OSError as e:
            err.write(f"{patch_dir}: error: {e.strerror or e}; the series is incomplete\n")
            failed = True
    elif write:
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
                failed = True
            except OSError as e:
                err.write(f"{ff.path}: error: {e.strerror or e}; not written\n")
                failed = True
    else:
        out = sys.stdout.buffer
        for ff in changed:
            out.write(unified_diff(display_path(ff.path), ff.original, ff.new or b""))
        out.flush()
    if failed:
        return 2
    return 1 if changed else 0


def describe(ff: FileFix, path: str, symbols: SymbolMap | None) -> tuple[str, str]:
    """Subject and body of the mail for one file."""
    module = os.path.splitext(os.path.basename(path))[0]
    probes = []
    for a in ff.applied:
        name = getattr(a.findings[0].subject, "probe", "") or "probe"
        name = re.sub(r"^[\w]+#\d+:", "", name)
        if name not in probes:
            probes.append(name)
    shown = ", ".join(probes[:4]) + (f" and {len(probes) - 4} more" if len(probes) > 4 else "")
    subject = f"{module}: locate kprobe{'s' * (len(probes) != 1)} {shown} by symbol_name"
    rules = {r.name: r for r in all_rules()}
    lines = [
        f"Register the kprobes of {module} by .symbol_name/.offset instead of a raw address. "
        "register_kprobe() resolves the symbol itself (kernel/kprobes.c, _kprobe_addr()), which works under "
        "KASLR, on any build of the kernel, and since Linux 5.7 without kallsyms_lookup_name().",
        "",
    ]
    for a in ff.applied:
        f = a.findings[0]
        lines.append(f"* {path}:{f.line}: {f.message} [{f.rule}]")
        for extra in a.findings[1:]:
            lines.append(f"  also {extra.path}:{extra.line}: {extra.message} [{extra.rule}]")
        for e in a.plan.explanation:
            lines.append(f"  {e}.")
        for w in a.plan.warnings:
            lines.append(f"  WARNING: {w}.")
        why = rules[f.rule].rationale.replace("\n", " ").split(". ")
        lines.append(f"  Why: {'. '.join(why[:2]).rstrip('.')}. (probe-migrator explain {f.rule})")
        lines.append("")
    if symbols is not None:
        lines.append(f"Addresses were resolved with the symbol map {symbols.path}.")
    if ff.refused:
        lines.append("Not changed here (need a human):")
        for finding, reason in ff.refused:
            lines.append(f"* {path}:{finding.line}: [{finding.rule}] {reason}")
    lines.append("")
    lines.append("Generated by probe-migrator fix; each change was re-checked before it was offered.")
    return subject, "\n".join(_wrap(line) for line in lines)


def _wrap(line: str, width: int = 75) -> str:
    if len(line) <= width:
        return line
    import textwrap

    indent = re.match(r"\s*(\* )?", line).group(0)  # type: ignore[union-attr]
    return textwrap.fill(line, width=width, subsequent_indent=" " * len(indent), break_long_words=False,
                         break_on_hyphens=False)


def _slug(subject: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", subject).strip("-")[:52]


def _author() -> str:
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5).stdout.strip()
        email = subprocess.run(["git", "config", "user.email"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = email = ""
    return f"{name} <{email}>" if name and email else "probe-migrator <probe-migrator@localhost>"

