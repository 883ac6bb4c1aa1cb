"""The local headers a C file includes (``#include "x.h"``): read with the file, so that the front end
sees the macros they define (``#define KLN_NAME "kallsyms_lookup_name"``, ``#define TARGET 0xffff...``)
as the compiler does. A file and its local headers are one unit; positions stay in their own files
(a header's own findings come from checking the header).

Only quoted includes that resolve next to the including file (as the compiler's first search step
does, without -I paths) are followed, recursively, each header once, within small limits.
"""

from __future__ import annotations

import hashlib
import os
import re

from migrator.core.source import decode

_INCLUDE_RE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"', re.MULTILINE)
MAX_HEADERS = 16
MAX_HEADER_BYTES = 1 << 20
C_SUFFIXES = (".c", ".h")


def local_headers(path: str, data: bytes) -> tuple[tuple[str, str], ...]:
    """(path, text) of every local header ``data`` includes, directly or through another one, in
    include order; () for files that are not C or include none."""
    if not path.endswith(C_SUFFIXES) or b'"' not in data or b"include" not in data:
        return ()
    out: list[tuple[str, str]] = []
    seen = {os.path.abspath(path)}
    pending = [(os.path.dirname(path), data)]
    while pending and len(out) < MAX_HEADERS:
        where, text = pending.pop(0)
        for name in _INCLUDE_RE.findall(text):
            header = os.path.normpath(os.path.join(where, name.decode(errors="replace")))
            key = os.path.abspath(header)
            if key in seen or len(out) >= MAX_HEADERS:
                continue
            seen.add(key)
            try:
                if not os.path.isfile(header) or os.path.getsize(header) > MAX_HEADER_BYTES:
                    continue
                with open(header, "rb") as fh:
                    body = fh.read()
            except OSError:
                continue  # an unreadable header is the compiler's error, not ours
            out.append((header, decode(body)))
            pending.append((os.path.dirname(header), body))
    return tuple(out)


def digest(headers: tuple[tuple[str, str], ...]) -> str:
    """What the cache key needs of the headers: their contents (an edited header changes the result)."""
    h = hashlib.sha256()
    for path, text in headers:
        h.update(os.path.basename(path).encode() + b"\0" + text.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()[:16] if headers else ""
