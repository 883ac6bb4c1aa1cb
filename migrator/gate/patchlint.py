"""Lint a patch: findings on the lines it adds, and nothing else.

Input is a unified diff, ``git diff`` output, one ``git format-patch`` mail or an mbox series of them
(read by ``patchparse``).
Each changed ``.c``/``.h`` file is analysed whole when its post-image exists under the root and has the
patch's lines at the hunk positions (so declarations outside the hunks are known); otherwise the hunks
alone are analysed, laid out at their post-image line numbers with blank lines in between, by the
same tolerant front end. Findings are then kept only when their span touches an added line.

Paths come from the patch, so they are untrusted: absolute paths and ``..`` are refused, and a file
is only read when its real path is inside the root. Nothing is ever written.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field

from migrator.check.discover import C_SUFFIXES
from migrator.check.engine import FileResult, Options, check_bytes
from migrator.core.findings import Diagnostic, Severity
from migrator.core.source import decode, encode
from migrator.gate.patchparse import FileChange, Message, parse


@dataclass
class PatchResult:
    results: list[FileResult] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


# ---------------------------------------------------------------- paths under the root


def refuse(path: str) -> str | None:
    """Why a path from a patch may not be used under the root, or None when it may."""
    if not path or "\0" in path:
        return "empty or invalid path in the patch"
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        return "absolute path in the patch; refusing to look outside the root"
    if any(part == ".." for part in re.split(r"[/\\]", path)):
        return "path in the patch leaves the root ('..'); refusing it"
    return None


def inside(root: str, full: str) -> bool:
    """Is ``full`` (after symbolic links) inside ``root``?"""
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(full)]) == real_root


# ---------------------------------------------------------------- analysis


def lint(data: bytes, root: str, opts: Options, name: str = "<diff>") -> PatchResult:
    """Findings touching the lines the patch adds, per changed C file; ``name`` labels patch errors."""
    out = PatchResult()
    changes, messages = parse(data, name)
    out.messages.extend(messages)
    whole: dict[str, tuple[set[int], bytes]] = {}  # path -> added lines (all patches), post-image
    for change in changes:
        if not _wanted(change, opts, out.messages):
            continue
        post, why = _post_image(root, change, opts.max_bytes)
        if post is not None:
            whole.setdefault(change.path, (set(), post))[0].update(change.added)
            continue
        out.results.append(_analyse(change.path, _hunk_text(change), change.added, opts,
                                    f"analysed the hunks only: the post-image {why}"))
    for path, (added, post) in whole.items():
        out.results.append(_analyse(path, post, added, opts, None))
    out.results.sort(key=lambda r: r.path)
    return out


def _wanted(change: FileChange, opts: Options, messages: list[Message]) -> bool:
    """Is this a C file with added lines under the root? Says why not when it matters."""
    label = change.where
    if change.deleted:
        messages.append(Message(label, "note", "deleted by the patch; nothing to check"))
        return False
    why = refuse(change.path)
    if why is not None:
        messages.append(Message(label, "error", why))
        return False
    if change.binary:
        messages.append(Message(label, "note", "binary diff; not checked"))
        return False
    if change.renamed:
        what = "with changes; checking the added lines" if change.added else "without changes; nothing to check"
        how = "copied" if change.copied else "renamed"
        messages.append(Message(label, "note", f"{how} from {change.old_path} {what}"))
    return change.path.endswith(C_SUFFIXES) and not _excluded(change.path, opts.exclude) and bool(change.added)


def _post_image(root: str, change: FileChange, max_bytes: int) -> tuple[bytes | None, str]:
    """The file under the root when it holds the patch's post-image, else None and why not."""
    full = os.path.join(root, *change.path.split("/"))
    try:
        if not os.path.isfile(full):
            return None, "is not under the root"
        if not inside(root, full):
            return None, "resolves outside the root (symbolic link); not read"
        size = os.path.getsize(full)
        if size > max_bytes:
            return None, f"is over the {max_bytes}-byte limit"
        with open(full, "rb") as fh:
            post = fh.read()
    except (OSError, ValueError) as e:
        return None, f"could not be read ({getattr(e, 'strerror', None) or e})"
    if not _matches(post, change):
        return None, "under the root does not match the patch"
    return post, ""


def _excluded(path: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(os.path.basename(path), p) for p in patterns)


def _matches(post: bytes, change: FileChange) -> bool:
    """Does the file hold the patch's post-image lines (context and added) at the hunk positions?"""
    lines = decode(post).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return all(0 < n <= len(lines) and lines[n - 1] == text for n, text in change.lines.items())


def _hunk_text(change: FileChange) -> bytes:
    """The hunks at their post-image line numbers, blank lines elsewhere."""
    last = max(change.lines, default=0)
    return encode("\n".join(change.lines.get(n, "") for n in range(1, last + 1)) + "\n")


def _analyse(path: str, data: bytes, added: set[int], opts: Options, note: str | None) -> FileResult:
    result = check_bytes(path, data, opts)
    result.findings = [f for f in result.findings
                       if any(n in added for n in range(f.line, max(f.line, f.end_line) + 1))]
    if note:
        result.diagnostics.append(Diagnostic(path, 0, 0, Severity.INFO, "patch", note))
    return result
