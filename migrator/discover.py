"""Which files to look at: walk the paths, skip VCS and build output, prefilter by bytes."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

SKIP_DIRS = frozenset((".git", ".hg", ".svn", ".tmp_versions", "__pycache__", ".venv", "venv",
                       "node_modules", ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache"))
C_SUFFIXES = (".c", ".h")
PY_SUFFIXES = (".py",)
SH_SUFFIXES = (".sh", ".bash")
WALK_SUFFIXES = C_SUFFIXES + PY_SUFFIXES + SH_SUFFIXES
# A file without any of these cannot hold a finding of the C rules. Every byte search costs about
# as much as reading the file, so "probe" (one pass) guards the probe-type names.
PROBE_TRIGGERS = (b"kprobe", b"kretprobe", b"jprobe")
OTHER_TRIGGERS = (b"kallsyms",)
TRIGGERS = PROBE_TRIGGERS + OTHER_TRIGGERS
BUILD_OUTPUT = (".mod.c",)


@dataclass
class Candidate:
    path: str
    explicit: bool  # named on the command line


def walk(paths: list[str], exclude: list[str]) -> Iterator[Candidate | tuple[str, str]]:
    """Candidates, or (path, error) for paths that do not exist and directories that cannot be listed."""
    seen: set[str] = set()
    errors: list[OSError] = []
    for top in paths:
        if not os.path.lexists(top):
            yield (top, "no such file or directory")
            continue
        if not os.path.isdir(top):
            if top not in seen:
                seen.add(top)
                yield Candidate(top, True)
            continue
        for root, dirs, files in os.walk(top, onerror=errors.append, followlinks=False):
            yield from _listing_errors(errors)
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not _excluded(os.path.join(root, d), exclude))
            for name in sorted(files):
                if not name.endswith(WALK_SUFFIXES) or name.endswith(BUILD_OUTPUT):
                    continue
                path = os.path.join(root, name)
                if path in seen or _excluded(path, exclude):
                    continue
                seen.add(path)
                yield Candidate(path, False)
        yield from _listing_errors(errors)


def _listing_errors(errors: list[OSError]) -> Iterator[tuple[str, str]]:
    for e in errors:
        yield (str(e.filename), f"cannot list the directory: {e.strerror or e}")
    errors.clear()


def _excluded(path: str, patterns: list[str]) -> bool:
    norm = path.removeprefix("./")
    return any(fnmatch.fnmatch(norm, p) or fnmatch.fnmatch(os.path.basename(norm), p) for p in patterns)


# Second stage, on the few files that pass the triggers: the shapes a finding needs at all (an
# addr write, kallsyms, a jprobe, a symbol file path, relocation, an address/name table).
SIGNALS = re.compile(
    rb"(?:\.|->)\s*addr\s*=[^=]|kallsyms_lookup_name|jprobe|/proc/kallsyms|System\.map|relocat|core_layout"
    rb"|module_core|sect_attrs|_stext|\b_text\b|0x[0-9a-fA-F]{4,}[uUlL]*\s*,\s*\"|\"\s*,\s*0x[0-9a-fA-F]{4,}"
)


# The other probe layers (Python tools, tracefs scripts, BPF/perf loaders): all of them hold "kprobe"
# (attach_kprobe, kprobe_events, the kprobe PMU) or "kallsyms", so the first stage already passes them.
LAYER_SIGNALS = re.compile(rb"attach_k|kprobe_events|kprobe_addr|config2|\bBPF\s*\(")


def worth_parsing(data: bytes) -> bool:
    if not (b"probe" in data and any(t in data for t in PROBE_TRIGGERS) or any(t in data for t in OTHER_TRIGGERS)):
        return False
    return SIGNALS.search(data) is not None or LAYER_SIGNALS.search(data) is not None


def front_end(path: str, data: bytes) -> str:
    """Which front end reads the file: "c", "py" or "sh" (by extension, else by the #! line)."""
    if path.endswith(C_SUFFIXES):
        return "c"
    if path.endswith(PY_SUFFIXES):
        return "py"
    if path.endswith(SH_SUFFIXES):
        return "sh"
    if data.startswith(b"#!"):
        first = data.split(b"\n", 1)[0]
        if b"python" in first:
            return "py"
        if re.search(rb"\b(?:ba|da|k|z|a)?sh\b", first):
            return "sh"
    return "c"
