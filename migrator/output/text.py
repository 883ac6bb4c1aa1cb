"""Findings as gcc-style text, with the source line and a caret under the finding."""

from __future__ import annotations

from typing import TextIO

from migrator.check.engine import FileResult
from migrator.output.common import diagnostics

__all__ = ["diagnostics", "write"]


def write(results: list[FileResult], out: TextIO, show_source: bool = True) -> None:
    for r in results:
        for f in r.findings:
            out.write(f"{f.path}:{f.line}:{f.column}: {f.severity.label}: {f.message} [{f.rule}]\n")
            if show_source and r.source is not None:
                line = r.source.line_text(f.line)
                start = f.start - r.source.line_starts[f.line - 1]
                pad = "".join("\t" if ch == "\t" else " " for ch in line[:start])
                width = max(1, min(f.end, r.source.line_starts[f.line - 1] + len(line)) - f.start)
                out.write(f" {f.line:5d} | {line}\n       | {pad}^{'~' * (width - 1)}\n")
            out.writelines(f"{f.path}:{f.line}:{f.column}: note: {note}\n" for note in f.notes)
            out.writelines(f"{f.path}:{r.line}:{r.column}: note: {r.message}\n" for r in f.related)
