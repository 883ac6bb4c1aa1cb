"""A content-addressed cache of per-file results: key = file bytes + tool version + configuration.

The location follows the platform convention ($XDG_CACHE_HOME or ~/.cache on Linux,
~/Library/Caches on macOS, %LOCALAPPDATA% on Windows), overridable with PROBE_MIGRATOR_CACHE_DIR
or --cache-dir. Entries are written atomically, so a killed run never leaves a torn entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from typing import Any

from migrator import __version__
from migrator.core.findings import Diagnostic, Finding, Severity


def default_dir() -> str:
    env = os.environ.get("PROBE_MIGRATOR_CACHE_DIR")
    if env:
        return env
    if sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    elif os.name == "nt":
        base = os.environ.get("LOCALAPPDATA", os.path.expanduser("~"))
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "probe-migrator")


_CODE: list[str] = []


def code_fingerprint() -> str:
    """The version plus the size and mtime of every module of the tool, so an edited checkout
    never reads results an older build of the code wrote."""
    if not _CODE:
        here = os.path.dirname(os.path.abspath(__file__))
        import migrator.rules as rules_pkg

        dirs = [here, os.path.join(here, "c"), *list(rules_pkg.__path__)]
        h = hashlib.blake2b(__version__.encode(), digest_size=12)
        for d in dirs:
            try:
                names = sorted(os.listdir(d))
            except OSError:
                continue
            for n in names:
                if n.endswith(".py"):
                    st = os.stat(os.path.join(d, n))
                    h.update(f"{n}:{st.st_size}:{st.st_mtime_ns};".encode())
        _CODE.append(h.hexdigest())
    return _CODE[0]


def key(data: bytes, config: str) -> str:
    h = hashlib.blake2b(data, digest_size=20)
    h.update(b"\0" + code_fingerprint().encode() + b"\0" + config.encode())
    return h.hexdigest()


class Cache:
    def __init__(self, directory: str) -> None:
        self.dir = os.path.join(directory, "v1")

    def _path(self, k: str) -> str:
        return os.path.join(self.dir, k[:2], k[2:] + ".json")

    def get(self, k: str, path: str) -> tuple[list[Finding], list[Diagnostic], int, int] | None:
        try:
            with open(self._path(k), encoding="utf-8") as fh:
                raw = json.load(fh)
        except (OSError, ValueError):
            return None
        try:
            findings = [_finding(path, f) for f in raw["findings"]]
            diags = [_diagnostic(path, d) for d in raw["diagnostics"]]
            return findings, diags, int(raw["total"]), int(raw["parsed"])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, k: str, findings: list[Finding], diags: list[Diagnostic], total: int, parsed: int) -> None:
        entry = {
            "findings": [_finding_dict(f) for f in findings],
            "diagnostics": [_diag_dict(d) for d in diags if d.kind not in ("io", "internal", "limit")],
            "total": total,
            "parsed": parsed,
        }
        target = self._path(k)
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh)
            os.replace(tmp, target)
        except OSError:
            pass  # a cache that cannot be written is only slower


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {"line": f.line, "column": f.column, "end_line": f.end_line, "end_column": f.end_column,
            "rule": f.rule, "code": f.code, "severity": f.severity.name, "message": f.message,
            "start": f.start, "end": f.end, "notes": f.notes, "fixable": f.fixable}


def _finding(path: str, d: dict[str, Any]) -> Finding:
    return Finding(path=path, line=d["line"], column=d["column"], end_line=d["end_line"],
                   end_column=d["end_column"], rule=d["rule"], code=d["code"], severity=Severity[d["severity"]],
                   message=d["message"], start=d["start"], end=d["end"], site=d["start"], notes=list(d["notes"]))


def _diag_dict(d: Diagnostic) -> dict[str, Any]:
    return {"line": d.line, "column": d.column, "severity": d.severity.name, "kind": d.kind,
            "message": d.message, "end_line": d.end_line}


def _diagnostic(path: str, d: dict[str, Any]) -> Diagnostic:
    return Diagnostic(path, d["line"], d["column"], Severity[d["severity"]], d["kind"], d["message"], d["end_line"])
