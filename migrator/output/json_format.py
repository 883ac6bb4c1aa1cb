"""Findings as a JSON array (``--format json``); columns are 1-based byte columns, as in the text format."""

from __future__ import annotations

import json
from typing import TextIO

from migrator.check.engine import FileResult
from migrator.core.findings import Finding


def finding_dict(f: Finding) -> dict[str, object]:
    return {
        "path": f.path, "line": f.line, "column": f.column, "end_line": f.end_line,
        "end_column": f.end_column, "rule": f.rule, "code": f.code, "severity": f.severity.label,
        "message": f.message, "fixable": f.fixable, "notes": f.notes, "context": f.context,
        "related": [{"line": r.line, "column": r.column, "end_line": r.end_line, "end_column": r.end_column,
                     "message": r.message} for r in f.related],
    }


def write(results: list[FileResult], out: TextIO) -> None:
    from migrator.fix.fixability import annotate  # JSON and SARIF only: the text path never loads fix code

    annotate(results)
    json.dump([finding_dict(f) for r in results for f in r.findings], out, indent=2)
    out.write("\n")
