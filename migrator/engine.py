"""Run front ends and rules over files; one file's failure never stops the others."""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .discover import Candidate, walk, worth_parsing
from .findings import Diagnostic, Finding, Hit, Severity
from .registry import Rule
from .source import Source

MAX_BYTES_DEFAULT = 16 * 1024 * 1024
_SUPPRESS = re.compile(r"probe-migrator:\s*(?:ignore|disable)\s*[=:\[]?\s*([\w,\s-]+)")


@dataclass
class Options:
    rules: list[Rule]
    severity: dict[str, Severity] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    max_bytes: int = MAX_BYTES_DEFAULT


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: Source | None = None
    constructs_total: int = 0
    constructs_parsed: int = 0
    skipped: bool = False  # prefilter said no
    model: object = None


def check_paths(paths: list[str], opts: Options) -> Iterator[FileResult]:
    for item in walk(paths, opts.exclude):
        if isinstance(item, tuple):
            path, why = item
            yield FileResult(path, diagnostics=[Diagnostic(path, 0, 0, Severity.ERROR, "io", why)])
            continue
        yield check_file(item, opts)


def check_file(cand: Candidate, opts: Options) -> FileResult:
    path = cand.path
    try:
        if os.path.isdir(path):
            return FileResult(path, diagnostics=[Diagnostic(path, 0, 0, Severity.ERROR, "io", "is a directory")])
        size = os.path.getsize(path)
        if size > opts.max_bytes:
            return FileResult(path, diagnostics=[Diagnostic(
                path, 0, 0, Severity.WARNING, "limit",
                f"skipped: {size} bytes is over the {opts.max_bytes}-byte limit (--max-bytes)")])
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        return FileResult(path, diagnostics=[Diagnostic(path, 0, 0, Severity.ERROR, "io", e.strerror or str(e))])
    return check_bytes(path, data, opts, explicit=cand.explicit)


def check_bytes(path: str, data: bytes, opts: Options, explicit: bool = True) -> FileResult:
    if not worth_parsing(data):
        return FileResult(path, skipped=True)
    if b"\0" in data[:8192]:
        return FileResult(path, diagnostics=[Diagnostic(path, 0, 0, Severity.WARNING, "io", "skipped: binary file (NUL bytes)")])
    src = Source.from_bytes(path, data)
    result = FileResult(path, source=src)
    try:
        from .c.probes import build

        model = build(src)
    except Exception as e:  # noqa: BLE001 - the per-file error boundary
        tb = traceback.extract_tb(e.__traceback__)[-1]
        result.diagnostics.append(Diagnostic(
            path, 0, 0, Severity.ERROR, "internal",
            f"internal error: {type(e).__name__}: {e} (at {os.path.basename(tb.filename)}:{tb.lineno}); "
            "please report it with this file"))
        return result
    result.model = model
    result.constructs_total = model.constructs_total
    result.constructs_parsed = model.constructs_parsed
    for u in model.unparsed:
        result.diagnostics.append(Diagnostic(
            path, u.start_line, 1, Severity.INFO, "parse",
            f"could not parse lines {u.start_line}-{u.end_line} ({u.message}); only token-level checks ran there",
            end_line=u.end_line))
    result.findings = run_rules(src, model, opts)
    return result


def run_rules(src: Source, model: object, opts: Options) -> list[Finding]:
    best: dict[int, tuple[int, Finding]] = {}
    for rule in opts.rules:
        for hit in rule.check(model):
            f = _finding(src, rule, hit, opts)
            prev = best.get(hit.start)
            if prev is None or rule.priority > prev[0]:
                best[hit.start] = (rule.priority, f)
    findings = [f for _p, f in best.values() if not _suppressed(src, f)]
    return sorted(findings, key=Finding.sort_key)


def _finding(src: Source, rule: Rule, hit: Hit, opts: Options) -> Finding:
    line, col = src.line_col(hit.start)
    end_line, end_col = src.line_col(max(hit.end, hit.start))
    severity = hit.severity or opts.severity.get(rule.name) or rule.severity
    return Finding(
        path=src.path, line=line, column=col, end_line=end_line, end_column=end_col, rule=rule.name,
        code=rule.code, severity=severity, message=hit.message, start=hit.start, end=hit.end,
        site=hit.start, notes=list(hit.notes), subject=hit.subject,
    )


def _suppressed(src: Source, f: Finding) -> bool:
    for line in (f.line, f.line - 1):
        if line < 1:
            continue
        m = _SUPPRESS.search(src.line_text(line))
        if m:
            names = {n.strip() for n in re.split(r"[,\s]+", m.group(1)) if n.strip()}
            if f.rule in names or f.code in names or "all" in names:
                return True
    return False


def summarize(results: Iterable[FileResult]) -> dict[str, int]:
    out = {"files": 0, "findings": 0, "errors": 0}
    for r in results:
        out["files"] += 1
        out["findings"] += len(r.findings)
        out["errors"] += sum(1 for d in r.diagnostics if d.kind in ("io", "internal"))
    return out
