"""`fix`: rewrite what can be rewritten safely; a diff, files written in place, or a mail series."""

from __future__ import annotations

import sys

import click

from migrator.cli.common import Usage, options, split_values
from migrator.core.names import CONTEXTS


@click.command()
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
@click.option("--context", type=click.Choice(CONTEXTS), help="Treat every file as this (default: decided per file).")
@click.option("--keep-old-kernels", is_flag=True,
              help="Port jprobes even in files still built for kernels before 4.20, keeping the jprobe code "
                   "under #if LINUX_VERSION_CODE beside the port.")
def fix(paths: tuple[str, ...], symbols_path: str | None, write: bool, patch_dir: str | None, signoff: bool,
        sender: str | None, subject_prefix: str, cover_letter: bool,
        select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...], config_path: str | None,
        max_bytes: int | None, timeout_per_file: float | None, quiet: bool, context: str | None,
        keep_old_kernels: bool) -> None:
    """Rewrite address-based probes to symbol_name/offset: a diff (default), --write, or --patch-dir."""
    from migrator.fix.command import run_fix
    from migrator.fix.series import Series

    if not patch_dir and (signoff or sender or cover_letter or subject_prefix != "PATCH"):
        raise Usage("--signoff, --from, --subject-prefix and --cover-letter go with --patch-dir")
    if any(c in subject_prefix for c in "\r\n[]"):
        raise Usage("--subject-prefix cannot hold a line break or brackets")

    opts = options(split_values(select), split_values(ignore), config_path, max_bytes, exclude)
    opts.timeout_per_file = timeout_per_file or opts.timeout_per_file
    opts.context = context
    series = Series(signoff=signoff, sender=sender, subject_prefix=subject_prefix.strip(), cover_letter=cover_letter)
    sys.exit(run_fix(list(paths) or ["."], opts, symbols_path, write, patch_dir, quiet, series, keep_old_kernels))
