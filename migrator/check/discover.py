"""Which files to look at: walk the paths, skip VCS and build output, prefilter by bytes."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from migrator.core import names

SKIP_DIRS = frozenset((".git", ".hg", ".svn", ".tmp_versions", "__pycache__", ".venv", "venv",
                       "node_modules", ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache"))
C_SUFFIXES = (".c", ".h")
PY_SUFFIXES = (".py",)
SH_SUFFIXES = (".sh", ".bash", ".tc")  # .tc: kselftest ftrace test cases (shell)
WALK_SUFFIXES = C_SUFFIXES + PY_SUFFIXES + SH_SUFFIXES
SHEBANG_BYTES = 128  # an extensionless file is walked when its #! line names a shell or Python
# A file without any of these cannot hold a finding of the C rules. They are searched in one pass
# by a regex whose first byte is a literal (it runs at memchr speed: 0.6 s over Linux 6.12's 1.3 GB,
# where each `bytes in` search costs about 1 s). "jprobe" needs no search of its own: a jprobe user
# includes <linux/kprobes.h>, so it holds "kprobe" (no file of the 6.12 tree has one without the other).
assert all(w.startswith("k") for w in names.FIRST_STAGE_WORDS)
TRIGGER_RE = re.compile(b"k(?:" + b"|".join(re.escape(w[1:].encode()) for w in names.FIRST_STAGE_WORDS) + b")")
BUILD_OUTPUT = (".mod.c",)
_SYSTEM_MAP = names.SYSTEM_MAP.encode()
_FS_HEADER, _INCLUDES_WINDOW = b"linux/fs.h", 8192


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
                path = os.path.join(root, name)
                if not _walked(name, path):
                    continue
                if path in seen or _excluded(path, exclude):
                    continue
                seen.add(path)
                yield Candidate(path, False)
        yield from _listing_errors(errors)


def _walked(name: str, path: str) -> bool:
    """A file of a known suffix, or an extensionless script whose #! line names a shell or Python."""
    if name.endswith(WALK_SUFFIXES):
        return not name.endswith(BUILD_OUTPUT)
    if "." in name or os.path.islink(path):
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(SHEBANG_BYTES)
    except OSError:
        return False
    return _script_kind(head) is not None


def _script_kind(data: bytes) -> str | None:
    """"py" or "sh" from the #! line, else None."""
    if not data.startswith(b"#!"):
        return None
    first = data.split(b"\n", 1)[0]
    if b"python" in first:
        return "py"
    if re.search(rb"\b(?:ba|da|k|z|a)?sh\b", first):
        return "sh"
    return None


def _listing_errors(errors: list[OSError]) -> Iterator[tuple[str, str]]:
    for e in errors:
        yield (str(e.filename), f"cannot list the directory: {e.strerror or e}")
    errors.clear()


def _excluded(path: str, patterns: list[str]) -> bool:
    norm = path.removeprefix("./")
    return any(fnmatch.fnmatch(norm, p) or fnmatch.fnmatch(os.path.basename(norm), p) for p in patterns)


# Second stage, on the few files that pass the triggers: the shapes a finding needs at all. Each
# is its own regex starting with a literal, tried cheapest first: one alternation of them all is
# tried byte by byte and cost more than the first stage.
_SIGNALS = tuple(re.compile(re.escape(w.encode())) for w in (
    names.KALLSYMS_LOOKUP, *names.KALLSYMS_WALKS, *names.SYMBOL_SCAN_CALLS, names.JPROBE, names.SYSTEM_MAP,
    *names.MODULE_LAYOUT_FIELDS, *names.MODULE_BASE_VARIABLES, names.KPROBE_EVENTS, names.FTRACE_ADDRS_FILE,
)) + (re.compile(names.RELOCATE_STEM.encode() + rb"\w*\s*\("),)
# C: a kallsyms path is a string literal; the libbpf attach call with no function name (NULL or 0);
# a SystemTap probe table entry's section (".section=\".text\"" of a module, "" of an absolute address)
_C_SIGNALS = (re.compile(re.escape(f'"{names.PROC_KALLSYMS}"'.encode())),
              re.compile(names.LIBBPF_ATTACH_OPTS.encode() + rb"\s*\(\s*[^,;]+?,\s*(?:NULL|0|\()"),
              re.compile(rb"\.section\s*=\s*\""))
# Python and shell: a path word; BCC's attach_kprobe/attach_kretprobe and libbcc's bpf_attach_kprobe
_SCRIPT_WORDS = tuple(w.encode() for w in (names.SYSTEM_MAP, *names.CLI_PROBE_TOOLS, *names.MODULE_LOADERS))
_OTHER_SIGNALS = (re.compile(re.escape(names.PROC_KALLSYMS.encode())),
                  re.compile(os.path.commonprefix([*names.BCC_ATTACH, names.LIBBCC_ATTACH[4:]]).encode()))
# ... and a tracer or module loader run with an address in the file (see _script_has_address)
_TOOL_SIGNALS = tuple(re.compile(re.escape(w)) for w in _SCRIPT_WORDS[1:])
_PERF_ADDR = re.compile(b"(?:" + b"|".join(f.encode() for f in names.PERF_KPROBE_ADDR_FIELDS) + rb")\s*=")  # with perf_event in the file: the kprobe PMU
_MULTI_ADDRS = re.compile(rb"addrs\s*=[^=]")  # with kprobe_multi in the file: a link's address array
_EMITTED_ADDR = re.compile(rb"addr\s*=[^;\"\n]*%[^\n;]*;")  # a generator printing "kp.addr = ...%...;"
_ADDR_WRITE = re.compile(rb"addr\s*=[^=]")
_ADDR_FIELD_WRITE = re.compile(rb"(?:\.|->)\s*addr\s*=[^=]")
# a probe type in use: only these make an object's type a probe's (a "kprobe" in a comment or a
# string does not), and kprobe_opcode_t casts mark probe addresses
_PROBE_TYPE_WORDS = re.compile(names.PROBE_ADDRESS_TYPE.encode() + rb"\b|struct\s+(?:"
                               + b"|".join(s.encode() for s in names.PROBE_STRUCTS) + rb")\b")
_KP_ADDR = re.compile(rb"kp\s*(?:\.|->)\s*addr\s*=[^=]")
_ADDR_KEPT = re.compile(rb"(?:\.|->)\s*addr\s*;")  # a probe's addr read back whole (kprobe-as-resolver)
_WORD_SIGNALS = tuple(re.compile(re.escape(b.encode()) + rb"\b") for b in names.TEXT_BASES) + (
    re.compile(names.BCC_PROGRAM.encode() + rb"\s*\("),)  # and no word byte before them
_TABLE_ENTRY = re.compile(rb"0x[0-9a-fA-F]{4,}[uUlL]*\s*,\s*\"|\"\s*,\s*0x[0-9a-fA-F]{4,}")
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def worth_parsing(data: bytes, path: str = "") -> bool:
    """Can any rule find something in ``data`` (the bytes of ``path``)? Never wrong when it says no:
    a file it drops holds none of the shapes the front end of its kind looks at."""
    if TRIGGER_RE.search(data) is None and not _script_reads_map(data, path) and not _module_reads_map(data, path):
        return False
    if any(p.search(data) for p in _SIGNALS):
        return True
    if front_end(path, data) == "c":
        if any(p.search(data) for p in _C_SIGNALS):
            return True
    elif any(p.search(data) for p in _OTHER_SIGNALS) or (
            any(p.search(data) for p in _TOOL_SIGNALS) and _script_has_address(data)):
        return True
    if _PERF_ADDR.search(data) and names.PERF_EVENT.encode() in data:
        return True
    if names.KPROBE_MULTI.encode() in data and _MULTI_ADDRS.search(data):
        return True
    if _EMITTED_ADDR.search(data):
        return True
    # an addr write is a probe's only where a probe type is named (or "kp.addr", a container from a header)
    if _ADDR_WRITE.search(data) and _ADDR_FIELD_WRITE.search(data) and (
            _word_at(data, _PROBE_TYPE_WORDS) or _KP_ADDR.search(data)):
        return True
    if _ADDR_KEPT.search(data) and _word_at(data, _PROBE_TYPE_WORDS):
        return True
    if any(_word_at(data, p) for p in _WORD_SIGNALS):
        return True
    return _TABLE_ENTRY.search(data) is not None


def _module_reads_map(data: bytes, path: str) -> bool:
    """C that opens files in the kernel (<linux/fs.h> among its first includes) and names System.map:
    a module reading the map by hand. The include is looked for first: a second search of every file
    for "System.map" would cost a third of the walk."""
    return data.find(_FS_HEADER, 0, _INCLUDES_WINDOW) >= 0 and _SYSTEM_MAP in data and front_end(path, data) == "c"


def _script_reads_map(data: bytes, path: str) -> bool:
    """A script (not C: the C tree is too large for a second first-stage search) naming System.map or
    running a tracer or a module loader: it may place a probe by address without ever saying "kprobe".
    A tracer or a loader matters only with an address in the file: a "0x" literal, or one read from
    a symbol file (the install scripts of a kernel tree run modprobe with neither)."""
    if front_end(path, data) == "c" or not any(w in data for w in _SCRIPT_WORDS):
        return False
    return _script_has_address(data)


def _script_has_address(data: bytes) -> bool:
    return b"0x" in data or names.KALLSYMS_WORD.encode() in data or names.SYSTEM_MAP.encode() in data


def _word_at(data: bytes, pattern: re.Pattern[bytes]) -> bool:
    """Does ``pattern`` (ending in \\b) match at the start of a word somewhere in ``data``?"""
    return any(m.start() == 0 or data[m.start() - 1] not in _WORD_BYTES for m in pattern.finditer(data))


def front_end(path: str, data: bytes) -> str:
    """Which front end reads the file: "c", "py" or "sh" (by extension, else by the #! line)."""
    if path.endswith(C_SUFFIXES):
        return "c"
    if path.endswith(PY_SUFFIXES):
        return "py"
    if path.endswith(SH_SUFFIXES):
        return "sh"
    return _script_kind(data) or "c"
