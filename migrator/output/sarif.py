"""Findings as SARIF 2.1.0 (``--format sarif``), for code-scanning dashboards."""

from __future__ import annotations

import hashlib
import json
import re
from typing import TextIO
from urllib.parse import quote

from migrator import __version__
from migrator.check.engine import FileResult
from migrator.check.registry import Rule
from migrator.core.findings import Diagnostic, Finding, Related, Severity
from migrator.core.source import Source
from migrator.output import ruledoc
from migrator.output.common import display_path

SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def write(results: list[FileResult], rules: list[Rule], out: TextIO) -> None:
    from migrator.fix.fixability import annotate  # JSON and SARIF only: the text path never loads fix code

    annotate(results)
    index = {r.name: i for i, r in enumerate(rules)}
    sarif_rules = [{
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": ruledoc.full_description(r)},
        "help": {"text": ruledoc.text(r), "markdown": ruledoc.markdown(r)},
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
                    "artifactLocation": artifact_location(f.path),
                    "region": region(f, fr.source),
                }}],
                "partialFingerprints": {"primaryLocationLineHash/v1": _fingerprint(f, context)},
                "properties": {"fixable": f.fixable, "context": f.context},
            })
            if f.related:
                sarif_results[-1]["relatedLocations"] = [{
                    "id": n, "message": {"text": r.message},
                    "physicalLocation": {"artifactLocation": artifact_location(f.path), "region": region(r, fr.source)},
                } for n, r in enumerate(f.related, 1)]
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


def utf16_units(s: str) -> int:
    """Length of ``s`` in UTF-16 code units: a character beyond the BMP (an emoji) takes two. A byte
    that was not UTF-8 (kept as a lone surrogate) takes one, as the U+FFFD an editor shows for it."""
    if s.isascii():
        return len(s)
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def utf16_position(source: Source, offset: int) -> tuple[int, int]:
    """1-based line and 1-based UTF-16 column of a text offset (``columnKind: utf16CodeUnits``)."""
    line = source.line_of(offset)
    return line, utf16_units(source.text[source.line_starts[line - 1]:offset]) + 1


def region(f: Finding | Related, source: Source | None) -> dict[str, int]:
    """The finding's region in UTF-16 columns, as the run declares. The finding's own columns count
    bytes (gcc style), which differs as soon as the line holds a non-ASCII character before it."""
    same = {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column}
    end = max(f.start, f.end)
    if source is None or not 0 <= f.start <= end <= len(source.text):
        return same
    line, col = utf16_position(source, f.start)
    end_line, end_col = utf16_position(source, end)
    if (line, end_line) != (f.line, f.end_line):  # not the text the finding was made from
        return same
    return {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col}


_DRIVE = re.compile(r"^[A-Za-z]:/")


def artifact_location(path: str) -> dict[str, str]:
    """An artifactLocation for ``path``: a relative path becomes a percent-encoded relative
    reference against %SRCROOT%; an absolute one a file: URI. Every byte but the unreserved
    characters and '/' is percent-encoded (UTF-8 for non-ASCII, the original byte for a byte that
    was not UTF-8), so spaces, '#', '?', '%' and a ':' in the first segment cannot change what the
    URI means."""
    p = display_path(path)
    if p.startswith("/"):
        return {"uri": "file://" + _quote(p)}
    if _DRIVE.match(p):
        return {"uri": "file:///" + p[:2] + _quote(p[2:])}
    return {"uri": _quote(p), "uriBaseId": "%SRCROOT%"}


def _quote(p: str) -> str:
    return quote(p.encode("utf-8", "surrogateescape"), safe="/")


def _fingerprint(f: Finding, context: str) -> str:
    # over the plain path, so that fingerprints stay what they were before URIs were encoded
    h = hashlib.sha256(f"{f.rule}\0{display_path(f.path)}\0{' '.join(context.split())}".encode(
        "utf-8", "surrogateescape"))
    return h.hexdigest()[:32]


def _notification(d: Diagnostic) -> dict[str, object]:
    note: dict[str, object] = {"level": SARIF_LEVEL[d.severity], "message": {"text": d.message},
                               "descriptor": {"id": d.kind}}
    if d.line:
        note["locations"] = [{"physicalLocation": {"artifactLocation": artifact_location(d.path),
                                                   "region": {"startLine": d.line}}}]
    return note
