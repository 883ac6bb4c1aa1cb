"""Findings as SARIF 2.1.0 (``--format sarif``), for code-scanning dashboards."""

from __future__ import annotations

import hashlib
import json
from typing import TextIO

from migrator import __version__
from migrator.check.engine import FileResult
from migrator.check.registry import Rule
from migrator.core.findings import Diagnostic, Finding, Severity
from migrator.output.common import display_path

SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def write(results: list[FileResult], rules: list[Rule], out: TextIO) -> None:
    index = {r.name: i for i, r in enumerate(rules)}
    sarif_rules = [{
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.rationale.replace("\n", " ")},
        "help": {"text": r.rationale + "\n\nBad:\n" + r.bad + "\nGood:\n" + r.good,
                 "markdown": f"{r.rationale}\n\n**Bad**\n```c\n{r.bad}```\n**Good**\n```c\n{r.good}```\n"},
        "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
        "properties": {"tags": ["kprobes", "portability"]},
    } for r in rules]
    sarif_results = []
    for fr in results:
        for f in fr.findings:
            context = fr.source.line_text(f.line).strip() if fr.source else ""
            sarif_results.append({
                "ruleId": f.code,
                "ruleIndex": index.get(f.rule, 0),
                "level": SARIF_LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.path), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": f.line, "startColumn": f.column,
                               "endLine": f.end_line, "endColumn": f.end_column},
                }}],
                "partialFingerprints": {"primaryLocationLineHash/v1": _fingerprint(f, context)},
            })
    notifications = [_notification(d) for fr in results for d in fr.diagnostics]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "probe-migrator", "version": __version__, "semanticVersion": __version__,
                "informationUri": "https://pypi.org/project/probe-migrator/", "rules": sarif_rules,
            }},
            "invocations": [{"executionSuccessful": not any(
                d.kind in ("io", "internal") for fr in results for d in fr.diagnostics),
                "toolExecutionNotifications": notifications}],
            "results": sarif_results,
            "columnKind": "utf16CodeUnits",
        }],
    }
    json.dump(doc, out, indent=2)
    out.write("\n")


def _uri(path: str) -> str:
    return display_path(path)


def _fingerprint(f: Finding, context: str) -> str:
    h = hashlib.sha256(f"{f.rule}\0{_uri(f.path)}\0{' '.join(context.split())}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:32]


def _notification(d: Diagnostic) -> dict[str, object]:
    note: dict[str, object] = {"level": SARIF_LEVEL[d.severity], "message": {"text": d.message},
                               "descriptor": {"id": d.kind}}
    if d.line:
        note["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(d.path)},
                                                   "region": {"startLine": d.line}}}]
    return note
