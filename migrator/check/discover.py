"""Which files to look at: walk the paths, skip VCS and build output, prefilter by bytes."""

from __future__ import annotations

import fnmatch
import operator
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
NOT_SCRIPTS = frozenset(("Makefile", "GNUmakefile", "Kbuild", "Kconfig"))  # 5,000 of Linux's 6,500 extensionless files
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
    """Candidates, or (path, error) for paths that do not exist and directories that cannot be listed.
    A directory's files come in name order, then its subdirectories in name order, depth first;
    symbolic links to directories are not followed."""
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
        yield from _walk_dir(top, exclude, seen)


_BY_NAME = operator.attrgetter("name")


def _walk_dir(top: str, exclude: list[str], seen: set[str]) -> Iterator[Candidate | tuple[str, str]]:
    # os.scandir, not os.walk: its entries know their type without a stat, and a path is built once
    # (on Linux 6.12 os.walk with a join per name was a fifth of the whole check)
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=_BY_NAME)
        except OSError as e:
            yield (str(e.filename or directory), f"cannot list the directory: {e.strerror or e}")
            continue
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name not in SKIP_DIRS and not entry.is_symlink() and not (
                        exclude and _excluded(entry.path, exclude)):
                    subdirs.append(entry.path)
                continue
            name = entry.name
            if name.endswith(WALK_SUFFIXES):
                if name.endswith(BUILD_OUTPUT):
                    continue
            elif not _extensionless_script(entry):
                continue
            path = entry.path
            if path in seen or (exclude and _excluded(path, exclude)):
                continue
            seen.add(path)
            yield Candidate(path, False)
        stack.extend(reversed(subdirs))


def _extensionless_script(entry: os.DirEntry[str]) -> bool:
    """A file without a suffix whose #! line names a shell or Python. Make and Kconfig files are
    never scripts (make reads a #! line as a comment)."""
    if "." in entry.name or entry.name in NOT_SCRIPTS or entry.is_symlink():
        return False
    try:
        with open(entry.path, "rb") as f:
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


def _excluded(path: str, patterns: list[str]) -> bool:
    norm = path.removeprefix("./")
    return any(fnmatch.fnmatch(norm, p) or fnmatch.fnmatch(os.path.basename(norm), p) for p in patterns)


# Second stage, on the few files that pass the triggers: the shapes a finding needs at all. Each
# is its own regex starting with a literal, tried cheapest first: one alternation of them all is
# tried byte by byte and cost more than the first stage.
_SIGNALS = tuple(re.compile(re.escape(w.encode())) for w in (
    names.JPROBE, names.SYSTEM_MAP, names.KPROBE_EVENTS, names.FTRACE_ADDRS_FILE))
# The words only the module rules (kallsyms-lookup-use, kallsyms-walk, sprint-symbol-scan,
# relocation-helper, kprobe-as-resolver, embedded-symbol-table, ...) act on alone: in built-in or
# user-space code an address from them matters only where it is written to a probe, which the
# addr-write signal below sees (on Linux 6.12 they sent 24 built-in files to the front end for nothing).
_MODULE_SIGNALS = tuple(re.compile(re.escape(w.encode())) for w in (
    names.KALLSYMS_LOOKUP, *names.KALLSYMS_WALKS, *names.SYMBOL_SCAN_CALLS, *names.MODULE_LAYOUT_FIELDS,
    *names.MODULE_BASE_VARIABLES)) + (re.compile(names.RELOCATE_STEM.encode() + rb"\w*\s*\("),)
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
# Each pattern below starts with a literal (see TRIGGER_RE): one led by an alternation or by "." / "->"
# is tried at every byte, and five of those cost as much as the first stage over the whole tree.
_PERF_ADDR = tuple(re.compile(f.encode() + rb"\s*=") for f in names.PERF_KPROBE_ADDR_FIELDS)  # with perf_event: the kprobe PMU
_MULTI_ADDRS = re.compile(rb"addrs\s*=[^=]")  # with kprobe_multi in the file: a link's address array
# a generator printing "kp.addr = ...%...;" (the emitted value may hold escapes, \" included: text/generated.py)
_EMITTED_ADDR = re.compile(rb"addr\s*=(?:[^;\"\n\\]|\\.)*%[^\n;]*;")
_ADDR_WRITE = re.compile(rb"addr\s*=[^=]")
# a probe type in use: only these make an object's type a probe's (a "kprobe" in a comment or a
# string does not), and kprobe_opcode_t casts mark probe addresses
_PROBE_ADDRESS_TYPE = re.compile(names.PROBE_ADDRESS_TYPE.encode() + rb"\b")
_PROBE_STRUCT_NAMES = tuple(re.compile(s.encode() + rb"\b") for s in names.PROBE_STRUCTS)  # after "struct "
_KP_ADDR = re.compile(rb"kp\s*(?:\.|->)\s*addr\s*=[^=]")
_ADDR_READ = re.compile(rb"addr\s*;")  # after "." or "->": a probe's addr read back whole (kprobe-as-resolver)
_WORD_SIGNALS = tuple(re.compile(re.escape(b.encode()) + rb"\b") for b in names.TEXT_BASES) + (
    re.compile(names.BCC_PROGRAM.encode() + rb"\s*\("),)  # and no word byte before them
_TABLE_ENTRY = (re.compile(rb"0x[0-9a-fA-F]{4,}[uUlL]*\s*,\s*\""), re.compile(rb"\"\s*,\s*0x[0-9a-fA-F]{4,}"))
_SYMBOL_NAME = names.SYMBOL_NAME.encode()
_SPACE_BYTES = frozenset(b" \t\r\n\f\v")  # what \s matches
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def worth_parsing(data: bytes, path: str = "", context: str | None = None) -> bool:
    """Can any rule find something in ``data`` (the bytes of ``path``)? Never wrong when it says no:
    a file it drops holds none of the shapes the front end of its kind looks at (for the rules of
    ``context``; None: any context)."""
    return first_stage(data, path) and second_stage(data, path, context)


def first_stage(data: bytes, path: str) -> bool:
    """One search of the whole file for the trigger words (and the map readers that never say them)."""
    return TRIGGER_RE.search(data) is not None or _script_reads_map(data, path) or _module_reads_map(data, path)


def second_stage(data: bytes, path: str, context: str | None = None) -> bool:
    """The shapes a finding needs, on a file that passed the first stage."""
    if any(p.search(data) for p in _SIGNALS):
        return True
    kind = front_end(path, data)
    # Python may hold kernel C in strings, which module rules judge whatever the file's context
    module_rules = context in (None, names.CONTEXT_MODULE) or kind == "py"
    if module_rules and any(p.search(data) for p in _MODULE_SIGNALS):
        return True
    if kind == "c":
        if any(p.search(data) for p in _C_SIGNALS):
            return True
    elif any(p.search(data) for p in _OTHER_SIGNALS) or (
            any(p.search(data) for p in _TOOL_SIGNALS) and _script_has_address(data)):
        return True
    if names.PERF_EVENT.encode() in data and any(p.search(data) for p in _PERF_ADDR):
        return True
    if names.KPROBE_MULTI.encode() in data and _MULTI_ADDRS.search(data):
        return True
    if _after_member(data, _EMITTED_ADDR):  # ".addr =" or "->addr =", as the front end requires
        return True
    # an addr write is a probe's only where a probe type is named (or "kp.addr", a container from a header)
    addr_write = _after_member(data, _ADDR_WRITE)
    if addr_write and (_probe_type_named(data) or _KP_ADDR.search(data)):
        return True
    if module_rules and _after_member(data, _ADDR_READ) and _probe_type_named(data):
        return True
    # _stext & co. matter to C outside a module only in a probe's addr (addr-computed) or symbol_name
    # (symbol-name-marker): the relocation and table rules are module rules
    words = module_rules or kind != "c" or addr_write or _SYMBOL_NAME in data
    if words and any(_word_at(data, p) for p in _WORD_SIGNALS):
        return True
    return module_rules and any(p.search(data) for p in _TABLE_ENTRY)


def _after_member(data: bytes, pattern: re.Pattern[bytes]) -> bool:
    """Does ``pattern`` match right after a member access ("." or "->", spaces allowed between)?"""
    for m in pattern.finditer(data):
        j = m.start() - 1
        while j >= 0 and data[j] in _SPACE_BYTES:
            j -= 1
        if j >= 0 and (data[j] == ord(".") or (data[j] == ord(">") and j > 0 and data[j - 1] == ord("-"))):
            return True
    return False


def _probe_type_named(data: bytes) -> bool:
    """kprobe_opcode_t, or "struct kprobe" (kretprobe, jprobe) with "struct" a word of its own."""
    if _word_at(data, _PROBE_ADDRESS_TYPE):
        return True
    for pattern in _PROBE_STRUCT_NAMES:
        for m in pattern.finditer(data):
            j = m.start() - 1
            if j < 0 or data[j] not in _SPACE_BYTES:
                continue
            while j >= 0 and data[j] in _SPACE_BYTES:
                j -= 1
            if data[max(0, j - 5):j + 1] == b"struct" and (j < 6 or data[j - 6] not in _WORD_BYTES):
                return True
    return False


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
