"""A content-addressed cache of per-file results: key = file bytes + the tool's code + configuration.

The code part (``code_fingerprint``) covers every module of the package, the pycparser and Python
versions; the configuration part is ``Options.config_key()`` (the rules and severities).

The location follows the platform convention ($XDG_CACHE_HOME or ~/.cache on Linux,
~/Library/Caches on macOS, %LOCALAPPDATA% on Windows), overridable with PROBE_MIGRATOR_CACHE_DIR
or --cache-dir. Entries are written atomically, so a killed run never leaves a torn entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from typing import Any

from migrator import __version__
from migrator.core import atomic
from migrator.core.findings import Diagnostic, Finding, Related, Severity


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


def package_files() -> list[str]:
    """Every module of the tool: the .py files under the migrator package directory, at any depth
    (check, core, frontends/c, frontends/python, frontends/text, fix, ...), and under the rules
    package (``rules/`` in a checkout, inside the package in a wheel)."""
    import migrator
    import migrator.rules as rules_pkg

    roots = [*migrator.__path__, *rules_pkg.__path__]
    files: dict[str, str] = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
            for n in filenames:
                if n.endswith(".py"):
                    path = os.path.join(dirpath, n)
                    files.setdefault(os.path.realpath(path), path)
    return sorted(files.values())


def _pycparser_version() -> str:
    """pycparser's __version__, read from its source: importing it or importlib.metadata would
    cost more than the rest of the key (metadata alone is ~100 ms)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("pycparser")
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin is None:
        return "none"
    try:
        with open(spec.origin, encoding="utf-8") as fh:
            head = fh.read(8192)
    except OSError:
        return "unreadable"
    m = re.search(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", head, re.M)
    return f"{m.group(1) if m else '?'}@{spec.origin}"


def fingerprint_of(files: list[str], pycparser: str) -> str:
    """Tool version, Python version (the Python front end uses its ast and tokenize), pycparser
    version and the (path, size, mtime_ns) of every file: a cheap stand-in for their contents."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{__version__}\0{sys.implementation.name}{sys.hexversion:x}\0pycparser {pycparser}\0".encode())
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            h.update(f"{path}\0missing\n".encode("utf-8", "surrogateescape"))
            continue
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


_CODE: list[str] = []


def code_fingerprint() -> str:
    """The fingerprint of the installed tool, computed once per process, so that an edited
    checkout (any module, front ends and rules included) or another pycparser never reads results
    an older build wrote."""
    if not _CODE:
        _CODE.append(fingerprint_of(package_files(), _pycparser_version()))
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
            atomic.replace(target, json.dumps(entry).encode("utf-8"), mode=None)
        except OSError:
            pass  # a cache that cannot be written is only slower


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {"line": f.line, "column": f.column, "end_line": f.end_line, "end_column": f.end_column,
            "rule": f.rule, "code": f.code, "severity": f.severity.name, "message": f.message,
            "start": f.start, "end": f.end, "notes": f.notes, "fixable": f.fixable,
            "related": [[r.line, r.column, r.end_line, r.end_column, r.message, r.start, r.end] for r in f.related],
            "context": f.context}


def _finding(path: str, d: dict[str, Any]) -> Finding:
    return Finding(path=path, line=d["line"], column=d["column"], end_line=d["end_line"],
                   end_column=d["end_column"], rule=d["rule"], code=d["code"], severity=Severity[d["severity"]],
                   message=d["message"], start=d["start"], end=d["end"], site=d["start"], notes=list(d["notes"]),
                   related=[Related(*r) for r in d.get("related", [])], context=d.get("context", ""))


def _diag_dict(d: Diagnostic) -> dict[str, Any]:
    return {"line": d.line, "column": d.column, "severity": d.severity.name, "kind": d.kind,
            "message": d.message, "end_line": d.end_line}


def _diagnostic(path: str, d: dict[str, Any]) -> Diagnostic:
    return Diagnostic(path, d["line"], d["column"], Severity[d["severity"]], d["kind"], d["message"], d["end_line"])
