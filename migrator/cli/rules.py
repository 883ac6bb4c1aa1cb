"""`rules` (the catalog) and `explain` (one rule's page)."""

from __future__ import annotations

import click

from migrator.cli.common import Usage


@click.command("rules")
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


@click.command()
@click.argument("name")
def explain(name: str) -> None:
    """Print a rule's documentation page: what it does, why that is bad, an example, what to use
    instead, the fix's safety and the kernel references."""
    from migrator.check.registry import RuleError, lookup
    from migrator.output.ruledoc import markdown

    try:
        r = lookup(name)
    except RuleError as e:
        raise Usage(str(e)) from None
    click.echo(markdown(r), nl=False)
