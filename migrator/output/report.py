"""Findings to text (gcc style), JSON, SARIF 2.1.0 and GitHub workflow commands."""

from __future__ import annotations

import json
from typing import TextIO

from migrator import __version__
from migrator.check.engine import FileResult
from migrator.check.registry import Rule
from migrator.core.findings import Diagnostic, Finding, Severity

SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def text(results: list[FileResult], out: TextIO, show_source: bool = True) -> None:
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


def diagnostics(results: list[FileResult], out: TextIO, include_info: bool) -> None:
    for r in results:
        for d in r.diagnostics:
            if d.severity == Severity.INFO and not include_info:
                continue
            where = f"{d.path}:{d.line}:{d.column}:" if d.line else f"{d.path}:"
            out.write(f"{where} {d.severity.label}: {d.message} [{d.kind}]\n")


def finding_dict(f: Finding) -> dict[str, object]:
    return {
        "path": f.path, "line": f.line, "column": f.column, "end_line": f.end_line,
        "end_column": f.end_column, "rule": f.rule, "code": f.code, "severity": f.severity.label,
        "message": f.message, "fixable": f.fixable, "notes": f.notes,
    }


def as_json(results: list[FileResult], out: TextIO) -> None:
    json.dump([finding_dict(f) for r in results for f in r.findings], out, indent=2)
    out.write("\n")


def github(results: list[FileResult], out: TextIO) -> None:
    def esc(s: str) -> str:
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(s: str) -> str:
        return esc(s).replace(":", "%3A").replace(",", "%2C")

    for r in results:
        out.writelines(f"::{GITHUB_LEVEL[f.severity]} file={prop(f.path)},line={f.line},col={f.column},"
                f"endLine={f.end_line},endColumn={f.end_column},title={prop(f.rule + ' (' + f.code + ')')}::"
                f"{esc(f.message)}\n" for f in r.findings)


def sarif(results: list[FileResult], rules: list[Rule], out: TextIO) -> None:
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
    p = path.replace("\\", "/")
    return p.removeprefix("./")


def _fingerprint(f: Finding, context: str) -> str:
    import hashlib

    h = hashlib.sha256(f"{f.rule}\0{_uri(f.path)}\0{' '.join(context.split())}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:32]


def _notification(d: Diagnostic) -> dict[str, object]:
    note: dict[str, object] = {"level": SARIF_LEVEL[d.severity], "message": {"text": d.message},
                               "descriptor": {"id": d.kind}}
    if d.line:
        note["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(d.path)},
                                                   "region": {"startLine": d.line}}}]
    return note
