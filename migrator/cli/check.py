"""`check`: report the findings of files, a tree or a patch."""

from __future__ import annotations

import sys

import click

from migrator.cli.common import Usage, default_cache, options, split_values, with_progress
from migrator.core.names import CONTEXTS
from migrator.output import FORMATS


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(readable=False))  # unreadable: a per-file error
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--select", multiple=True, help="Only these rules (names or codes, comma-separated).")
@click.option("--ignore", multiple=True, help="Not these rules (names or codes, comma-separated).")
@click.option("--exclude", multiple=True, help="Glob of paths to skip.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file (default: nearest pyproject.toml with [tool.probe-migrator]).")
@click.option("--max-bytes", type=click.IntRange(min=1), help="Skip files larger than this (default 16 MiB).")
@click.option("--timeout-per-file", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Skip a file whose analysis takes longer than this, with a warning.")
@click.option("--show-source/--no-show-source", default=True, help="Print the source line and a caret.")
@click.option("-q", "--quiet", is_flag=True, help="No summary, no parse notes.")
@click.option("-v", "--verbose", is_flag=True, help="Also print constructs that could not be parsed.")
@click.option("--diff", "diff_path", metavar="FILE", help="Lint a patch (diff, git diff, format-patch mail, mbox; - for stdin): only the lines it adds.")
@click.option("--root", type=click.Path(file_okay=False), help="With --diff: the tree the patch paths are relative to (default: .).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), help="Only report findings not in this baseline file (see the baseline command).")
@click.option("-j", "--jobs", type=click.IntRange(0), default=0, help="Worker processes (default 0: one per core).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Result cache location (default: the platform cache dir, or $PROBE_MIGRATOR_CACHE_DIR).")
@click.option("--context", type=click.Choice(CONTEXTS), help="Treat every file as this (default: decided per file from its tree and markers).")
def check(paths: tuple[str, ...], fmt: str, select: tuple[str, ...], ignore: tuple[str, ...],
          exclude: tuple[str, ...], config_path: str | None, max_bytes: int | None, show_source: bool,
          quiet: bool, verbose: bool, diff_path: str | None, root: str | None, baseline_path: str | None,
          jobs: int, no_cache: bool, cache_dir: str | None, timeout_per_file: float | None,
          context: str | None) -> None:
    """Report address-based probes and hand-rolled symbol resolution in PATHS (default: .)."""
    from migrator.output import write
    from migrator.output.common import diagnostics

    opts = options(split_values(select), split_values(ignore), config_path, max_bytes, exclude, jobs,
                    None if no_cache else cache_dir or default_cache())
    opts.timeout_per_file = timeout_per_file or opts.timeout_per_file
    opts.context = context
    results, patch_failed = _gather(paths, opts, diff_path, root, baseline_path, quiet)
    write(fmt, results, opts.rules, sys.stdout, show_source)
    diagnostics(results, sys.stderr, include_info=verbose)
    if verbose:  # a file the user named but the prefilter dropped: say why (a walked one is only counted)
        for r in results:
            if r.skipped and not r.diagnostics and r.path in paths:
                click.echo(f"{r.path}: info: {PREFILTERED}", err=True)
    findings = sum(len(r.findings) for r in results)
    failed = sum(1 for r in results for d in r.diagnostics if d.kind in ("io", "internal"))
    if not quiet and fmt == "text":
        checked = sum(1 for r in results if analysed(r))
        outside = sum(1 for r in results if not r.findings and any(d.kind == "context" for d in r.diagnostics))
        click.echo(f"{findings} finding{'s' * (findings != 1)} in {len(results)} file{'s' * (len(results) != 1)}"
                   f" ({checked} analysed" + (f", {outside} where no rule applies" if outside else "") + ")"
                   + (f", {failed} could not be read" if failed else ""), err=True)
    sys.exit(2 if failed or patch_failed else 1 if findings else 0)


NOT_ANALYSED = ("io", "internal", "limit", "skip", "context")  # Diagnostic kinds of a file that was not analysed
PREFILTERED = ("not analysed: it holds none of the words and shapes a rule looks for (kprobe, kretprobe, kallsyms, "
               "a probe field write, a symbol file path, a tracer command) [prefilter]")


def analysed(r) -> bool:  # type: ignore[no-untyped-def]
    """The front end ran on the file: findings, or no findings with or without parse notes."""
    if r.findings:
        return True
    return not r.skipped and not any(d.kind in NOT_ANALYSED for d in r.diagnostics)


def _gather(paths: tuple[str, ...], opts, diff_path: str | None, root: str | None,  # type: ignore[no-untyped-def]
            baseline_path: str | None, quiet: bool):
    """check's results (of PATHS or of a patch, minus the baseline) and the number of patch errors."""
    import os

    from migrator.check.engine import check_paths

    if diff_path is None and root is not None:
        raise Usage("--root only applies to --diff")
    if diff_path is not None and paths:
        raise Usage("--diff takes no PATHS (the patch names the files; use --root for where they are)")
    known: set[str] | None = None
    if baseline_path is not None:
        from migrator.gate.baseline import BaselineError, load

        try:
            known = load(baseline_path)
        except BaselineError as e:
            raise Usage(str(e)) from None
    patch_failed = 0
    top = root or "."

    def locate(p: str) -> str:  # a result path on disk (patch paths are relative to the root)
        return os.path.abspath(p if diff_path is None else os.path.join(top, p))

    if diff_path is None:
        results = with_progress(check_paths(list(paths) or ["."], opts), quiet)
    else:
        from migrator.gate.patchlint import lint

        try:
            if diff_path == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(diff_path, "rb") as fh:
                    data = fh.read()
        except OSError as e:
            raise Usage(f"cannot read the patch {diff_path}: {e.strerror or e}") from None
        linted = lint(data, top, opts, "<stdin>" if diff_path == "-" else diff_path)
        for m in linted.messages:
            if m.severity == "error" or not quiet:
                click.echo(str(m), err=True)
        patch_failed = sum(1 for m in linted.messages if m.severity == "error")
        results = linted.results
    if known is not None and baseline_path is not None:
        from migrator.gate.baseline import subtract

        hidden = subtract(results, known, os.path.dirname(os.path.abspath(baseline_path)), locate)
        if hidden and not quiet:
            click.echo(f"{hidden} finding{'s' * (hidden != 1)} in the baseline not shown", err=True)
    return results, patch_failed
