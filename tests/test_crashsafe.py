"""Crash-safe writes (issue 7): ``fix --write`` and ``fix --patch-dir`` killed with SIGKILL at random
points leave every file old or new, never partial, and never anything but their own temp files.

A real ``python -m migrator fix`` subprocess runs over a copy of the corpus. Half of the kills come
after a random delay anywhere in the run, half right after the first write shows up on disk (so
the write phase, which is a few per cent of the run, is hit every time). ``PM_CRASH_ITERATIONS``
sets the number of kills per test (default 12).

Temp files (``.probe-migrator-PID-*``) may remain after a SIGKILL; the next run that writes into the
directory removes those whose process is gone (tested below). They
are hidden, never end in a suffix the walker reads, and never replace a real file; the tests count
them and check that a later run completes the migration regardless.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import CORPUS, ROOT

MAP = CORPUS / "maps" / "debian-6.1.0-56-amd64.kallsyms.gz"
ITERATIONS = int(os.environ.get("PM_CRASH_ITERATIONS", "12"))
TEMP = ".probe-migrator-"

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


def copy_corpus(dest):
    # corpus/wild holds shapes scored by tests/test_wild.py, not migration examples
    shutil.copytree(CORPUS, dest / "corpus", ignore=shutil.ignore_patterns("*.fixed", "*.expected", "maps", "wild"))
    return dest


def snapshot(root) -> dict[str, bytes]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = os.path.join(dirpath, name)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def expected_after() -> dict[str, bytes]:
    """Relative path -> what fix --write makes of it (the .fixed file next to it, else unchanged)."""
    out = {}
    for rel, data in snapshot(CORPUS).items():
        if rel.endswith((".fixed", ".expected")) or rel.startswith(("maps" + os.sep, "wild" + os.sep)):
            continue
        fixed = CORPUS / (rel + ".fixed")
        out[os.path.join("corpus", rel)] = fixed.read_bytes() if fixed.exists() else data
    return out


def launch(args: list[str], cwd) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PROBE_MIGRATOR_CACHE_DIR=str(cwd.parent / f"{cwd.name}.cache"))
    return subprocess.Popen([sys.executable, "-m", "migrator", *args], cwd=str(cwd), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def dir_mtimes(root) -> dict[str, int]:
    return {d: os.stat(d).st_mtime_ns for d, _s, _f in os.walk(root)}


def kill_at(proc: subprocess.Popen[bytes], root, mode: str, delay: float, rng: random.Random) -> str:
    """SIGKILL ``proc`` after ``delay`` s ("delay") or just after the first write appears ("write")."""
    if mode == "delay":
        time.sleep(delay)
    else:
        before = dir_mtimes(root)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline and dir_mtimes(root) == before:
            pass
        time.sleep(rng.uniform(0, 0.02))
    state = "finished" if proc.poll() is not None else "killed"
    if state == "killed":
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    return state


@pytest.fixture(scope="module")
def full_run_seconds(tmp_path_factory) -> float:
    """How long an uninterrupted fix --write takes, and that it gives the expected migration."""
    root = copy_corpus(tmp_path_factory.mktemp("full"))
    start = time.monotonic()
    p = launch(["fix", "--write", "--symbols", str(MAP), "corpus"], root)
    _out, err = p.communicate(timeout=300)
    took = time.monotonic() - start
    assert p.returncode == 1, err.decode()
    got = snapshot(root)
    want = expected_after()
    assert got == want, sorted(k for k in want if got.get(k) != want[k])
    return took


def test_fix_write_killed_anywhere_leaves_every_file_old_or_new(tmp_path, full_run_seconds):
    rng = random.Random(int(os.environ.get("PM_CRASH_SEED", "7")))
    original = {os.path.join("corpus", k): v for k, v in snapshot(CORPUS).items()
                if not k.endswith((".fixed", ".expected")) and not k.startswith(("maps" + os.sep, "wild" + os.sep))}
    want = expected_after()
    changed_files = {k for k in want if want[k] != original[k]}
    assert len(changed_files) >= 20
    stats = {"killed": 0, "finished": 0, "partial-tree": 0, "temp-files": 0}
    for n in range(ITERATIONS):
        root = copy_corpus(tmp_path / f"run{n}")
        modes = {k: os.stat(root / k).st_mode for k in original}
        mode = "delay" if n % 2 else "write"
        delay = rng.uniform(0, full_run_seconds * 1.1)
        proc = launch(["fix", "--write", "--symbols", str(MAP), "corpus"], root)
        stats[kill_at(proc, root, mode, delay, rng)] += 1
        now = snapshot(root)
        temps = [k for k in now if os.path.basename(k).startswith(TEMP)]
        stats["temp-files"] += len(temps)
        extra = set(now) - set(original) - set(temps)
        assert not extra, extra
        done = 0
        for k, old in original.items():
            assert k in now, f"{k} disappeared (run {n}, {mode} {delay:.3f}s)"
            assert now[k] in (old, want[k]), f"{k} is neither old nor new (run {n}, {mode} {delay:.3f}s)"
            assert os.stat(root / k).st_mode == modes[k], k
            done += now[k] != old
        if 0 < done < len(changed_files):
            stats["partial-tree"] += 1
        # a later run picks up where the killed one stopped, temp files or not
        if n % 6 == 0:
            p = launch(["fix", "--write", "--symbols", str(MAP), "corpus"], root)
            _o, err = p.communicate(timeout=300)
            assert p.returncode in (0, 1), err.decode()
            final = snapshot(root)
            assert all(final[k] == want[k] for k in original)
        shutil.rmtree(root)
    print(f"\nfix --write: {ITERATIONS} runs, full run {full_run_seconds:.2f}s, {stats}")
    assert stats["killed"] >= ITERATIONS // 2
    assert stats["partial-tree"] >= 1  # at least one kill landed between two files' writes


PATCH_NAME = re.compile(r"^\d{4}-[A-Za-z0-9._-]+\.patch$")  # as git format-patch names them


def _without_date(mail: bytes) -> bytes:
    return re.sub(rb"^Date: .*$", b"Date: -", mail, count=1, flags=re.M)


def test_patch_dir_killed_anywhere_leaves_only_complete_patches(tmp_path, full_run_seconds):
    rng = random.Random(int(os.environ.get("PM_CRASH_SEED", "11")))
    ref = copy_corpus(tmp_path / "ref")
    p = launch(["fix", "--patch-dir", "series", "--symbols", str(MAP), "corpus"], ref)
    _o, err = p.communicate(timeout=300)
    assert p.returncode == 1, err.decode()
    complete = {name: _without_date((ref / "series" / name).read_bytes()) for name in os.listdir(ref / "series")}
    assert len(complete) >= 20 and all(PATCH_NAME.match(n) for n in complete)
    sources = snapshot(ref / "corpus")
    stats = {"killed": 0, "finished": 0, "some-patches": 0, "temp-files": 0}
    for n in range(ITERATIONS):
        root = copy_corpus(tmp_path / f"run{n}")
        (root / "series").mkdir()  # watched for the first write
        proc = launch(["fix", "--patch-dir", "series", "--symbols", str(MAP), "corpus"], root)
        mode = "delay" if n % 2 else "write"
        stats[kill_at(proc, root / "series", mode, rng.uniform(0, full_run_seconds * 1.1), rng)] += 1
        names = os.listdir(root / "series")
        temps = [x for x in names if x.startswith(TEMP)]
        stats["temp-files"] += len(temps)
        patches = [x for x in names if not x.startswith(TEMP)]
        assert set(patches) <= set(complete), set(patches) - set(complete)
        for x in patches:
            assert _without_date((root / "series" / x).read_bytes()) == complete[x], f"{x} is partial (run {n})"
        if patches:
            stats["some-patches"] += 1
            numbers = sorted(int(x[:4]) for x in patches)
            assert numbers == list(range(1, len(numbers) + 1)), numbers  # written in order, none skipped
        assert snapshot(root / "corpus") == sources  # --patch-dir never touches the sources
        shutil.rmtree(root)
    print(f"\nfix --patch-dir: {ITERATIONS} runs, {stats}")
    assert stats["killed"] >= ITERATIONS // 2 and stats["some-patches"] >= 1


def test_file_changed_between_read_and_write_is_not_overwritten(tmp_path, monkeypatch, capsys):
    """The user saves the file while fix runs: fix --write must not clobber it."""
    from migrator.check.engine import Options
    from migrator.check.registry import all_rules
    from migrator.fix import command as fixcmd

    shutil.copy(CORPUS / "a" / "sysmap_openat.c", tmp_path / "m.c")
    shutil.copy(CORPUS / "a" / "kpoke.c", tmp_path / "other.c")
    target = tmp_path / "m.c"
    real_fix = fixcmd.fix_bytes

    def fix_then_user_edits(path, data, opts, symbols, *rest):  # type: ignore[no-untyped-def]
        ff = real_fix(path, data, opts, symbols, *rest)
        if path.endswith("m.c"):
            with open(path, "ab") as fh:
                fh.write(b"/* saved by the user meanwhile */\n")
        return ff

    monkeypatch.setattr(fixcmd, "fix_bytes", fix_then_user_edits)
    rc = fixcmd.run_fix([str(tmp_path)], Options(rules=list(all_rules())), str(MAP), True, None, True)
    assert rc == 2
    assert f"{target}: error: changed on disk since it was read; not written" in capsys.readouterr().err
    assert target.read_bytes() == (CORPUS / "a" / "sysmap_openat.c").read_bytes() + \
        b"/* saved by the user meanwhile */\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP)]


def test_temp_files_of_killed_runs_are_removed_by_the_next_write(tmp_path):
    """A SIGKILL during --write leaves .probe-migrator-PID-* behind; the next run that writes into
    that directory removes the ones whose process is gone, and no one else's."""
    target = tmp_path / "m.c"
    shutil.copy(CORPUS / "a" / "sysmap_openat.c", target)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"{TEMP}{int(dead.stdout)}-abc123"
    stale.write_bytes(b"half a file")
    alive = tmp_path / f"{TEMP}{os.getpid()}-def456"  # this test's process: still running
    alive.write_bytes(b"in use")
    other = tmp_path / f"{TEMP}notapid"
    other.write_bytes(b"not ours to judge")
    r = subprocess.run([sys.executable, "-m", "migrator", "fix", "--write", "--symbols", str(MAP), str(target)],
                       cwd=ROOT, capture_output=True)
    assert r.returncode in (0, 1), r.stderr.decode()
    assert target.read_bytes() == (CORPUS / "a" / "sysmap_openat.c.fixed").read_bytes()
    assert not stale.exists() and alive.exists() and other.exists()
