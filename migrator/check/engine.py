"""Run front ends and rules over files; one file's failure never stops the others."""

from __future__ import annotations

import errno
import itertools
import os
import re
import signal
import stat
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from migrator.check.context import decide as decide_context
from migrator.check.discover import Candidate, first_stage, front_end, second_stage, walk
from migrator.check.includes import digest as header_digest
from migrator.check.includes import local_headers
from migrator.check.registry import Rule
from migrator.core import names
from migrator.core.findings import Diagnostic, Finding, Hit, Related, Severity
from migrator.core.model import ProbeModel
from migrator.core.source import Source

MAX_BYTES_DEFAULT = 16 * 1024 * 1024
_SUPPRESS = re.compile(r"probe-migrator:\s*(?:ignore|disable)\s*[=:\[]?\s*([\w,\s-]+)")


@dataclass
class Options:
    rules: list[Rule]
    severity: dict[str, Severity] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    max_bytes: int = MAX_BYTES_DEFAULT
    jobs: int = 1  # worker processes; 0 = one per core
    cache_dir: str | None = None  # None: no cache
    timeout_per_file: float | None = None  # seconds of analysis per file (SIGALRM, main thread only)
    context: str | None = None  # --context: one context for every file (None: decided per file)

    def config_key(self) -> str:
        """What, besides the bytes and the version, decides a file's result."""
        sev = ",".join(f"{k}={v.name}" for k, v in sorted(self.severity.items()))
        return ",".join(r.name for r in self.rules) + ";" + sev

    def portable(self) -> dict[str, object]:
        """Options as plain data, for worker processes (rule modules do not pickle)."""
        return {"rules": [r.name for r in self.rules], "severity": {k: v.name for k, v in self.severity.items()},
                "max_bytes": self.max_bytes, "cache_dir": self.cache_dir, "timeout_per_file": self.timeout_per_file,
                "context": self.context}

    @classmethod
    def from_portable(cls, d: dict[str, Any]) -> Options:
        from migrator.check.registry import lookup

        return cls(rules=[lookup(n) for n in d["rules"]], severity={k: Severity[v] for k, v in d["severity"].items()},
                   max_bytes=d["max_bytes"], cache_dir=d["cache_dir"], timeout_per_file=d.get("timeout_per_file"),
                   context=d.get("context"))


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: Source | None = None
    constructs_total: int = 0
    constructs_parsed: int = 0
    skipped: bool = False  # prefilter said no
    model: ProbeModel | None = None  # the facts the findings came from (fix reads them)


PARALLEL_MIN_FILES = 64  # below this a worker pool costs more than it saves
CHUNK = 512


def check_paths(paths: list[str], opts: Options) -> Iterator[FileResult]:
    """Results in walk order; files are read, prefiltered and analysed in ``opts.jobs`` processes."""
    walker = walk(paths, opts.exclude)
    first = list(itertools.islice(walker, PARALLEL_MIN_FILES))
    jobs = opts.jobs or os.cpu_count() or 1
    if jobs <= 1 or len(first) < PARALLEL_MIN_FILES:
        for item in itertools.chain(first, walker):
            yield _one(item, opts)
        return
    from concurrent.futures import ProcessPoolExecutor

    spec = opts.portable()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        # chunks go to the workers while the walk goes on; results come back in walk order
        pending = []
        rest = itertools.chain(first, walker)
        while True:
            chunk = list(itertools.islice(rest, CHUNK))
            if not chunk:
                break
            # a walked file goes as its path alone: 60,000 Candidate objects pickled cost the parent,
            # which shares the cores with the workers, a tenth of a Linux tree's run
            sent = [c.path if isinstance(c, Candidate) and not c.explicit else c for c in chunk]
            pending.append((chunk, pool.submit(_work, sent, spec)))
        for chunk, future in pending:
            done = future.result()
            # only files that were not skipped by the prefilter come back from the worker
            for i, item in enumerate(chunk):
                r = done.get(i)
                yield r if r is not None else FileResult(item.path if isinstance(item, Candidate) else item[0],
                                                         skipped=True)


def _work(chunk: list[str | Candidate | tuple[str, str]], spec: dict[str, Any]) -> dict[int, FileResult]:
    opts = Options.from_portable(spec)
    out = {}
    for i, item in enumerate(chunk):
        r = _one(Candidate(item, False) if isinstance(item, str) else item, opts)
        if r.skipped and not r.diagnostics:
            continue
        r.model = None  # model objects stay in the worker
        for f in r.findings:
            f.subject = None
        if not r.findings:
            r.source = None
        out[i] = r
    return out


def _one(item: Candidate | tuple[str, str], opts: Options) -> FileResult:
    if isinstance(item, tuple):
        path, why = item
        return FileResult(path, diagnostics=[Diagnostic(path, 0, 0, Severity.ERROR, "io", why)])
    return check_file(item, opts)


def read_candidate(path: str, opts: Options, explicit: bool = True) -> bytes | Diagnostic:
    """The bytes of ``path``, or the diagnostic saying why they were not read.

    A file found by walking a directory must be a regular file (a FIFO or a device would block or
    never end); any file is read at most ``max_bytes + 1`` bytes, so a file that grows or a device
    named on the command line cannot exhaust memory.
    """
    try:
        # One open and an fstat, not a stat by path and then an open (a third of a tree walk's
        # time is per-file system calls). O_NONBLOCK: opening a FIFO must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        return _io_error(path, e)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return Diagnostic(path, 0, 0, Severity.ERROR, "io", "is a directory")
        if not stat.S_ISREG(st.st_mode):
            if not explicit:
                return Diagnostic(path, 0, 0, Severity.WARNING, "skip", "skipped: not a regular file")
            return _read_stream(path, opts)
        if st.st_size > opts.max_bytes:
            return _over_limit(path, st.st_size, opts)
        # Ask for the size fstat gave (+1 to see growth), not for max_bytes: a 16 MB request maps
        # and unmaps 16 MB for every file and tripled the system time of a tree walk.
        want = st.st_size + 1
        data = os.read(fd, want)
        while len(data) == want and len(data) <= opts.max_bytes:  # it grew: read on, up to the limit
            want = min(1 << 20, opts.max_bytes + 1 - len(data))
            more = os.read(fd, want)
            data += more
            if len(more) < want:
                break
    except OSError as e:
        return _io_error(path, e)
    finally:
        os.close(fd)
    if len(data) > opts.max_bytes:
        return _over_limit(path, None, opts)
    return data


def _read_stream(path: str, opts: Options) -> bytes | Diagnostic:
    """A pipe or device named on the command line: read it (blocking) up to the limit."""
    try:
        with open(path, "rb", buffering=0) as fh:
            data = b""
            while len(data) <= opts.max_bytes:
                more = fh.read(min(1 << 20, opts.max_bytes + 1 - len(data)))
                if not more:
                    break
                data += more
    except OSError as e:
        return _io_error(path, e)
    if len(data) > opts.max_bytes:
        return _over_limit(path, None, opts)
    return data


def _io_error(path: str, e: OSError) -> Diagnostic:
    if e.errno == errno.EISDIR:
        return Diagnostic(path, 0, 0, Severity.ERROR, "io", "is a directory")
    why = e.strerror or str(e)
    if e.errno == errno.ENOENT and os.path.islink(path):
        why = f"dangling symbolic link ({why})"
    return Diagnostic(path, 0, 0, Severity.ERROR, "io", why)


def _over_limit(path: str, size: int | None, opts: Options) -> Diagnostic:
    what = f"{size} bytes is" if size is not None else "more than that is"
    return Diagnostic(path, 0, 0, Severity.WARNING, "limit",
                      f"skipped: {what} over the {opts.max_bytes}-byte limit (--max-bytes)")


def check_file(cand: Candidate, opts: Options) -> FileResult:
    data = read_candidate(cand.path, opts, cand.explicit)
    if isinstance(data, Diagnostic):
        return FileResult(cand.path, diagnostics=[data])
    return check_bytes(cand.path, data, opts, explicit=cand.explicit)


class _TimedOut(BaseException):
    """Raised by the per-file timer; a BaseException so that no ``except Exception`` swallows it."""


class _Timer:
    """A SIGALRM timer around one file's analysis (a no-op off the main thread or without SIGALRM)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.armed = False

    def __enter__(self) -> _Timer:
        if (not self.seconds or self.seconds <= 0 or not hasattr(signal, "SIGALRM")
                or threading.current_thread() is not threading.main_thread()):
            return self
        if signal.getitimer(signal.ITIMER_REAL)[0]:  # someone else's timer is running: leave it alone
            return self
        self.previous = signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        self.armed = True
        return self

    def _fire(self, _signum: int, _frame: object) -> None:
        raise _TimedOut()

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
            self.armed = False


def check_bytes(path: str, data: bytes, opts: Options, explicit: bool = True) -> FileResult:
    if len(data) > opts.max_bytes:
        return FileResult(path, diagnostics=[_over_limit(path, len(data), opts)])
    # the context is decided after the prefilter (for any context) has passed the file: deciding it
    # reads Makefiles and Kconfig, and for the 700 files of a Linux tree that pass the first stage
    # it cost as much as their analysis
    if not first_stage(data, path) or not second_stage(data, path):
        return FileResult(path, skipped=True)
    ctx = decide_context(path, data, opts.context)  # from the file and its tree: part of the cache key
    if not _rule_applies(ctx.kind, path, data, opts):
        # the kprobes implementation: no enabled rule means anything there, so its front end would
        # only cost time (on Linux 6.12 these files were 60% of the analysis)
        return FileResult(path, diagnostics=[Diagnostic(
            path, 0, 0, Severity.INFO, "context",
            f"not analysed: no enabled rule applies to {ctx.kind} code ({ctx.reason}; --context overrides)")])
    if ctx.kind != names.CONTEXT_MODULE and not second_stage(data, path, ctx.kind):  # fewer signals count
        return FileResult(path, skipped=True)
    if b"\0" in data[:8192]:
        return FileResult(path, diagnostics=[Diagnostic(path, 0, 0, Severity.WARNING, "skip", "skipped: binary file (NUL bytes)")])
    headers = local_headers(path, data)  # read with the file: one unit, and part of the cache key
    cache = k = None
    if opts.cache_dir is not None:
        from migrator.check.cache import Cache, key

        cache, k = Cache(opts.cache_dir), key(data, opts.config_key() + ";" + ctx.kind + ";" + header_digest(headers))
        hit = cache.get(k, path)
        if hit is not None:
            findings, diags, total, parsed = hit
            return FileResult(path, findings, diags, Source.from_bytes(path, data) if findings else None, total, parsed)
    try:
        with _Timer(opts.timeout_per_file):
            result = _analyse(path, data, opts, ctx.kind, headers)
    except _TimedOut:
        return FileResult(path, diagnostics=[Diagnostic(
            path, 0, 0, Severity.WARNING, "limit",
            f"skipped: analysis took longer than {opts.timeout_per_file:g} s (--timeout-per-file)")])
    if cache is not None and k is not None and not any(d.kind in ("internal", "limit") for d in result.diagnostics):
        cache.put(k, result.findings, result.diagnostics, result.constructs_total, result.constructs_parsed)
    return result


def _rule_applies(context: str, path: str, data: bytes, opts: Options) -> bool:
    """Can any enabled rule report in a file of this context? Python may embed kernel C in strings,
    which module rules judge whatever the file's context (``run_rules``)."""
    return any(context in r.applies_to for r in opts.rules) or front_end(path, data) == "py"


def _analyse(path: str, data: bytes, opts: Options, context: str,
             headers: tuple[tuple[str, str], ...] = ()) -> FileResult:
    src = Source.from_bytes(path, data)
    src.headers = headers
    result = FileResult(path, source=src)
    try:
        model = _front_end(path, data, src)
        model.context = context
        findings = run_rules(src, model, opts)  # a rule that raises is inside the boundary too
    except Exception as e:  # noqa: BLE001 - the per-file error boundary
        tb = traceback.extract_tb(e.__traceback__)[-1]
        what = str(e)
        what = what if len(what) <= 200 else what[:200] + "..."
        result.diagnostics.append(Diagnostic(
            path, 0, 0, Severity.ERROR, "internal",
            f"internal error: {type(e).__name__}: {what} (at {os.path.basename(tb.filename)}:{tb.lineno}); "
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
    if model.syntax_error:
        result.diagnostics.append(Diagnostic(path, 0, 0, Severity.INFO, "syntax", model.syntax_error))
    for f in findings:
        note = model.site_notes.get(f.start)
        if note:
            f.notes.append(note)
    result.findings = findings
    return result


def _front_end(path: str, data: bytes, src: Source) -> ProbeModel:
    """The model of one file, from the front end its extension (or #! line) selects."""
    from migrator.frontends import model_of

    return model_of(front_end(path, data), src)


def run_rules(src: Source, model: ProbeModel, opts: Options) -> list[Finding]:
    best: dict[int, tuple[int, Finding]] = {}
    for rule in opts.rules:
        if model.context and model.context not in rule.applies_to and not (
                model.embeds_kernel_c and names.CONTEXT_MODULE in rule.applies_to):  # kernel-side C in strings
            continue
        for hit in rule.check(model):
            f = _finding(src, rule, hit, opts, model)
            prev = best.get(hit.start)
            if prev is None or rule.priority > prev[0]:
                best[hit.start] = (rule.priority, f)
    findings = [f for _p, f in best.values() if not _suppressed(src, f)]
    return sorted(findings, key=Finding.sort_key)


def _finding(src: Source, rule: Rule, hit: Hit, opts: Options, model: ProbeModel) -> Finding:
    line, col = src.line_col(hit.start)
    end_line, end_col = src.line_col(max(hit.end, hit.start))
    severity = hit.severity or opts.severity.get(rule.name) or rule.severity
    return Finding(
        path=src.path, line=line, column=col, end_line=end_line, end_column=end_col, rule=rule.name,
        code=rule.code, severity=severity, message=hit.message, start=hit.start, end=hit.end,
        site=hit.start, notes=list(hit.notes), subject=hit.subject,
        related=[Related(*src.line_col(a), *src.line_col(max(a, b)), what, a, b) for a, b, what in hit.related],
        context=model.context,
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

