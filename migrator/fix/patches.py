"""Patches as git writes them: unified diffs, format-patch mails, and crash-safe in-place writes.

Diffs are made from bytes, so CRLF, a missing final newline and non-UTF-8 bytes survive.
"""

from __future__ import annotations

import difflib
import email.utils
import os
import re
import tempfile
import time

from migrator import __version__

CONTEXT = 3


def _lines(data: bytes) -> list[bytes]:
    """Lines as git and patch see them: ended by LF only (a lone CR is part of the line)."""
    parts = data.split(b"\n")
    return [p + b"\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _range(start: int, count: int) -> str:
    if count == 1:
        return str(start + 1)
    return f"{start + (1 if count else 0)},{count}"


def unified_diff(path: str, old: bytes, new: bytes) -> bytes:
    """``diff --git a/PATH b/PATH`` with hunks; ``git apply`` and ``patch -p1`` accept it."""
    a, b = _lines(old), _lines(new)
    # a path is bytes on disk: undecodable bytes (lone surrogates here) go back as they were
    out = [f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n".encode("utf-8", "surrogateescape")]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{_range(i1, i2 - i1)} +{_range(j1, j2 - j1)} @@\n".encode())
        for tag, x1, x2, y1, y2 in group:
            if tag == "equal":
                out.extend(_mark(b" ", a[x1:x2]))
                continue
            if tag in ("replace", "delete"):
                out.extend(_mark(b"-", a[x1:x2]))
            if tag in ("replace", "insert"):
                out.extend(_mark(b"+", b[y1:y2]))
    return b"".join(out)


def _mark(prefix: bytes, lines: list[bytes]) -> list[bytes]:
    out = []
    for line in lines:
        out.append(prefix + line)
        if not line.endswith(b"\n"):
            out.append(b"\n\\ No newline at end of file\n")
    return out


def diffstat(path: str, diff: bytes) -> str:
    plus = sum(1 for ln in diff.split(b"\n") if ln.startswith(b"+") and not ln.startswith(b"+++"))
    minus = sum(1 for ln in diff.split(b"\n") if ln.startswith(b"-") and not ln.startswith(b"---"))
    changes = "+" * plus + "-" * minus
    return (f" {path} | {plus + minus} {changes}\n 1 file changed, {plus} insertion{'s' * (plus != 1)}(+), "
            f"{minus} deletion{'s' * (minus != 1)}(-)\n")


def mail(path: str, diff: bytes, subject: str, body: str, number: int, total: int, author: str,
         when: float | None = None) -> bytes:
    """One ``git format-patch`` mail; ``git am`` takes the author, date and subject from it."""
    date = email.utils.formatdate(when if when is not None else time.time(), localtime=False)
    head = (
        "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
        f"From: {author}\nDate: {date}\nSubject: [PATCH {number}/{total}] {subject}\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
    )
    return (head + body.rstrip("\n") + "\n---\n" + diffstat(path, diff) + "\n").encode("utf-8", "surrogateescape") + diff + \
        f"-- \nprobe-migrator {__version__}\n\n".encode()


class Changed(Exception):
    """The file changed on disk after it was read."""


TEMP_PREFIX = ".probe-migrator-"
_TEMP_RE = re.compile(r"^\.probe-migrator-(\d+)-[A-Za-z0-9_]+$")
_swept: set[str] = set()


def _temp_in(directory: str) -> tuple[int, str]:
    """A temp file next to the target, named after this process; a run killed while writing (SIGKILL)
    leaves its temp file behind, so the first write into a directory removes those of dead runs."""
    if directory not in _swept:
        _swept.add(directory)
        _sweep(directory)
    return tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=directory)


def _sweep(directory: str) -> None:
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        m = _TEMP_RE.match(name)
        if m and not _alive(int(m.group(1))):
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: leave its file alone
    return True


def atomic_write(path: str, expected_old: bytes, new: bytes) -> None:
    """Replace ``path`` with ``new`` only if it still holds ``expected_old``; old or new, never partial.

    A symlink is followed: its target is replaced and the link stays a link.
    """
    path = os.path.realpath(path)
    st = os.stat(path)
    with open(path, "rb") as fh:
        if fh.read() != expected_old:
            raise Changed(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = _temp_in(directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(new)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, st.st_mode & 0o7777)
        with open(path, "rb") as fh:  # last look before the rename
            if fh.read() != expected_old:
                raise Changed(path)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def write_new_file(path: str, data: bytes) -> None:
    """Create ``path`` atomically (a patch file of a series)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = _temp_in(directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
