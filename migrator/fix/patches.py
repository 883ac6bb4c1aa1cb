"""Patches as git writes them: unified diffs, format-patch mails, and crash-safe in-place writes.

Diffs are made from bytes, so CRLF, a missing final newline and non-UTF-8 bytes survive.
"""

from __future__ import annotations

import datetime
import difflib
import email.utils
import os
import time

from migrator import __version__
from migrator.core import atomic

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


def _counts(diff: bytes) -> tuple[int, int]:
    plus = minus = 0
    for ln in diff.split(b"\n"):
        if ln.startswith(b"+") and not ln.startswith(b"+++ "):
            plus += 1
        elif ln.startswith(b"-") and not ln.startswith(b"--- "):
            minus += 1
    return plus, minus


def _scale(it: int, width: int, max_change: int) -> int:
    return 0 if not it else 1 + (it * (width - 1) // max_change)


def diffstat(files: list[tuple[str, bytes]], width: int = 72) -> str:
    """``git diff --stat`` as ``git format-patch`` writes it (72 columns): one line per file, the
    +/- graph scaled to fit, and the summary line."""
    stats = [(path, *_counts(diff)) for path, diff in files]
    if not stats:
        return " 0 files changed\n"
    max_change = max(p + m for _, p, m in stats)
    max_len = max(len(path) for path, _, _ in stats)
    number_width = len(str(max_change))
    width = max(width, 16 + 6 + number_width)
    graph_width = max_change
    name_width = max_len
    if name_width + number_width + 6 + graph_width > width:
        if graph_width > width * 3 // 8 - number_width - 6:
            graph_width = max(width * 3 // 8 - number_width - 6, 6)
        if name_width > width - number_width - 6 - graph_width:
            name_width = width - number_width - 6 - graph_width
        else:
            graph_width = width - number_width - 6 - name_width
    out = []
    for path, plus, minus in stats:
        name = path if len(path) <= name_width else "..." + path[len(path) - name_width + 3:]
        add, rem = plus, minus
        if graph_width <= max_change:
            add, rem = _scale(plus, graph_width, max_change), _scale(minus, graph_width, max_change)
        total = plus + minus
        out.append(f" {name:<{name_width}} | {total:>{number_width}}{' ' if total else ''}{'+' * add}{'-' * rem}\n")
    ins, dels = sum(p for _, p, _ in stats), sum(m for _, _, m in stats)
    summary = f" {len(stats)} file{'s' * (len(stats) != 1)} changed"
    if ins or not dels:
        summary += f", {ins} insertion{'s' * (ins != 1)}(+)"
    if dels or not ins:
        summary += f", {dels} deletion{'s' * (dels != 1)}(-)"
    return "".join(out) + summary + "\n"


def subject_tag(prefix: str, number: int, total: int, numbered: bool) -> str:
    """``[PATCH 02/15]`` as git format-patch numbers a series (zero-padded to the width of the
    total), ``[PATCH]`` for a lone patch; the prefix is ``--subject-prefix`` (``RFC PATCH v2``)."""
    if numbered:
        return f"[{prefix}{' ' if prefix else ''}{number:0{len(str(total))}d}/{total}]"
    return f"[{prefix}]" if prefix else ""


def patch_filename(number: int, subject: str, max_name: int = 64, suffix: str = ".patch") -> str:
    """``0001-subject-words.patch`` as git format-patch names it (pretty.c format_sanitized_subject,
    log-tree.c fmt_output_subject: runs of other characters become one '-', at most 64 bytes)."""
    out: list[str] = []
    space = 2
    i = 0
    while i < len(subject):
        c = subject[i]
        if c.isascii() and (c.isalnum() or c in "._"):
            if space == 1:
                out.append("-")
            space = 0
            out.append(c)
            if c == ".":
                while i + 1 < len(subject) and subject[i + 1] == ".":
                    i += 1
        else:
            space |= 1
        i += 1
    name = f"{number:04d}-" + "".join(out).rstrip(".-")
    return name[: max_name - len(suffix) - 1] + suffix


_RFC822_SPECIALS = set('()<>[]:;@,."\\')
_RFC2047_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!*+-/")


def mail_address(ident: str) -> str:
    """A ``Name <mail>`` identity as git writes it in a From: header: RFC 2047 (q) for a name that
    is not ASCII, quoted when it has RFC 822 specials (``"J. Doe" <j@example.org>``)."""
    name, addr = email.utils.parseaddr(ident)
    if not name:
        return f"<{addr}>" if addr else ident
    if not name.isascii():
        encoded = "".join(c if c in _RFC2047_SAFE else "".join(f"={b:02X}" for b in c.encode()) for c in name)
        return f"=?UTF-8?q?{encoded}?= <{addr}>"
    if any(c in _RFC822_SPECIALS for c in name):
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + f'" <{addr}>'
    return f"{name} <{addr}>"


def _fold(header: str, width: int = 78) -> str:
    """A header line folded as git folds Subject: (words, continuation lines indented by one space)."""
    if len(header) <= width:
        return header
    import textwrap

    return "\n".join(textwrap.wrap(header, width=width, subsequent_indent=" ", break_long_words=False,
                                    break_on_hyphens=False))


def mail_header(author: str, subject: str, when: float | None = None) -> str:
    """The head of a ``git format-patch`` mail: mbox From line, From:, Date:, Subject: and MIME."""
    date = email.utils.format_datetime(
        datetime.datetime.fromtimestamp(when if when is not None else time.time(), datetime.UTC))
    sender = mail_address(author)
    return (
        "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
        f"{_fold_from(sender)}\n"
        f"Date: {date}\n{_fold('Subject: ' + subject)}\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
    )


def _fold_from(sender: str) -> str:
    """``From: Name <mail>``; over 78 columns the address goes on a continuation line, as git does."""
    line = f"From: {sender}"
    at = line.rfind(" <")
    return line if len(line) <= 78 or at < 0 else line[:at] + "\n" + line[at:]


def mail(path: str, diff: bytes, subject: str, body: str, author: str, when: float | None = None) -> bytes:
    """One ``git format-patch`` mail; ``git am`` takes the author, date and subject from it.
    ``subject`` is the whole Subject: text, tag included (``[PATCH 2/5] mod: summary``)."""
    text = mail_header(author, subject, when) + body.rstrip("\n") + "\n---\n" + diffstat([(path, diff)]) + "\n"
    return text.encode("utf-8", "surrogateescape") + diff + f"-- \nprobe-migrator {__version__}\n\n".encode()


def cover_mail(subject: str, body: str, author: str, when: float | None = None) -> bytes:
    """A cover letter: a mail with no diff (``git am`` stops at it, ``git am --empty=drop`` skips it)."""
    return (mail_header(author, subject, when) + body.rstrip("\n") + f"\n\n-- \nprobe-migrator {__version__}\n\n"
            ).encode("utf-8", "surrogateescape")


class Changed(Exception):
    """The file changed on disk after it was read."""


def atomic_write(path: str, expected_old: bytes, new: bytes) -> None:
    """Replace ``path`` with ``new`` only if it still holds ``expected_old``; old or new, never partial.

    A symlink is followed: its target is replaced and the link stays a link.
    """
    path = os.path.realpath(path)
    st = os.stat(path)

    def unchanged() -> None:
        with open(path, "rb") as fh:
            if fh.read() != expected_old:
                raise Changed(path)

    unchanged()
    atomic.replace(path, new, mode=st.st_mode & 0o7777, durable=True, last_look=unchanged)  # last look before the rename


def write_new_file(path: str, data: bytes) -> None:
    """Create ``path`` atomically (a patch file of a series)."""
    atomic.replace(path, data, durable=True)
