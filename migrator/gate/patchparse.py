"""Read a patch: a unified diff, ``git diff`` output, one ``git format-patch`` mail or an mbox
series of them, into what it does to each file (``FileChange``).

git's extended headers (renames, copies, new and deleted files, binary diffs, quoted names) are
read here; hunks by unidiff. A malformed patch becomes an error message, never an exception.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from migrator.core.source import decode, encode

if TYPE_CHECKING:
    from unidiff import PatchedFile

# git's source/destination prefixes: default, diff.mnemonicPrefix (commit, index, worktree, object), --no-index
_PREFIX_PAIRS = (("a/", "b/"), ("c/", "w/"), ("c/", "i/"), ("i/", "w/"), ("o/", "w/"), ("1/", "2/"))
# mbox separator: "From <sender or commit> <asctime date>", as git format-patch and MUAs write it
_MBOX_FROM = re.compile(rb"^From \S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d(?: [+-]\d{4})? \d{4}\s*$")
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


@dataclass
class Message:
    """Something about the patch itself: shown as ``path: error|note: text``."""

    path: str
    severity: str  # "error" or "note"
    text: str

    def __str__(self) -> str:
        return f"{self.path}: {self.severity}: {self.text}"


@dataclass
class FileChange:
    """What one patch does to one file."""

    path: str  # post-image path as written in the patch, prefix stripped ("" if deleted)
    old_path: str  # pre-image path ("" if the file is new)
    patch: str  # "patch 2/3 'subject'" in a series, "" for a plain diff
    binary: bool = False
    copied: bool = False
    lines: dict[int, str] = field(default_factory=dict)  # post-image line number -> text (context + added)
    added: set[int] = field(default_factory=set)

    @property
    def deleted(self) -> bool:
        return not self.path

    @property
    def renamed(self) -> bool:
        return bool(self.old_path) and bool(self.path) and self.old_path != self.path

    @property
    def where(self) -> str:
        """What a message about this change names: its path, and its patch in a series."""
        path = self.path or self.old_path or "<unnamed>"
        return f"{path} ({self.patch})" if self.patch else path


def parse(data: bytes, name: str = "<diff>") -> tuple[list[FileChange], list[Message]]:
    """Every file of every patch in ``data``; malformed patches become error messages."""
    changes: list[FileChange] = []
    messages: list[Message] = []
    for label, body in split_series(data):
        where = f"{name} ({label})" if label else name
        text = _diff_start(decode(body))
        if not text.strip():
            if label and body.strip():
                messages.append(Message(where, "note", "no diff in this mail; nothing to check"))
            continue
        changes.extend(_files(text, label, where, messages))
    if not changes and not messages and decode(data).strip():
        messages.append(Message(name, "error", "no unified diff found in the input "
                                "(expected diff -u, git diff, git format-patch or an mbox of patches)"))
    return changes, messages


# ---------------------------------------------------------------- mails and series


def split_series(data: bytes) -> list[tuple[str, bytes]]:
    """``[(label, diff bytes)]``: one item per mail of an mbox/format-patch input, or the input itself."""
    lines = data.splitlines(keepends=True)
    if not _is_mail(lines):
        return [("", data)]
    mails: list[list[bytes]] = [[]]
    for i, ln in enumerate(lines):
        if _MBOX_FROM.match(ln) and (i == 0 or not lines[i - 1].strip()) and mails[-1]:
            mails.append([])
        mails[-1].append(ln)
    out = []
    for n, chunk in enumerate(mails, 1):
        subject, body = _mail_payload(b"".join(chunk))
        label = f"patch {n}/{len(mails)}" if len(mails) > 1 else "patch"
        out.append((f"{label} '{subject}'" if subject else label, body))
    return out


def _is_mail(lines: list[bytes]) -> bool:
    """An mbox, or one mail: RFC 5322 headers up to the first blank line, among them From or Subject."""
    start = next((i for i, ln in enumerate(lines) if ln.strip()), len(lines))
    if start < len(lines) and _MBOX_FROM.match(lines[start]):
        return True
    names = set()
    for ln in lines[start:]:
        if not ln.strip():
            break
        if ln[:1] in (b" ", b"\t"):
            continue  # a folded header line
        if not _HEADER.match(ln):
            return False
        names.add(ln.split(b":", 1)[0].lower())
    return bool(names & {b"from", b"subject"})


def _mail_payload(raw: bytes) -> tuple[str, bytes]:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    subject = " ".join(str(msg.get("Subject", "")).split())
    parts = [p for p in msg.walk() if not p.is_multipart()] if msg.is_multipart() else [msg]
    body = b""
    for part in parts:
        if part.get_content_maintype() != "text":
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            body += payload if not body or body.endswith(b"\n") else b"\n" + payload
    return subject, body


# ---------------------------------------------------------------- diffs and git's headers


def _diff_start(text: str) -> str:
    """Drop what precedes the first file header (a commit message can quote anything)."""
    lines = text.splitlines(keepends=True)
    for i, ln in enumerate(lines):
        if ln.startswith("diff --git ") or ln.startswith("Binary files ") or (
                ln.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")):
            return "".join(lines[i:])
    return ""


def unquote(name: str) -> str:
    """A path as git writes it: ``"b/sp\\303\\251cial.c"`` -> ``b/spécial.c``; plain names unchanged."""
    name = name.strip()
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    out = bytearray()
    body = name[1:-1]
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and re.match(r"[0-7]{3}", body[i + 1:i + 4]):
                out.append(int(body[i + 1:i + 4], 8) & 0xFF)
                i += 4
                continue
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
        out += encode(ch)
        i += 1
    return decode(bytes(out))


def _names(source: str, target: str) -> tuple[str, str]:
    """Pre- and post-image paths with git's a/ b/ prefixes removed ("" for /dev/null)."""
    old, new = unquote(source), unquote(target)
    old = "" if old == "/dev/null" else old
    new = "" if new == "/dev/null" else new
    if any((not old or old.startswith(a)) and (not new or new.startswith(b)) for a, b in _PREFIX_PAIRS):
        old, new = old[2:] if old else old, new[2:] if new else new
    return old, new


def _split_git_header(rest: str) -> tuple[str, str]:
    """The two names of ``diff --git A B`` (quoted, or unquoted and possibly holding spaces)."""
    rest = rest.rstrip("\r\n")
    if rest.startswith('"'):
        m = re.match(r'"(?:[^"\\]|\\.)*"', rest)
        if m:
            return m.group(0), rest[m.end():].lstrip(" ")
    if rest.endswith('"'):
        cut = rest.rfind(' "')
        if cut > 0:
            return rest[:cut], rest[cut + 1:]
    mid = len(rest) // 2  # unquoted: without a rename both names are the same apart from the prefix
    a, b = rest[:mid], rest[mid + 1:]
    if len(rest) % 2 and rest[mid] == " " and (a == b or a[2:] == b[2:]):
        return a, b
    cut = rest.find(" b/")
    if cut <= 0:
        cut = rest.rfind(" ")
    return (rest[:cut], rest[cut + 1:]) if cut > 0 else (rest, rest)


def _header_name(line: str) -> str:
    """The name on a ``--- NAME\tTIMESTAMP`` / ``+++ NAME`` line."""
    return line[4:].rstrip("\r\n").split("\t", 1)[0]


def _git_change(section: list[str], label: str) -> tuple[FileChange, list[str]]:
    """One ``diff --git`` section: the change described by its extended header, and its hunk lines."""
    old, new = _names(*_split_git_header(section[0][len("diff --git "):]))
    minus = plus = None
    binary = copied = False
    body: list[str] = []
    for i, ln in enumerate(section[1:], 1):
        if ln.startswith("@@ "):
            body = section[i:]
            break
        value = unquote(ln.rstrip("\r\n").split(" ", 2)[-1])
        if ln.startswith("--- "):
            minus = _header_name(ln)
        elif ln.startswith("+++ "):
            plus = _header_name(ln)
        elif ln.startswith(("rename from ", "copy from ")):
            old, copied = value, ln.startswith("copy")
        elif ln.startswith(("rename to ", "copy to ")):
            new = value
        elif ln.startswith(("Binary files ", "GIT binary patch")):
            binary = True
    if minus is not None and plus is not None and not any(ln.startswith(("rename ", "copy ")) for ln in section):
        old, new = _names(minus, plus)
    if any(ln.startswith("new file mode ") for ln in section[1:len(section) - len(body)]):
        old = ""
    if any(ln.startswith("deleted file mode ") for ln in section[1:len(section) - len(body)]):
        new = ""
    return FileChange(path=new, old_path=old, patch=label, binary=binary, copied=copied), body


def _add_hunks(change: FileChange, pf: PatchedFile) -> None:
    for hunk in pf:
        for line in hunk:
            if (line.is_added or line.is_context) and line.target_line_no is not None:
                change.lines[line.target_line_no] = line.value.removesuffix("\n")
                if line.is_added:
                    change.added.add(line.target_line_no)


def _files(text: str, label: str, where: str, messages: list[Message]) -> list[FileChange]:
    """The files of one patch; git's extended headers are read here, hunks by unidiff."""
    from unidiff import PatchSet

    lines = text.splitlines(keepends=True)
    starts = [i for i, ln in enumerate(lines) if ln.startswith("diff --git ")]
    if not starts:
        bad = _bad_hunk_header(lines)
        if bad:
            messages.append(Message(where, "error", f"malformed patch: {bad}"))
            return []
        try:
            patch = PatchSet(text)
        except Exception as e:  # noqa: BLE001 - unidiff raises several types on bad input
            messages.append(Message(where, "error", f"malformed patch: {e}"))
            return []
        out = []
        for pf in patch:
            old, new = _names(pf.source_file or "", pf.target_file or "")
            change = FileChange(path=new, old_path=old, patch=label, binary=pf.is_binary_file)
            _add_hunks(change, pf)
            out.append(change)
        return out
    out = []
    for start, end in zip(starts, starts[1:] + [len(lines)], strict=True):
        change, body = _git_change(lines[start:end], label)
        bad = _bad_hunk_header(body)
        if bad:
            messages.append(Message(change.where, "error", f"malformed patch: {bad}"))
            continue
        if body and not change.binary:
            try:
                for pf in PatchSet("--- a/f\n+++ b/f\n" + "".join(body)):
                    _add_hunks(change, pf)
            except Exception as exc:  # noqa: BLE001
                messages.append(Message(change.where, "error", f"malformed patch: {exc}"))
                continue
        out.append(change)
    return out


_HUNK_HEADER = re.compile(r"@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@")


def _bad_hunk_header(lines: list[str]) -> str:
    """unidiff skips a line like "@@ garbage @@" and the hunk after it, unnoticed: say so instead."""
    for ln in lines:
        if ln.startswith("@@") and not _HUNK_HEADER.match(ln):
            return f'hunk header {ln.strip()[:60]!r} is not "@@ -START[,COUNT] +START[,COUNT] @@"'
    return ""
