"""`baseline`: record today's findings so that `check --baseline` reports only new ones."""

from __future__ import annotations

import sys

import click

from migrator.cli.common import Usage, options, split_values


@click.command()
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

    opts = options(split_values(select), split_values(ignore), config_path, max_bytes, exclude)
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
            raise Usage(f"cannot write {output}: {e.strerror or e}") from None
        click.echo(f"{output}: {len(pairs)} finding{'s' * (len(pairs) != 1)} recorded", err=True)
    failed = any(d.kind in ("io", "internal") for r in results for d in r.diagnostics)
    sys.exit(2 if failed else 0)
