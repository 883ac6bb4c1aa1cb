"""Which files to look at: walk the paths, skip VCS and build output, prefilter by bytes."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass

SKIP_DIRS = frozenset((".git", ".hg", ".svn", ".tmp_versions", "__pycache__", ".venv", "venv",
                       "node_modules", ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache"))
C_SUFFIXES = (".c", ".h")
# A file without any of these cannot hold a finding of the C rules.
TRIGGERS = (b"kprobe", b"kretprobe", b"jprobe", b"kallsyms", b"System.map", b"relocat", b"_stext",
            b"kp.addr")
BUILD_OUTPUT = (".mod.c",)


@dataclass
class Candidate:
    path: str
    explicit: bool  # named on the command line


def walk(paths: list[str], exclude: list[str]) -> Iterator[Candidate | tuple[str, str]]:
    """Candidates, or (path, error) for paths that do not exist."""
    seen: set[str] = set()
    for top in paths:
        if not os.path.lexists(top):
            yield (top, "no such file or directory")
            continue
        if not os.path.isdir(top):
            if top not in seen:
                seen.add(top)
                yield Candidate(top, True)
            continue
        for root, dirs, files in os.walk(top, onerror=None, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not _excluded(os.path.join(root, d), exclude))
            for name in sorted(files):
                if not name.endswith(C_SUFFIXES) or name.endswith(BUILD_OUTPUT):
                    continue
                path = os.path.join(root, name)
                if path in seen or _excluded(path, exclude):
                    continue
                seen.add(path)
                yield Candidate(path, False)


def _excluded(path: str, patterns: list[str]) -> bool:
    norm = path.removeprefix("./")
    return any(fnmatch.fnmatch(norm, p) or fnmatch.fnmatch(os.path.basename(norm), p) for p in patterns)


def worth_parsing(data: bytes) -> bool:
    return any(t in data for t in TRIGGERS)
