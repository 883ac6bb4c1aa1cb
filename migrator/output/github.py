"""Findings as GitHub Actions workflow commands (``::error file=...,line=...::message``)."""

from __future__ import annotations

from typing import TextIO

from migrator.check.engine import FileResult
from migrator.core.findings import Severity

GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def write(results: list[FileResult], out: TextIO) -> None:
    for r in results:
        out.writelines(f"::{GITHUB_LEVEL[f.severity]} file={_property(f.path)},line={f.line},col={f.column},"
                       f"endLine={f.end_line},endColumn={f.end_column},title={_property(f.rule + ' (' + f.code + ')')}::"
                       f"{_data(f.message)}\n" for f in r.findings)
