"""What several report formats share: the path form of a result and the diagnostics on stderr."""

from __future__ import annotations

from typing import TextIO

from migrator.check.engine import FileResult
from migrator.core.findings import Severity


def display_path(path: str) -> str:
    """``path`` with forward slashes and without a leading ``./``: how reports name a file."""
    return path.replace("\\", "/").removeprefix("./")


def diagnostics(results: list[FileResult], out: TextIO, include_info: bool) -> None:
    """Diagnostics about the input (unreadable, skipped, unparsed), gcc style; INFO only if asked."""
    for r in results:
        for d in r.diagnostics:
            if d.severity == Severity.INFO and not include_info:
                continue
            where = f"{d.path}:{d.line}:{d.column}:" if d.line else f"{d.path}:"
            out.write(f"{where} {d.severity.label}: {d.message} [{d.kind}]\n")
