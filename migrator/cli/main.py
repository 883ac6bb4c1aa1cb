"""The command line: one module per command; heavy modules load only in the command that uses them."""

from __future__ import annotations

import click

from migrator import __version__
from migrator.cli import baseline, check, fix, rules, verify
from migrator.cli.common import lenient_streams


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="probe-migrator")
def main() -> None:
    """Find and fix kprobes placed by raw address in kernel modules."""
    lenient_streams()


for command in (check.check, baseline.baseline, fix.fix, verify.verify, verify.symbols, rules.rules_cmd, rules.explain):
    main.add_command(command)


if __name__ == "__main__":
    main()
