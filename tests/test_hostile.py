"""Hostile input through the real command line (issue 7): every case ends with a clear message and a
defined exit code; never a traceback, a hang, a killed process or a damaged file.

Each run is a subprocess of ``python -m migrator`` with a strict UTF-8 stdout/stderr
(``PYTHONIOENCODING=utf-8:strict``), so undecodable bytes in paths or sources that reached the
terminal unescaped would crash it: they must not.
"""

from __future__ import annotations

import difflib
import gzip
import os
import pathlib
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import pytest
from conftest import CORPUS, ROOT, read_expected

MAP = CORPUS / "maps" / "debian-6.1.0-56-amd64.kallsyms.gz"
KPOKE = CORPUS / "a" / "kpoke.c"  # three addr-computed findings
SYSMAP = CORPUS / "a" / "sysmap_openat.c"  # CRLF, one fixable addr-literal
LIMIT = 16 * 1024 * 1024

LITERAL = (b"#include <linux/kprobes.h>\n"
           b"static struct kprobe kp;\n"
           b"static int __init m_init(void)\n"
           b"{\n"
           b"\tkp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;\n"
           b"\treturn register_kprobe(&kp);\n"
           b"}\n")
LITERAL_AT = "5:5: error: kprobe address hard-coded as 0xffffffff810a0a60"


@dataclass
class Run:
    rc: int
    out: str
    err: str
    raw: bytes  # stdout as bytes
    seconds: float


def decode(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def pm(*args: str, cwd, stdin: bytes | None = None, timeout: float = 120, user: str | None = None,
       exe: str | None = None) -> Run:
    """Run the CLI (this checkout's, or the installed ``exe``); fail on a traceback, a signal death or a hang."""
    cmd = [exe, *args] if exe else [sys.executable, "-m", "migrator", *args]
    env = dict(os.environ, PYTHONIOENCODING="utf-8:strict", PYTHONPATH=str(ROOT),
               PROBE_MIGRATOR_CACHE_DIR=os.path.join(str(cwd), os.pardir, ".pm-cache"))
    if exe:
        del env["PYTHONPATH"]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={pwd.getpwnam(user).pw_gid}", "--clear-groups", *cmd]
    start = time.monotonic()
    p = subprocess.run(cmd, cwd=str(cwd), input=stdin if stdin is not None else b"", capture_output=True,
                       timeout=timeout, env=env)
    r = Run(p.returncode, decode(p.stdout), decode(p.stderr), p.stdout, time.monotonic() - start)
    assert r.rc >= 0, f"killed by signal {-r.rc}: {r.err[-2000:]}"
    assert "Traceback" not in r.err, r.err[-4000:]
    assert "internal error" not in r.err + r.out, r.err[-4000:]
    assert "Aborted!" not in r.err, r.err
    return r


def module(path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def kpoke_findings(name: str) -> list[str]:
    return [f"{name}:{ln}:{col}: error:" for ln, col, _rule, _info in read_expected(KPOKE.with_suffix(".expected"))]


def assert_reports_kpoke(r: Run, name: str) -> None:
    for prefix in kpoke_findings(name):
        assert any(line.startswith(prefix) and line.endswith("[addr-computed]") for line in r.out.splitlines()), \
            (prefix, r.out)


def fixed(path) -> bytes:
    return path.with_name(path.name + ".fixed").read_bytes()


# -- binary files and NUL bytes ------------------------------------------------------------------

def test_binary_file_with_nul_bytes_is_skipped_with_a_warning(tmp_path):
    blob = b"\x7fELF\x02\x01\x01\0" + LITERAL * 5 + bytes(range(256)) * 8
    module(tmp_path / "blob.c", blob)
    r = pm("check", "blob.c", cwd=tmp_path)
    assert r.rc == 0
    assert "blob.c: warning: skipped: binary file (NUL bytes) [skip]" in r.err
    assert "0 findings in 1 file (0 analysed)" in r.err
    r = pm("fix", "--write", "--symbols", str(MAP), "blob.c", cwd=tmp_path)
    assert r.rc == 0
    assert "blob.c: warning: skipped: binary file (NUL bytes)" in r.err
    assert (tmp_path / "blob.c").read_bytes() == blob


def test_binary_file_without_trigger_bytes_is_not_even_parsed(tmp_path):
    module(tmp_path / "noise.c", os.urandom(1) + b"\0" * 4096)
    r = pm("check", "noise.c", cwd=tmp_path)
    assert (r.rc, r.out) == (0, "")
    assert "0 findings in 1 file (0 analysed)" in r.err


def test_nul_byte_past_the_sniffed_prefix_costs_one_construct(tmp_path):
    # the binary sniff looks at the first 8 KiB; a NUL later is an illegal character in one construct
    data = KPOKE.read_bytes() + b"/*" + b" padding " * 1000 + b"*/\nstatic struct kprobe stray\0;\n"
    module(tmp_path / "late.c", data)
    r = pm("check", "-v", "late.c", cwd=tmp_path)
    assert r.rc == 1
    assert_reports_kpoke(r, "late.c")
    assert "could not parse lines" in r.err and "Illegal character" in r.err


# -- encodings and line endings ------------------------------------------------------------------

def test_latin1_and_invalid_utf8_keep_byte_columns_and_bytes(tmp_path):
    # "\xe9" (Latin-1), "\xff\xfe" (never UTF-8) and a real UTF-8 "é" (2 bytes) before the finding
    line = b"\t/* r\xe9sum\xe9 \xff\xfe caf\xc3\xa9 */ kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;\n"
    data = LITERAL.replace(b"\tkp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;\n", line)
    module(tmp_path / "latin.c", data)
    r = pm("check", "latin.c", cwd=tmp_path)
    assert r.rc == 1
    col = line.index(b"addr") + 1  # gcc counts bytes
    assert r.out.startswith(f"latin.c:5:{col}: error: kprobe address hard-coded as 0xffffffff810a0a60")
    assert b"    5 | " + line in r.raw  # the source line is echoed byte for byte


def test_undecodable_file_name_is_reported_in_every_format(tmp_path):
    name = os.fsdecode(b"bad\xffname.c")
    module(tmp_path / name, LITERAL)
    for fmt in ("text", "json", "sarif", "github"):
        r = pm("check", "--format", fmt, ".", cwd=tmp_path)
        assert r.rc == 1, fmt
        assert ("0xffffffff810a0a60" in r.out), fmt
    r = pm("check", ".", cwd=tmp_path)
    assert r.raw.startswith(b"./bad\xffname.c:" + LITERAL_AT.encode())


def test_latin1_module_is_migrated_with_its_bytes_intact(tmp_path):
    prefix = b"/* Copyright (c) 2009 J\xf6rg M\xfcller, \xff\xfe not UTF-8 */\n"
    module(tmp_path / "m.c", prefix + SYSMAP.read_bytes())
    r = pm("fix", "--write", "--symbols", str(MAP), "m.c", cwd=tmp_path)
    assert r.rc == 1, r.err
    assert (tmp_path / "m.c").read_bytes() == prefix + fixed(SYSMAP)


def test_crlf_module_is_checked_and_migrated_keeping_crlf(tmp_path):
    assert b"\r\n" in SYSMAP.read_bytes()
    shutil.copy(SYSMAP, tmp_path / "crlf.c")
    r = pm("check", "crlf.c", cwd=tmp_path)
    assert r.rc == 1
    assert r.out.startswith("crlf.c:37:12: error: kprobe address hard-coded as 0xffffffff81363fb1")
    assert "\r" not in r.out.splitlines()[1]  # the echoed source line has no stray CR
    r = pm("fix", "--write", "--symbols", str(MAP), "crlf.c", cwd=tmp_path)
    assert r.rc == 1
    new = (tmp_path / "crlf.c").read_bytes()
    assert new == fixed(SYSMAP)
    assert new.count(b"\n") == new.count(b"\r\n")


def test_mixed_line_endings_keep_every_line_ending(tmp_path):
    src = (CORPUS / "a" / "exit_codes.c").read_bytes()
    lines = src.splitlines(keepends=True)
    mixed = b"".join(ln.replace(b"\n", b"\r\n") if i % 2 else ln for i, ln in enumerate(lines))
    module(tmp_path / "mixed.c", mixed)
    r = pm("check", "mixed.c", cwd=tmp_path)
    want = [(ln, col) for ln, col, _r, _i in read_expected(CORPUS / "a" / "exit_codes.expected")]
    got = [tuple(int(x) for x in line.split(":")[1:3]) for line in r.out.splitlines() if line.startswith("mixed.c:")]
    assert r.rc == 1 and got == want
    r = pm("fix", "--write", "--symbols", str(MAP), "mixed.c", cwd=tmp_path)
    assert r.rc == 1
    new = (tmp_path / "mixed.c").read_bytes().splitlines(keepends=True)
    old = mixed.splitlines(keepends=True)
    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert any(tag != "equal" for tag, *_ in ops)
    for tag, i1, i2, j1, j2 in ops:
        if tag == "replace":  # an edited line keeps the ending of the line it replaces
            endings = {ln[-2:] == b"\r\n" for ln in old[i1:i2]}
            assert {ln[-2:] == b"\r\n" for ln in new[j1:j2]} <= endings


def test_lone_cr_line_endings_do_not_crash(tmp_path):
    module(tmp_path / "mac.c", LITERAL.replace(b"\n", b"\r"))
    r = pm("check", "mac.c", cwd=tmp_path)
    assert r.rc in (0, 1)


def test_no_final_newline(tmp_path):
    data = (b"#include <linux/kprobes.h>\n"
            b"static struct kprobe kp = { .addr = (kprobe_opcode_t *)0xffffffff81363fb1 };")
    module(tmp_path / "eof.c", data)
    r = pm("check", "eof.c", cwd=tmp_path)
    assert r.rc == 1 and r.out.startswith("eof.c:2:30: error: kprobe address hard-coded as 0xffffffff81363fb1")
    r = pm("fix", "--symbols", str(MAP), "eof.c", cwd=tmp_path)
    assert r.rc == 1
    assert r.out.count("\\ No newline at end of file") == 2
    if shutil.which("git"):
        (tmp_path / "fix.diff").write_bytes(r.raw)
        subprocess.run(["git", "apply", "--check", "fix.diff"], cwd=tmp_path, check=True)
    pm("fix", "--write", "--symbols", str(MAP), "eof.c", cwd=tmp_path)
    new = (tmp_path / "eof.c").read_bytes()
    assert new == (b"#include <linux/kprobes.h>\n"
                   b'static struct kprobe kp = { .symbol_name = "do_sys_openat2", .offset = 0x11 };')


def test_empty_files(tmp_path):
    for name in ("empty.c", "empty.h", "blank.c"):
        module(tmp_path / name, b"" if name != "blank.c" else b"\n\n   \t\r\n")
    module(tmp_path / "word.c", b"kprobe")
    r = pm("check", ".", cwd=tmp_path)
    assert (r.rc, r.out) == (0, "")
    assert "0 findings in 4 files" in r.err
    r = pm("fix", "--symbols", str(MAP), ".", cwd=tmp_path)
    assert (r.rc, r.out, r.err) == (0, "", "")


# -- size ----------------------------------------------------------------------------------------

COPIES = 20 * 1024 * 1024 // len(SYSMAP.read_bytes()) + 1


def twenty_megabytes() -> bytes:
    """20 MiB of real probe code: copies of a corpus module."""
    return SYSMAP.read_bytes() * COPIES


def test_20mb_file_is_skipped_over_the_default_limit(tmp_path):
    module(tmp_path / "big.c", twenty_megabytes())
    module(tmp_path / "real.c", LITERAL)
    size = (tmp_path / "big.c").stat().st_size
    r = pm("check", ".", cwd=tmp_path, timeout=60)
    assert r.rc == 1  # the limit is a warning; the real violation decides
    assert f"./big.c: warning: skipped: {size} bytes is over the {LIMIT}-byte limit (--max-bytes) [limit]" in r.err
    assert r.out.startswith("./real.c:" + LITERAL_AT)
    assert r.seconds < 30
    r = pm("fix", "--symbols", str(MAP), "big.c", cwd=tmp_path, timeout=60)
    assert r.rc == 0
    assert f"big.c: warning: skipped: {size} bytes is over the {LIMIT}-byte limit (--max-bytes)" in r.err
    r = pm("check", "--max-bytes", "100", "real.c", cwd=tmp_path)
    assert r.rc == 0 and f"real.c: warning: skipped: {len(LITERAL)} bytes is over the 100-byte limit" in r.err


def test_20mb_file_is_analysed_with_the_limit_raised(tmp_path):
    module(tmp_path / "big.c", twenty_megabytes())
    r = pm("check", "--max-bytes", str(64 * 1024 * 1024), "-q", "--no-show-source", "big.c", cwd=tmp_path,
           timeout=900)
    assert r.rc == 1
    assert r.out.count("error: kprobe address hard-coded as 0xffffffff81363fb1") == COPIES  # one per copy
    assert r.seconds < 600, r.seconds  # 35-90 s on the development machine, linear in the size


# -- nesting ---------------------------------------------------------------------------------------

def deep(kind: str, n: int) -> bytes:
    head = b"#include <linux/kprobes.h>\nstatic struct kprobe kp;\n"
    body = {
        "parens": b"int f(void)\n{\n\tkp.addr = (kprobe_opcode_t *)" + b"(" * n + b"0xffffffff810a0a60" + b")" * n + b";\n",
        "blocks": b"int f(void)\n{\n" + b"{" * n + b"\tkp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;\n" + b"}" * n,
        "casts": b"int f(void)\n{\n\tkp.addr = " + b"(kprobe_opcode_t *)" * n + b"0xffffffff810a0a60;\n",
        "unary": b"int f(void)\n{\n\tkp.addr = (kprobe_opcode_t *)" + b"-~" * n + b"1;\n",
        "calls": b"int f(void)\n{\n\tkp.addr = (kprobe_opcode_t *)" + b"g(" * n + b"1" + b")" * n + b";\n",
        "ternary": b"int f(int a)\n{\n\tkp.addr = (kprobe_opcode_t *)(" + b"a ? 1 : " * n + b"0);\n",
        "ifs": b"int f(int a)\n{\n" + b"if (a) " * n + b"\n\tkp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;\n",
        "init": b"static struct kprobe kps[] = " + b"{" * n + b".addr = (kprobe_opcode_t *)0xffffffff810a0a60"
                + b"}" * n + b";\nint f(void)\n{\n",
        "ptrs": b"int " + b"*" * n + b"p;\nint f(void)\n{\n\tkp.addr = (kprobe_opcode_t *)p;\n",
    }[kind]
    return head + body + b"\treturn register_kprobe(&kp);\n}\n"


KINDS = ("parens", "blocks", "casts", "unary", "calls", "ternary", "ifs", "init", "ptrs")


@pytest.mark.parametrize("kind", KINDS)
def test_deep_nesting_never_overflows(tmp_path, kind):
    """Thousands of levels: the recursive-descent parser gives up on the construct (an info
    diagnostic) or parses it; the process never dies and the rest of the file is still checked."""
    for n in (3000, 30000):
        module(tmp_path / f"{kind}{n}.c", deep(kind, n) + LITERAL.replace(b"m_init", b"other_init"))
    r = pm("check", "-v", ".", cwd=tmp_path, timeout=300)
    assert r.rc == 1
    for n in (3000, 30000):  # the well-formed function after the deep one is always reported
        ln = deep(kind, n).count(b"\n") + 5
        assert f"./{kind}{n}.c:{ln}:5: error: kprobe address hard-coded" in r.out, r.out[:3000]


def test_deep_nesting_reports_the_construct_it_gave_up_on(tmp_path):
    module(tmp_path / "d.c", deep("parens", 100000))
    r = pm("check", "-v", "d.c", cwd=tmp_path, timeout=300)
    assert "d.c:3:1: info: could not parse lines 3-7 (nesting too deep for the parser)" in r.err
    assert r.rc == 1 and "d.c:5:5: error: kprobe address hard-coded as 0xffffffff810a0a60" in r.out


# -- unterminated constructs ------------------------------------------------------------------------

UNTERMINATED = {
    # name: (bytes, exit code, line of the reported finding or None)
    "comment_after": (LITERAL + b"/* never closed\nkp.addr = 0;\n", 1, 5),
    "comment_before": (b"/* never closed\n" + LITERAL, 0, None),  # gcc sees one long comment too
    "line_comment_continued": (LITERAL + b"// kprobe \\", 1, 5),
    "string_after": (LITERAL + b'static const char *s = "never closed;\n', 1, 5),
    "string_before": (b'static const char *s = "never closed;\n' + LITERAL, 1, 6),
    "char_before": (b"static char c = '\n" + LITERAL, 1, 6),
    "if_unterminated": (b"#if LINUX_VERSION_CODE > KERNEL_VERSION(4, 0, 0)\n" + LITERAL, 1, 6),
    "if_else_unterminated": (b"#ifdef CONFIG_KPROBES\n#else\n" + LITERAL, 1, 7),
    "stray_endif": (b"#endif\n#endif\n" + LITERAL, 1, 7),
    "stray_else": (b"#else\n" + LITERAL, 1, 6),
    "brace_unterminated": (LITERAL.replace(b"}\n", b""), 1, 5),
    "stray_closers": (b"}}}\n)))\n" + LITERAL, 1, 7),
    "define_continued": (b"#define X \\\n" + LITERAL, 1, 6),
    "backslash_at_eof": (LITERAL + b"\\", 1, 5),
}


@pytest.mark.parametrize("name", sorted(UNTERMINATED))
def test_unterminated_comments_strings_and_conditionals(tmp_path, name):
    data, rc, line = UNTERMINATED[name]
    module(tmp_path / "u.c", data)
    r = pm("check", "u.c", cwd=tmp_path)
    assert r.rc == rc
    if line is not None:
        assert r.out.startswith(f"u.c:{line}:5: error: kprobe address hard-coded as 0xffffffff810a0a60"), r.out
    else:
        assert r.out == ""


# -- the file system ----------------------------------------------------------------------------------

def test_symlink_loops(tmp_path):
    os.symlink("loop2.c", tmp_path / "loop1.c")
    os.symlink("loop1.c", tmp_path / "loop2.c")
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "up")  # a directory loop: never followed
    module(tmp_path / "sub" / "real.c", LITERAL)
    r = pm("check", ".", cwd=tmp_path, timeout=60)
    assert r.rc == 2
    assert "./loop1.c: error: Too many levels of symbolic links [io]" in r.err
    assert "./loop2.c: error: Too many levels of symbolic links [io]" in r.err
    assert r.out.startswith("./sub/real.c:" + LITERAL_AT)
    assert "1 finding in 3 files (1 analysed), 2 could not be read" in r.err
    r = pm("fix", "--symbols", str(MAP), ".", cwd=tmp_path, timeout=60)
    assert r.rc == 2 and "./loop1.c: error: Too many levels of symbolic links" in r.err


def test_dangling_symlink(tmp_path):
    os.symlink("nowhere.c", tmp_path / "dangling.c")
    module(tmp_path / "real.c", LITERAL)
    r = pm("check", ".", cwd=tmp_path)
    assert r.rc == 2
    assert "./dangling.c: error: dangling symbolic link (No such file or directory) [io]" in r.err
    assert r.out.startswith("./real.c:" + LITERAL_AT)


def test_fifo_in_the_tree_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "pipe.c")  # open() would block until someone writes
    module(tmp_path / "real.c", LITERAL)
    r = pm("check", ".", cwd=tmp_path, timeout=60)
    assert r.rc == 1
    assert "./pipe.c: warning: skipped: not a regular file [skip]" in r.err
    r = pm("fix", "--write", "--symbols", str(MAP), ".", cwd=tmp_path, timeout=60)
    assert r.rc == 1 and "./pipe.c: warning: skipped: not a regular file" in r.err
    assert "./real.c: fixed 1 finding(s)" in r.err
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe.c").st_mode)


def test_missing_path(tmp_path):
    r = pm("check", "gone.c", cwd=tmp_path)
    assert r.rc == 2 and "gone.c: error: no such file or directory [io]" in r.err


@dataclass
class World:
    """Where ``nobody`` runs the tool: a world-readable directory to work in, a copy of the symbol map and
    an installed probe-migrator it can read. The checkout cannot serve: it (with its venv and pytest's
    tmp_path) may sit under a 0700 directory such as ``mktemp -d``, which nobody cannot enter."""

    dir: pathlib.Path  # the working directory (its parent holds the map and the result cache)
    map: str  # the symbol map, relative to dir
    exe: str

    def run(self, *args: str) -> Run:
        return pm(*args, cwd=self.dir, user="nobody", exe=self.exe)


@pytest.fixture
def world(installed_wheel):
    if os.geteuid() != 0:
        pytest.skip("needs root to run the CLI as another user; as a normal user chmod 000 works anyway")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody'")
    base = pathlib.Path(tempfile.mkdtemp(prefix="pm-hostile-"))
    os.chmod(base, 0o755)
    tree = base / "tree"
    tree.mkdir(mode=0o755)
    (base / ".pm-cache").mkdir(mode=0o777)
    os.chmod(base / ".pm-cache", 0o777)  # (mkdir's mode is cut by the umask)
    shutil.copy(MAP, base / "map.kallsyms.gz")
    os.chmod(base / "map.kallsyms.gz", 0o644)
    w = World(tree, "../map.kallsyms.gz", str(installed_wheel.exe))
    probe = pm("--version", cwd=tree, user="nobody", exe=w.exe)
    if probe.rc != 0:  # e.g. the venv's interpreter itself lives where nobody cannot go
        pytest.skip(f"nobody cannot run the installed {w.exe}: {probe.err.strip()[-300:]}")
    yield w
    for root, dirs, _files in os.walk(base):
        for x in dirs:
            os.chmod(os.path.join(root, x), 0o755)
    shutil.rmtree(base)


def test_unreadable_files_and_directories(world):
    """Run as ``nobody`` (root reads everything): one unreadable file or directory is one error; the
    other files are still checked and reported."""
    module(world.dir / "secret.c", LITERAL)
    os.chmod(world.dir / "secret.c", 0)
    module(world.dir / "locked" / "inner.c", LITERAL)
    os.chmod(world.dir / "locked", 0)
    module(world.dir / "real.c", LITERAL)
    r = world.run("check", ".")
    assert r.rc == 2
    assert "./secret.c: error: Permission denied [io]" in r.err
    assert "./locked: error: cannot list the directory: Permission denied [io]" in r.err
    assert r.out.startswith("./real.c:" + LITERAL_AT)
    # named on the command line: still a per-file error, not a usage error that stops everything
    r = world.run("check", "secret.c", "real.c")
    assert r.rc == 2
    assert "secret.c: error: Permission denied [io]" in r.err and r.out.startswith("real.c:" + LITERAL_AT)
    r = world.run("fix", "--symbols", world.map, "secret.c", "real.c")
    assert r.rc == 2 and "secret.c: error: Permission denied" in r.err


def test_unwritable_file_is_left_alone_by_fix_write(world):
    shutil.copy(SYSMAP, world.dir / "ro.c")
    os.chmod(world.dir / "ro.c", 0o644)  # nobody can read it but not write the directory
    r = world.run("fix", "--write", "--symbols", world.map, "ro.c")
    assert r.rc == 2
    assert "ro.c: error: Permission denied; not written" in r.err
    assert (world.dir / "ro.c").read_bytes() == SYSMAP.read_bytes()
    assert [p.name for p in world.dir.iterdir() if p.name.startswith(".probe-migrator")] == []
    r = world.run("fix", "--patch-dir", "series", "--symbols", world.map, "ro.c")
    assert r.rc == 2 and "series: error: Permission denied; the series is incomplete" in r.err


def test_directory_named_like_a_source_file(tmp_path):
    module(tmp_path / "x.c" / "inner.c", LITERAL)
    (tmp_path / "y.h").mkdir()
    r = pm("check", ".", cwd=tmp_path)
    assert r.rc == 1 and r.out.startswith("./x.c/inner.c:" + LITERAL_AT)
    assert "is a directory" not in r.err
    r = pm("check", "x.c", "y.h", cwd=tmp_path)
    assert r.rc == 1 and r.out.startswith("x.c/inner.c:" + LITERAL_AT)
    r = pm("fix", "--symbols", str(MAP), "x.c", cwd=tmp_path)
    assert r.rc == 1 and r.out.startswith("diff --git a/x.c/inner.c b/x.c/inner.c\n")
    assert '+\tkp.symbol_name = "kernel_clone";' in r.out


def test_symlinked_source_is_written_through_not_replaced(tmp_path):
    shutil.copy(SYSMAP, tmp_path / "real.c")
    (tmp_path / "sub").mkdir()
    os.symlink("../real.c", tmp_path / "sub" / "link.c")
    r = pm("fix", "--write", "--symbols", str(MAP), ".", cwd=tmp_path)
    assert r.rc == 1, r.err
    assert os.path.islink(tmp_path / "sub" / "link.c")
    assert (tmp_path / "real.c").read_bytes() == fixed(SYSMAP)
    assert r.err.count("fixed 1 finding(s)") == 1


# -- symbol maps ---------------------------------------------------------------------------------------

def _gz(data: bytes) -> bytes:
    return gzip.compress(data)


MAPS = {
    # file name: (content or None for a directory, message after "probe-migrator: error: NAME: ")
    "garbage.map": (b"garbage\nmore garbage\n", "no text symbols found (first unreadable line 1: 'garbage')"),
    "empty.map": (b"", "no text symbols found"),
    "comments.map": (b"# nothing but comments\n\n", "no text symbols found"),
    "data-only.map": (b"ffffffff82000000 D some_data\nffffffff82000010 b bss\n", "no text symbols found"),
    "binary.map": (b"\x7fELF\x02\x01\x01\0" + bytes(range(256)) * 4, "no text symbols found (first unreadable line 1: "),
    "mostly-garbage.map": (b"ffffffff81000000 T _text\n" + b"zz\n" * 5, "does not look like a symbol map (5 unreadable "
                           "lines, first at line 2: 'zz')"),
    "truncated.map.gz": (_gz(b"".join(b"%016x T f%d\n" % (0xffffffff81000000 + 16 * i, i * i) for i in range(5000)))
                         [:2000], "not a readable gzip file"),
    "not-gzip.map.gz": (b"ffffffff81000000 T _text\n", "Not a gzipped file"),
    "corrupt.map.gz": (_gz(b"ffffffff81000000 T _text\n")[:10] + b"\xff" * 40, "not a readable gzip file"),
    "dir.map": (None, "Is a directory"),
}


@pytest.mark.parametrize("name", sorted(MAPS))
def test_malformed_symbol_maps(tmp_path, name):
    content, message = MAPS[name]
    if content is None:
        (tmp_path / name).mkdir()
    else:
        (tmp_path / name).write_bytes(content)
    shutil.copy(SYSMAP, tmp_path / "m.c")
    r = pm("fix", "--write", "--symbols", name, "m.c", cwd=tmp_path)
    assert r.rc == 2
    assert r.err.startswith(f"probe-migrator: error: {name}: {message}"), r.err
    assert r.out == ""
    assert (tmp_path / "m.c").read_bytes() == SYSMAP.read_bytes()


def test_missing_symbol_map(tmp_path):
    shutil.copy(SYSMAP, tmp_path / "m.c")
    r = pm("fix", "--symbols", "gone.map", "m.c", cwd=tmp_path)
    assert r.rc == 2 and r.err == "probe-migrator: error: gone.map: No such file or directory\n"


def test_symbol_map_with_absurd_addresses_refuses_the_fix(tmp_path):
    (tmp_path / "odd.map").write_bytes(b"ffffffffffffffffffffffffffffffff T huge\n0 T zero\n")
    shutil.copy(SYSMAP, tmp_path / "m.c")
    r = pm("fix", "--write", "--symbols", "odd.map", "m.c", cwd=tmp_path)
    assert r.rc == 0
    assert "m.c:37:12: note: not fixed [addr-literal]: 0xffffffff81363fb1 is outside the kernel text" in r.err
    assert (tmp_path / "m.c").read_bytes() == SYSMAP.read_bytes()


# -- configuration --------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, message", [
    ('max-bytes = "lots"', "max-bytes must be a positive integer"),
    ("max-bytes = -1", "max-bytes must be a positive integer"),
    ('severity = "x"', "severity must be a table of rule = level"),
    ("timeout-per-file = 0", "timeout-per-file must be a positive number of seconds"),
    ('timeout-per-file = "1s"', "timeout-per-file must be a positive number of seconds"),
    ("[[[", "Invalid initial character"),
    ("colour = 1", "unknown [tool.probe-migrator] keys: colour"),
], ids=["max-bytes-string", "max-bytes-negative", "severity-string", "timeout-zero", "timeout-string",
        "not-toml", "unknown-key"])
def test_malformed_configuration_is_a_usage_error(tmp_path, body, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.probe-migrator]\n{body}\n")
    module(tmp_path / "real.c", LITERAL)
    for cmd in ("check", "fix"):
        r = pm(cmd, "real.c", cwd=tmp_path)
        assert r.rc == 2 and "pyproject.toml: " in r.err and message in r.err, (cmd, r.err)


def test_limits_from_the_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.probe-migrator]\nmax-bytes = 4000000\ntimeout-per-file = 0.5\n")
    module(tmp_path / "slow.c", SYSMAP.read_bytes() * 2400)  # under 4 MB, seconds of analysis
    module(tmp_path / "big.c", SYSMAP.read_bytes() * 2600)  # over 4 MB
    module(tmp_path / "real.c", LITERAL)
    r = pm("check", ".", cwd=tmp_path, timeout=60)
    assert r.rc == 1 and r.out.startswith("./real.c:" + LITERAL_AT)
    assert "./slow.c: warning: skipped: analysis took longer than 0.5 s (--timeout-per-file) [limit]" in r.err
    assert "./big.c: warning: skipped: 4204200 bytes is over the 4000000-byte limit (--max-bytes) [limit]" in r.err
    r = pm("check", "--max-bytes", "100", "--timeout-per-file", "30", "slow.c", "real.c", cwd=tmp_path, timeout=60)
    assert r.rc == 0 and "over the 100-byte limit" in r.err  # the command line wins


# -- patches (check --diff) ------------------------------------------------------------------------------

def _has_diff() -> bool:
    r = subprocess.run([sys.executable, "-m", "migrator", "check", "--help"], capture_output=True, text=True,
                       cwd=str(ROOT))
    return "--diff" in r.stdout


needs_diff = pytest.mark.skipif(not _has_diff(), reason="check --diff is not there yet")

ESCAPING = b"""\
diff --git a/../outside.c b/../outside.c
--- a/../outside.c
+++ b/../outside.c
@@ -1,1 +1,3 @@
 #include <linux/kprobes.h>
+static struct kprobe kp;
+int f(void){ kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60; return register_kprobe(&kp);}
diff --git a//etc/abs.c b//etc/abs.c
--- /etc/abs.c
+++ /etc/abs.c
@@ -1,1 +1,2 @@
 #include <linux/kprobes.h>
+static struct kprobe kp2 = { .addr = (kprobe_opcode_t *)0xffffffff810a0a60 };
"""


@needs_diff
def test_diff_paths_that_escape_the_root_are_refused(tmp_path):
    root = tmp_path / "root"
    module(root / "keep.c", b"int x;\n")
    module(tmp_path / "outside.c", b"#include <linux/kprobes.h>\n")
    r = pm("check", "--diff", "-", cwd=root, stdin=ESCAPING)
    assert r.rc == 2
    assert "../outside.c: error: path in the patch leaves the root ('..'); refusing it" in r.err
    assert "/etc/abs.c: error: absolute path in the patch; refusing to look outside the root" in r.err
    assert r.out == ""


@needs_diff
def test_diff_through_a_symlink_out_of_the_root_reads_only_the_hunks(tmp_path):
    root = tmp_path / "root"
    module(tmp_path / "out" / "secret.c", b"int x;\n")
    root.mkdir()
    os.symlink("../out/secret.c", root / "link.c")
    patch = ESCAPING.split(b"diff --git a//etc")[0].replace(b"../outside.c", b"link.c").replace(
        b" #include <linux/kprobes.h>\n", b" int x;\n")
    r = pm("check", "-v", "--diff", "-", cwd=root, stdin=patch)
    assert r.rc == 1
    assert "link.c: info: analysed the hunks only: the post-image resolves outside the root (symbolic link)" in r.err
    assert r.out.startswith("link.c:3:17: error: kprobe address hard-coded as 0xffffffff810a0a60")


@needs_diff
@pytest.mark.parametrize("patch, message", [
    (os.urandom(4096).replace(b"\n---", b"") + b"\n", "no unified diff found in the input"),
    (b"", None),
    (b"--- a/mod.c\n+++ b/mod.c\n@@ -1,10 +1,30 @@\n int x;\n+static struct kprobe kp;\n",
     "malformed patch: Hunk is shorter than expected"),
    (b"--- a/mod.c\n+++ b/mod.c\n@@ garbage @@\n int x;\n+static struct kprobe kp = { .addr = (void *)0x10 };\n",
     "malformed patch: hunk header '@@ garbage @@' is not"),
], ids=["random-bytes", "empty", "short-hunk", "garbage-hunk-header"])
def test_malformed_patches(tmp_path, patch, message):
    r = pm("check", "--diff", "-", cwd=tmp_path, stdin=patch)
    if message is None:
        assert r.rc == 0
    else:
        assert r.rc == 2 and f"<stdin>: error: {message}" in r.err


# -- a tree mixing all of it with real violations ---------------------------------------------------------

def test_hostile_tree_still_reports_the_real_violations(tmp_path):
    t = tmp_path / "tree"
    shutil.copy(KPOKE, _mk(t / "drivers" / "kpoke.c"))
    shutil.copy(SYSMAP, _mk(t / "drivers" / "crlf.c"))
    module(t / "junk" / "blob.c", b"\x7fELF\0\0" + LITERAL * 3)
    module(t / "junk" / "empty.c", b"")
    module(t / "junk" / "latin.h", b"/* \xe9\xff */\n" + LITERAL)
    module(t / "junk" / "deep.c", deep("parens", 50000))
    module(t / "junk" / "unterminated.c", b"/* kprobe never closed\n")
    module(t / "junk" / "huge.c", b"/* kprobe */\n" + b" " * 300_000)
    module(t / "x.c" / "ok.h", b"")
    os.symlink("loop.c", t / "junk" / "loop.c")
    os.symlink("gone.c", t / "junk" / "dangling.c")
    os.mkfifo(t / "junk" / "pipe.c")
    r = pm("check", "--max-bytes", "200000", "tree", cwd=tmp_path, timeout=300)
    assert r.rc == 2  # two files could not be read
    assert_reports_kpoke(r, "tree/drivers/kpoke.c")
    assert "tree/drivers/crlf.c:37:12: error: kprobe address hard-coded as 0xffffffff81363fb1" in r.out
    assert "tree/junk/latin.h:6:5: error: kprobe address hard-coded as 0xffffffff810a0a60" in r.out
    assert "tree/junk/deep.c:5:5: error: kprobe address hard-coded as 0xffffffff810a0a60" in r.out
    assert "tree/junk/blob.c: warning: skipped: binary file (NUL bytes) [skip]" in r.err
    assert "tree/junk/huge.c: warning: skipped: 300013 bytes is over the 200000-byte limit (--max-bytes) [limit]" \
        in r.err
    assert "tree/junk/pipe.c: warning: skipped: not a regular file [skip]" in r.err
    assert "tree/junk/loop.c: error: Too many levels of symbolic links [io]" in r.err
    assert "tree/junk/dangling.c: error: dangling symbolic link" in r.err
    assert "6 findings in 12 files (4 analysed), 2 could not be read" in r.err
    # without the unreadable ones, findings decide the exit code
    os.unlink(t / "junk" / "loop.c")
    os.unlink(t / "junk" / "dangling.c")
    r = pm("check", "--max-bytes", "200000", "--format", "json", "tree", cwd=tmp_path, timeout=300)
    assert r.rc == 1
    import json

    got = sorted((f["path"], f["line"], f["rule"]) for f in json.loads(r.out))
    assert ("tree/drivers/crlf.c", 37, "addr-literal") in got and len(got) == 6
    # and fix over the same tree migrates what it can, leaving every hostile file as it was
    before = {p: p.read_bytes() for p in t.rglob("*") if p.is_file() and not p.is_symlink()
              and not stat.S_ISFIFO(p.stat().st_mode)}
    r = pm("fix", "--write", "--max-bytes", "200000", "--symbols", str(MAP), "tree", cwd=tmp_path, timeout=300)
    assert r.rc == 1
    latin = t / "junk" / "latin.h"
    assert latin.read_bytes() == before.pop(latin).replace(
        b"kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;", b'kp.symbol_name = "kernel_clone";')
    for p, data in before.items():
        want = {"crlf.c": fixed(SYSMAP), "kpoke.c": fixed(KPOKE)}.get(p.name, data)
        assert p.read_bytes() == want, p


def _mk(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# -- time ------------------------------------------------------------------------------------------------

def slow_module() -> bytes:
    """~5 MB of probe code: several seconds of analysis, under the default size limit."""
    return SYSMAP.read_bytes() * 3000


def test_timeout_per_file_keeps_a_pathological_file_from_stalling_check(tmp_path):
    module(tmp_path / "slow.c", slow_module())
    module(tmp_path / "real.c", LITERAL)
    r = pm("check", "--timeout-per-file", "0.5", "-j", "1", ".", cwd=tmp_path, timeout=60)
    assert r.rc == 1
    assert "./slow.c: warning: skipped: analysis took longer than 0.5 s (--timeout-per-file) [limit]" in r.err
    assert r.out.startswith("./real.c:" + LITERAL_AT)
    assert r.seconds < 12, r.seconds  # the whole file takes ~15 s


def test_timeout_per_file_in_worker_processes(tmp_path):
    for i in range(70):  # enough files for the worker pool
        shutil.copy(KPOKE, tmp_path / f"m{i:02d}.c")
    module(tmp_path / "slow.c", slow_module())
    r = pm("check", "-j", "2", "--timeout-per-file", "0.5", "--format", "json", ".", cwd=tmp_path, timeout=120)
    assert r.rc == 1
    assert "./slow.c: warning: skipped: analysis took longer than 0.5 s (--timeout-per-file) [limit]" in r.err
    import json

    assert len(json.loads(r.out)) == 70 * 3
    assert r.seconds < 30, r.seconds


def test_timeout_per_file_in_fix_leaves_the_file_alone(tmp_path):
    module(tmp_path / "slow.c", slow_module())
    shutil.copy(SYSMAP, tmp_path / "m.c")
    r = pm("fix", "--write", "--timeout-per-file", "0.5", "--symbols", str(MAP), ".", cwd=tmp_path, timeout=60)
    assert r.rc == 1
    assert "./slow.c: warning: skipped: analysis took longer than 0.5 s (--timeout-per-file)" in r.err
    assert (tmp_path / "slow.c").read_bytes() == slow_module()
    assert (tmp_path / "m.c").read_bytes() == fixed(SYSMAP)
    assert r.seconds < 15, r.seconds


def test_timeout_per_file_must_be_positive(tmp_path):
    r = pm("check", "--timeout-per-file", "0", ".", cwd=tmp_path)
    assert r.rc == 2 and "--timeout-per-file" in r.err


def test_timer_is_disarmed_and_the_handler_restored():
    import signal

    from migrator.check.engine import Options, check_bytes
    from migrator.check.registry import all_rules

    before = signal.getsignal(signal.SIGALRM)
    opts = Options(rules=list(all_rules()), timeout_per_file=0.2)
    r = check_bytes("m.c", LITERAL, opts)
    assert [f.rule for f in r.findings] == ["addr-literal"]
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
    r = check_bytes("slow.c", slow_module(), opts)
    assert [d.kind for d in r.diagnostics] == ["limit"] and r.findings == []
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
