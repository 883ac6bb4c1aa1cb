"""Writing a file so that a reader sees the old bytes or the new, never half of them.

Every file the tool writes (fixed sources, patch mails, baselines, cache entries, saved symbol
maps, downloaded kernel files) goes through ``replace``: a temp file next to the target, named
after this process, renamed over it. A run killed while writing (SIGKILL) leaves its temp file
behind, so the first write into a directory removes those of runs that are gone.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable

TEMP_PREFIX = ".probe-migrator-"
_TEMP_RE = re.compile(r"^\.probe-migrator-(\d+)-[A-Za-z0-9_]+$")
_swept: set[str] = set()


def replace(path: str, data: bytes, mode: int | None = 0o644, durable: bool = False,
            last_look: Callable[[], None] | None = None) -> None:
    """Replace (or create) ``path`` with ``data``. ``mode`` None keeps mkstemp's 0600;
    ``durable`` fsyncs the file and its directory (a source file being rewritten);
    ``last_look`` runs just before the rename and may raise to abandon the write."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = temp_in(directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        if last_look is not None:
            last_look()
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_directory(directory)


def temp_in(directory: str) -> tuple[int, str]:
    """A temp file in ``directory`` named after this process (swept by later runs if left)."""
    if directory not in _swept:
        _swept.add(directory)
        _sweep(directory)
    return tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=directory)


def _fsync_directory(directory: str) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


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
