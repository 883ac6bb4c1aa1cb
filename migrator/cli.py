"""The command line: check, rules, explain. Heavy modules load only in the command that uses them."""

from __future__ import annotations

import sys

import click

from . import __version__

FORMATS = ("text", "json", "sarif", "github")


class _Usage(click.UsageError):
    pass


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="probe-migrator")
def main() -> None:
    """Find and fix kprobes placed by raw address in kernel modules."""


def _options(select: tuple[str, ...], ignore: tuple[str, ...], config_path: str | None,
             max_bytes: int | None, exclude: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from . import config as cfgmod
    from .engine import MAX_BYTES_DEFAULT, Options
    from .registry import RuleError, selected

    try:
        cfg = cfgmod.load(config_path or cfgmod.find("."))
        rules = selected(list(select) or cfg.select or None, list(ignore) + cfg.ignore or None)
    except (cfgmod.ConfigError, RuleError) as e:
        raise _Usage(str(e)) from None
    return Options(rules=rules, severity=cfg.severity, exclude=list(exclude) + cfg.exclude,
                   max_bytes=max_bytes or cfg.max_bytes or MAX_BYTES_DEFAULT)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--select", multiple=True, help="Only these rules (names or codes, comma-separated).")
@click.option("--ignore", multiple=True, help="Not these rules (names or codes, comma-separated).")
@click.option("--exclude", multiple=True, help="Glob of paths to skip.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file (default: nearest pyproject.toml with [tool.probe-migrator]).")
@click.option("--max-bytes", type=int, help="Skip files larger than this (default 16 MiB).")
@click.option("--show-source/--no-show-source", default=True, help="Print the source line and a caret.")
@click.option("-q", "--quiet", is_flag=True, help="No summary, no parse notes.")
@click.option("-v", "--verbose", is_flag=True, help="Also print constructs that could not be parsed.")
def check(paths: tuple[str, ...], fmt: str, select: tuple[str, ...], ignore: tuple[str, ...],
          exclude: tuple[str, ...], config_path: str | None, max_bytes: int | None, show_source: bool,
          quiet: bool, verbose: bool) -> None:
    """Report address-based probes and hand-rolled symbol resolution in PATHS (default: .)."""
    from . import report
    from .engine import check_paths

    opts = _options(_split(select), _split(ignore), config_path, max_bytes, exclude)
    results = list(check_paths(list(paths) or ["."], opts))
    out = sys.stdout
    if fmt == "text":
        report.text(results, out, show_source)
    elif fmt == "json":
        report.as_json(results, out)
    elif fmt == "sarif":
        report.sarif(results, opts.rules, out)
    else:
        report.github(results, out)
    report.diagnostics(results, sys.stderr, include_info=verbose)
    findings = sum(len(r.findings) for r in results)
    failed = sum(1 for r in results for d in r.diagnostics if d.kind in ("io", "internal"))
    if not quiet and fmt == "text":
        checked = sum(1 for r in results if not r.skipped and not r.diagnostics or r.findings)
        click.echo(f"{findings} finding{'s' * (findings != 1)} in {len(results)} file{'s' * (len(results) != 1)}"
                   f" ({checked} analysed)" + (f", {failed} could not be read" if failed else ""), err=True)
    sys.exit(2 if failed else 1 if findings else 0)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--symbols", "symbols_path", type=click.Path(), help="System.map, /proc/kallsyms dump or nm output of the target kernel (.gz too).")
@click.option("--write", is_flag=True, help="Apply the fixes in place (atomically).")
@click.option("--patch-dir", type=click.Path(file_okay=False), help="Write a git format-patch series, one mail per file.")
@click.option("--select", multiple=True, help="Only fix findings of these rules.")
@click.option("--ignore", multiple=True, help="Do not fix findings of these rules.")
@click.option("--exclude", multiple=True, help="Glob of paths to skip.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--max-bytes", type=int)
@click.option("-q", "--quiet", is_flag=True, help="Do not list the findings that were not fixed.")
def fix(paths: tuple[str, ...], symbols_path: str | None, write: bool, patch_dir: str | None,
        select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...], config_path: str | None,
        max_bytes: int | None, quiet: bool) -> None:
    """Rewrite address-based probes to symbol_name/offset: a diff (default), --write, or --patch-dir."""
    from .fixcmd import run_fix

    opts = _options(_split(select), _split(ignore), config_path, max_bytes, exclude)
    sys.exit(run_fix(list(paths) or ["."], opts, symbols_path, write, patch_dir, quiet))


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
def verify(paths: tuple[str, ...], kdir: str | None, symbols_path: str | None, select: tuple[str, ...],
           ignore: tuple[str, ...], exclude: tuple[str, ...], config_path: str | None, fmt: str) -> None:
    """Build each module fix would change, before and after, with Kbuild; report regressions."""
    from .fixcmd import run_verify

    opts = _options(_split(select), _split(ignore), config_path, None, exclude)
    sys.exit(run_verify(list(paths) or ["."], opts, symbols_path, kdir, fmt))


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
def rules_cmd(fmt: str) -> None:
    """List the rule catalog."""
    from .registry import all_rules

    rules = all_rules()
    if fmt == "json":
        import json

        click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity.label,
                                "summary": r.summary} for r in rules], indent=2))
        return
    for r in rules:
        click.echo(f"{r.code}  {r.name:<26} {r.severity.label:<8} {r.summary}")


@main.command()
@click.argument("name")
def explain(name: str) -> None:
    """Print a rule's documentation: what it flags, why, and a bad and a good example."""
    from .registry import RuleError, lookup

    try:
        r = lookup(name)
    except RuleError as e:
        raise _Usage(str(e)) from None
    click.echo(f"{r.name} ({r.code}, {r.severity.label}): {r.summary}\n")
    click.echo("Why this is a problem\n" + r.rationale + "\n")
    click.echo("Bad\n" + _indent(r.bad) + "\nGood\n" + _indent(r.good))


def _indent(s: str) -> str:
    return "".join("    " + line + "\n" for line in s.splitlines())


if __name__ == "__main__":
    main()
