"""Baselines: today's findings, saved, so that ``check --baseline`` reports only new ones.

A finding's fingerprint is a hash of its rule, its path (relative to the baseline file's directory)
and the whitespace-normalised text of its line, plus an occurrence index among findings sharing all
three. No line numbers go in, so lines added or removed elsewhere in the file (or edits to other
lines) keep every fingerprint; editing the finding's own line makes it new, which is the point.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from migrator import __version__
from migrator.check.engine import FileResult
from migrator.core import atomic
from migrator.core.findings import Finding
from migrator.core.source import decode

FORMAT_VERSION = 1


class BaselineError(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    path: str
    line: int
    rule: str
    code: str
    message: str


def _rel(path: str, base_dir: str, locate: Callable[[str], str]) -> str:
    full = locate(path)
    try:
        rel = os.path.relpath(full, base_dir)
    except ValueError:  # another drive
        rel = full
    return rel.replace(os.sep, "/")


def _lines(result: FileResult, locate: Callable[[str], str]) -> list[str]:
    """The result's lines: from its Source, or read again when it came without one (a worker, a cache)."""
    if result.source is not None:
        return [result.source.line_text(n) for n in range(1, len(result.source.line_starts) + 1)]
    try:
        with open(locate(result.path), "rb") as fh:
            return decode(fh.read()).split("\n")
    except OSError:
        return []


def _line(lines: list[str], f: Finding) -> str:
    return " ".join(lines[f.line - 1].split()) if 0 < f.line <= len(lines) else ""


def entries(results: Iterable[FileResult], base_dir: str,
            locate: Callable[[str], str] = os.path.abspath) -> list[tuple[Finding, Entry]]:
    """Every finding with its baseline entry. ``locate`` maps a result path to a filesystem path."""
    out = []
    seen: dict[tuple[str, str, str], int] = {}
    for r in results:
        lines = _lines(r, locate) if r.findings else []
        for f in sorted(r.findings, key=lambda f: (f.line, f.column, f.rule)):
            rel = _rel(f.path, base_dir, locate)
            key = (f.rule, rel, _line(lines, f))
            index = seen.get(key, 0)
            seen[key] = index + 1
            digest = hashlib.sha256("\0".join((*key, str(index))).encode("utf-8", "surrogateescape")).hexdigest()
            out.append((f, Entry(digest[:32], rel, f.line, f.rule, f.code, f.message)))
    return out


def dump(pairs: list[tuple[Finding, Entry]]) -> str:
    items = sorted((e for _f, e in pairs), key=lambda e: (e.path, e.line, e.rule, e.fingerprint))
    doc = {
        "tool": "probe-migrator", "version": __version__, "format": FORMAT_VERSION,
        "findings": [{"fingerprint": e.fingerprint, "path": e.path, "line": e.line, "rule": e.rule,
                      "code": e.code, "message": e.message} for e in items],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write(path: str, text: str) -> None:
    """Replace ``path`` atomically (a reader never sees half a baseline)."""
    atomic.replace(path, text.encode("utf-8"))


def load(path: str) -> set[str]:
    """The fingerprints of a baseline file."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as e:
        raise BaselineError(f"{path}: {e.strerror or e}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BaselineError(f"{path}: not a probe-migrator baseline (invalid JSON: {e})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_VERSION:
        raise BaselineError(f"{path}: not a probe-migrator baseline of format {FORMAT_VERSION}")
    items = doc.get("findings")
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("fingerprint"), str)
                                              for i in items):
        raise BaselineError(f"{path}: 'findings' must be a list of objects with a 'fingerprint'")
    return {i["fingerprint"] for i in items}


def subtract(results: list[FileResult], known: set[str], base_dir: str,
             locate: Callable[[str], str] = os.path.abspath) -> int:
    """Drop the findings whose fingerprint is in ``known``; returns how many were dropped."""
    keep = {id(f) for f, e in entries(results, base_dir, locate) if e.fingerprint not in known}
    dropped = 0
    for r in results:
        before = len(r.findings)
        r.findings = [f for f in r.findings if id(f) in keep]
        dropped += before - len(r.findings)
    return dropped
