"""The command line: check, rules, explain. Heavy modules load only in the command that uses them."""

from __future__ import annotations

import sys

import click

from migrator import __version__
from migrator.output import FORMATS


class _Usage(click.UsageError):
    pass


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="probe-migrator")
def main() -> None:
    """Find and fix kprobes placed by raw address in kernel modules."""
    _lenient_streams()


def _lenient_streams() -> None:
    """Source text and paths carry undecodable bytes as lone surrogates (surrogateescape): print them
    back as the original bytes, and anything else the terminal's encoding lacks as an escape,
    instead of dying with UnicodeEncodeError in a strict UTF-8 (or ASCII) locale."""
    import codecs

    def lenient(exc: UnicodeError) -> tuple[str | bytes, int]:
        try:
            return codecs.lookup_error("surrogateescape")(exc)  # type: ignore[no-any-return]
        except UnicodeError:
            return codecs.lookup_error("backslashreplace")(exc)  # type: ignore[no-any-return]

    try:
        codecs.lookup_error("probe-migrator-lenient")
    except LookupError:
        codecs.register_error("probe-migrator-lenient", lenient)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="probe-migrator-lenient")


def _options(select: tuple[str, ...], ignore: tuple[str, ...], config_path: str | None,
             max_bytes: int | None, exclude: tuple[str, ...], jobs: int = 1,
             cache_dir: str | None = None):  # type: ignore[no-untyped-def]
    from migrator.check.engine import MAX_BYTES_DEFAULT, Options
    from migrator.check.registry import RuleError, selected
    from migrator.core import config as cfgmod

    try:
        cfg = cfgmod.load(config_path or cfgmod.find("."))
        rules = selected(list(select) or cfg.select or None, list(ignore) + cfg.ignore or None)
    except (cfgmod.ConfigError, RuleError) as e:
        raise _Usage(str(e)) from None
    return Options(rules=rules, severity=cfg.severity, exclude=list(exclude) + cfg.exclude,
                   max_bytes=max_bytes or cfg.max_bytes or MAX_BYTES_DEFAULT, jobs=jobs, cache_dir=cache_dir,
                   timeout_per_file=cfg.timeout_per_file)


def _default_cache() -> str:
    from migrator.check.cache import default_dir

    return default_dir()


def _with_progress(results, quiet: bool) -> list:  # type: ignore[no-untyped-def,type-arg]
    """Collect results; on a terminal, show a counter once the run takes more than 2 s."""
    import os
    import time

    show = not quiet and sys.stderr.isatty() and not os.environ.get("CI")
    out = []
    start = last = time.monotonic()
    shown = False
    for r in results:
        out.append(r)
        now = time.monotonic()
        if show and now - start > 2 and now - last > 0.2:
            sys.stderr.write(f"\rprobe-migrator: {len(out)} files checked, "
                             f"{sum(len(x.findings) for x in out)} findings")
            sys.stderr.flush()
            last, shown = now, True
    if shown:
        sys.stderr.write("\r\033[K")
    return out


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


@main.command()
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
def check(paths: tuple[str, ...], fmt: str, select: tuple[str, ...], ignore: tuple[str, ...],
          exclude: tuple[str, ...], config_path: str | None, max_bytes: int | None, show_source: bool,
          quiet: bool, verbose: bool, diff_path: str | None, root: str | None, baseline_path: str | None,
          jobs: int, no_cache: bool, cache_dir: str | None, timeout_per_file: float | None) -> None:
    """Report address-based probes and hand-rolled symbol resolution in PATHS (default: .)."""
    from migrator.output import write
    from migrator.output.common import diagnostics

    opts = _options(_split(select), _split(ignore), config_path, max_bytes, exclude, jobs,
                    None if no_cache else cache_dir or _default_cache())
    opts.timeout_per_file = timeout_per_file or opts.timeout_per_file
    results, patch_failed = _gather(paths, opts, diff_path, root, baseline_path, quiet)
    write(fmt, results, opts.rules, sys.stdout, show_source)
    diagnostics(results, sys.stderr, include_info=verbose)
    findings = sum(len(r.findings) for r in results)
    failed = sum(1 for r in results for d in r.diagnostics if d.kind in ("io", "internal"))
    if not quiet and fmt == "text":
        checked = sum(1 for r in results if not r.skipped and not r.diagnostics or r.findings)
        click.echo(f"{findings} finding{'s' * (findings != 1)} in {len(results)} file{'s' * (len(results) != 1)}"
                   f" ({checked} analysed)" + (f", {failed} could not be read" if failed else ""), err=True)
    sys.exit(2 if failed or patch_failed else 1 if findings else 0)


def _gather(paths: tuple[str, ...], opts, diff_path: str | None, root: str | None,  # type: ignore[no-untyped-def]
            baseline_path: str | None, quiet: bool):
    """check's results (of PATHS or of a patch, minus the baseline) and the number of patch errors."""
    import os

    from migrator.check.engine import check_paths

    if diff_path is None and root is not None:
        raise _Usage("--root only applies to --diff")
    if diff_path is not None and paths:
        raise _Usage("--diff takes no PATHS (the patch names the files; use --root for where they are)")
    known: set[str] | None = None
    if baseline_path is not None:
        from migrator.gate.baseline import BaselineError, load

        try:
            known = load(baseline_path)
        except BaselineError as e:
            raise _Usage(str(e)) from None
    patch_failed = 0
    top = root or "."

    def locate(p: str) -> str:  # a result path on disk (patch paths are relative to the root)
        return os.path.abspath(p if diff_path is None else os.path.join(top, p))

    if diff_path is None:
        results = _with_progress(check_paths(list(paths) or ["."], opts), quiet)
    else:
        from migrator.gate.patchlint import lint

        try:
            if diff_path == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(diff_path, "rb") as fh:
                    data = fh.read()
        except OSError as e:
            raise _Usage(f"cannot read the patch {diff_path}: {e.strerror or e}") from None
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


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", default="probe-migrator-baseline.json", show_default=True,
              help="Where to write the baseline (- for stdout).")
@click.option("--select", multiple=True, help="Only these rules (names or codes, comma-separated).")
@click.option("--ignore", multiple=True, help="Not these rules (names or codes, comma-separated).")
@click.option("--exclude", multiple=True, help="Glob of paths to skip.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--max-bytes", type=int)
def baseline(paths: tuple[str, ...], output: str, select: tuple[str, ...], ignore: tuple[str, ...],
             exclude: tuple[str, ...], config_path: str | None, max_bytes: int | None) -> None:
    """Record today's findings in PATHS (default: .) so that check --baseline reports only new ones."""
    import os

    from migrator.check.engine import check_paths
    from migrator.gate.baseline import dump, entries, write
    from migrator.output.common import diagnostics

    opts = _options(_split(select), _split(ignore), config_path, max_bytes, exclude)
    results = list(check_paths(list(paths) or ["."], opts))
    diagnostics(results, sys.stderr, include_info=False)
    base_dir = os.getcwd() if output == "-" else os.path.dirname(os.path.abspath(output))
    pairs = entries(results, base_dir)
    text = dump(pairs)
    if output == "-":
        sys.stdout.write(text)
    else:
        try:
            write(output, text)
        except OSError as e:
            raise _Usage(f"cannot write {output}: {e.strerror or e}") from None
        click.echo(f"{output}: {len(pairs)} finding{'s' * (len(pairs) != 1)} recorded", err=True)
    failed = any(d.kind in ("io", "internal") for r in results for d in r.diagnostics)
    sys.exit(2 if failed else 0)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(readable=False))  # unreadable: a per-file error
@click.option("--symbols", "symbols_path", type=click.Path(), help="System.map, /proc/kallsyms dump or nm output of the target kernel (.gz too).")
@click.option("--write", is_flag=True, help="Apply the fixes in place (atomically).")
@click.option("--patch-dir", type=click.Path(file_okay=False), help="Write a git format-patch series, one mail per file.")
@click.option("--signoff", is_flag=True,
              help="Add Signed-off-by: from git config user.name/user.email (or --from) to each patch.")
@click.option("--from", "sender", metavar="'NAME <MAIL>'",
              help="The From: of the mails and the Signed-off-by identity (default: git config).")
@click.option("--subject-prefix", default="PATCH", show_default=True, help="The tag in the subjects: [PATCH 2/5].")
@click.option("--cover-letter", is_flag=True, help="Also write 0000-cover-letter.patch: a summary of the series.")
@click.option("--select", multiple=True, help="Only fix findings of these rules.")
@click.option("--ignore", multiple=True, help="Do not fix findings of these rules.")
@click.option("--exclude", multiple=True, help="Glob of paths to skip.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--max-bytes", type=click.IntRange(min=1))
@click.option("--timeout-per-file", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Leave a file alone whose analysis takes longer than this, with a warning.")
@click.option("-q", "--quiet", is_flag=True, help="Do not list the findings that were not fixed.")
def fix(paths: tuple[str, ...], symbols_path: str | None, write: bool, patch_dir: str | None, signoff: bool,
        sender: str | None, subject_prefix: str, cover_letter: bool,
        select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...], config_path: str | None,
        max_bytes: int | None, timeout_per_file: float | None, quiet: bool) -> None:
    """Rewrite address-based probes to symbol_name/offset: a diff (default), --write, or --patch-dir."""
    from migrator.fix.command import run_fix
    from migrator.fix.series import Series

    if not patch_dir and (signoff or sender or cover_letter or subject_prefix != "PATCH"):
        raise _Usage("--signoff, --from, --subject-prefix and --cover-letter go with --patch-dir")
    if any(c in subject_prefix for c in "\r\n[]"):
        raise _Usage("--subject-prefix cannot hold a line break or brackets")

    opts = _options(_split(select), _split(ignore), config_path, max_bytes, exclude)
    opts.timeout_per_file = timeout_per_file or opts.timeout_per_file
    series = Series(signoff=signoff, sender=sender, subject_prefix=subject_prefix.strip(), cover_letter=cover_letter)
    sys.exit(run_fix(list(paths) or ["."], opts, symbols_path, write, patch_dir, quiet, series))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--kernel-build", "kdir", type=click.Path(file_okay=False),
              help="Kernel build tree (default /lib/modules/$(uname -r)/build).")
@click.option("--symbols", "symbols_path", type=click.Path(), help="Symbol map, as for fix.")
@click.option("--select", multiple=True)
@click.option("--ignore", multiple=True)
@click.option("--exclude", multiple=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
@click.option("--boot", is_flag=True, help="Also boot a Debian kernel in QEMU, load both versions of each module "
              "and compare the kprobes they register (equivalent / different / build-fail / load-fail).")
@click.option("--kaslr", is_flag=True, help="With --boot: boot with KASLR on (default nokaslr, which symbol maps assume).")
@click.option("--kver", help="With --boot: Debian kernel ABI, e.g. 6.1.0-56-amd64 (default: what linux-headers-amd64 points to).")
@click.option("--timeout", type=click.IntRange(min=10), default=900, show_default=True,
              help="With --boot: wall-clock limit of the VM in seconds.")
def verify(paths: tuple[str, ...], kdir: str | None, symbols_path: str | None, select: tuple[str, ...],
           ignore: tuple[str, ...], exclude: tuple[str, ...], config_path: str | None, fmt: str,
           boot: bool, kaslr: bool, kver: str | None, timeout: int) -> None:
    """Build each module fix would change, before and after, with Kbuild; report regressions.

    With --boot, prove each migration on the real kernel: the probes must land where the original's did."""
    from migrator.verify.command import run_verify

    if not boot and (kaslr or kver):
        raise _Usage("--kaslr and --kver need --boot")
    if boot and kdir:
        raise _Usage("--kernel-build cannot be combined with --boot (the headers of --kver are used)")
    opts = _options(_split(select), _split(ignore), config_path, None, exclude)
    sys.exit(run_verify(list(paths) or ["."], opts, symbols_path, kdir, fmt, boot=boot, kver=kver, kaslr=kaslr,
                        timeout=timeout))


@main.command()
@click.option("--boot", is_flag=True, help="Boot the kernel in QEMU with nokaslr and save its /proc/kallsyms.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the map here (gzip if it ends in .gz; default stdout).")
@click.option("--kver", help="Debian kernel ABI, e.g. 6.1.0-56-amd64 (default: what linux-headers-amd64 points to).")
@click.option("--text-only", is_flag=True, help="Keep only text symbols and the section markers (like corpus/maps).")
@click.option("--timeout", type=click.IntRange(min=10), default=600, show_default=True)
def symbols(boot: bool, output: str | None, kver: str | None, text_only: bool, timeout: int) -> None:
    """Get a real symbol map of a Debian kernel (its packaged System.map is a stub), for fix --symbols."""
    from migrator.verify.symbols_boot import run_symbols_boot

    if not boot:
        raise _Usage("symbols needs --boot (boot the kernel with nokaslr and read /proc/kallsyms)")
    sys.exit(run_symbols_boot(output, kver, text_only, timeout))


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
def rules_cmd(fmt: str) -> None:
    """List the rule catalog (json: with each rule's full documentation)."""
    from migrator.check.registry import all_rules

    rules = all_rules()
    if fmt == "json":
        import json

        from migrator.output.ruledoc import as_dict

        click.echo(json.dumps([as_dict(r) for r in rules], indent=2))
        return
    for r in rules:
        click.echo(f"{r.code}  {r.name:<26} {r.severity.label:<8} {r.summary}")


@main.command()
@click.argument("name")
def explain(name: str) -> None:
    """Print a rule's documentation page: what it does, why that is bad, an example, what to use
    instead, the fix's safety and the kernel references."""
    from migrator.check.registry import RuleError, lookup
    from migrator.output.ruledoc import markdown

    try:
        r = lookup(name)
    except RuleError as e:
        raise _Usage(str(e)) from None
    click.echo(markdown(r), nl=False)


if __name__ == "__main__":
    main()
