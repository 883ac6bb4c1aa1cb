"""The result cache key covers the tool's code (every module, front ends and rules included), the
pycparser and Python versions and the configuration."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

from conftest import ROOT

from migrator.check import cache
from migrator.check.engine import Options, check_bytes
from migrator.check.registry import all_rules

TRACEFS = b"#!/bin/sh\necho 'p:kp/openat 0xffffffff81363fb1' >> /sys/kernel/tracing/kprobe_events\n"


def test_package_files_cover_every_module():
    files = {os.path.relpath(os.path.realpath(f), ROOT) for f in cache.package_files()}
    for d in ("migrator", "migrator/check", "migrator/core", "migrator/output", "migrator/frontends/c",
              "migrator/frontends/python", "migrator/frontends/text", "migrator/fix", "rules"):
        on_disk = {os.path.join(d, n) for n in os.listdir(ROOT / d) if n.endswith(".py")}
        assert on_disk and on_disk <= files, sorted(on_disk - files)
    assert not any("__pycache__" in f for f in files)


def test_fingerprint_changes_with_a_front_end_module(tmp_path):
    copy = tmp_path / "shell.py"
    shutil.copy2(ROOT / "migrator" / "frontends" / "text" / "shell.py", copy)
    files = [str(copy)]
    before = cache.fingerprint_of(files, "3.0")
    assert cache.fingerprint_of(files, "3.0") == before
    st = copy.stat()
    copy.write_bytes(copy.read_bytes().replace(b"def ", b"def  ", 1))  # other size
    assert cache.fingerprint_of(files, "3.0") != before
    copy.write_bytes(copy.read_bytes().replace(b"def  ", b"def ", 1))
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert cache.fingerprint_of(files, "3.0") == before
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # same size, edited later
    assert cache.fingerprint_of(files, "3.0") != before
    assert cache.fingerprint_of(files, "3.1") != cache.fingerprint_of(files, "3.0")  # another pycparser


def test_pycparser_version_is_read_without_importing_it():
    version = cache._pycparser_version()
    import pycparser

    assert version.startswith(pycparser.__version__ + "@")


def test_cached_result_is_invalidated_when_a_front_end_module_changes(tmp_path, monkeypatch):
    front = tmp_path / "tracefs.py"
    shutil.copy2(ROOT / "migrator" / "frontends" / "text" / "tracefs.py", front)
    monkeypatch.setattr(cache, "package_files", lambda: [str(front)])
    monkeypatch.setattr(cache, "_CODE", [])
    opts = Options(rules=list(all_rules()), cache_dir=str(tmp_path / "cache"))
    first = check_bytes("t.sh", TRACEFS, opts)
    assert [f.rule for f in first.findings] == ["tracefs-addr"]
    (entry,) = (tmp_path / "cache").rglob("*.json")
    data = json.loads(entry.read_text())
    data["findings"][0]["message"] = "served from the cache"
    entry.write_text(json.dumps(data))
    assert check_bytes("t.sh", TRACEFS, opts).findings[0].message == "served from the cache"
    front.write_text(front.read_text() + "\n# edited\n")
    monkeypatch.setattr(cache, "_CODE", [])  # a new process
    third = check_bytes("t.sh", TRACEFS, opts)
    assert third.findings[0].message == first.findings[0].message


def test_edited_front_end_in_an_installed_copy_is_not_served_stale(tmp_path):
    """End to end, as a wheel lays the package out: migrator/ with rules/ inside it."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "migrator", site / "migrator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "rules", site / "migrator" / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    work = tmp_path / "work"
    work.mkdir()
    (work / "t.sh").write_bytes(TRACEFS)
    env = {**os.environ, "PYTHONPATH": str(site), "PROBE_MIGRATOR_CACHE_DIR": str(tmp_path / "cache")}

    def check() -> list[dict[str, object]]:
        r = subprocess.run([sys.executable, "-c", "import migrator, sys; assert migrator.__file__.startswith("
                            f"{str(site)!r}), migrator.__file__; from migrator.cli.main import main; "
                            "main(['check', '--format', 'json', 't.sh'])"],
                           cwd=str(work), env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 1, r.stderr
        return json.loads(r.stdout)

    first = check()
    (entry,) = (tmp_path / "cache").rglob("*.json")
    data = json.loads(entry.read_text())
    data["findings"][0]["message"] = "served from the cache"
    entry.write_text(json.dumps(data))
    assert check()[0]["message"] == "served from the cache"
    for module in ("migrator/frontends/text/tracefs.py", "migrator/frontends/python/front.py"):
        path = site / module
        path.write_text(path.read_text() + "\n# edited\n")
        assert check() == first, module
        entries = list((tmp_path / "cache").rglob("*.json"))
        for e in entries:
            e.write_text(e.read_text().replace(first[0]["message"], "served from the cache"))
        assert check()[0]["message"] == "served from the cache"


def test_fingerprint_is_cheap():
    files = cache.package_files()
    t = time.perf_counter()
    cache.fingerprint_of(cache.package_files(), cache._pycparser_version())
    elapsed = time.perf_counter() - t
    assert len(files) > 50 and elapsed < 0.5, elapsed
