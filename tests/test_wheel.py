"""What users install: build the wheel, install it into a clean venv, run the corpus through the
installed ``probe-migrator`` and compare with the expectations (rules must be inside the wheel)."""

from __future__ import annotations

import json
import os
import subprocess

from conftest import CORPUS, corpus_modules, read_expected


def test_wheel_contains_rules(installed_wheel):
    import zipfile

    names = zipfile.ZipFile(installed_wheel.wheel).namelist()
    assert "migrator/rules/addr_literal.py" in names
    assert not [n for n in names if n.startswith("rules/")]  # no bare top-level "rules" package


def test_installed_tool_reproduces_the_corpus(installed_wheel, tmp_path):
    exe = installed_wheel.exe
    # run outside the source tree so nothing can be imported from it
    r = subprocess.run([str(exe), "check", str(CORPUS), "--format", "json"], capture_output=True, text=True,
                       cwd=str(tmp_path), timeout=600, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert r.returncode == 1, r.stderr
    got: dict[str, list[tuple[int, int, str, bool]]] = {}
    for f in json.loads(r.stdout):
        got.setdefault(os.path.realpath(f["path"]), []).append(
            (f["line"], f["column"], f["rule"], f["severity"] == "info"))
    for module in corpus_modules():
        assert sorted(got.get(os.path.realpath(module), [])) == read_expected(module.with_suffix(".expected")), module
