"""Report writers, one module per format: text (gcc style), json, sarif (2.1.0) and github
(workflow commands). ``write`` picks one; each module imports only what its format needs."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from migrator.check.engine import FileResult
    from migrator.check.registry import Rule

FORMATS = ("text", "json", "sarif", "github")


def write(fmt: str, results: list[FileResult], rules: list[Rule], out: TextIO, show_source: bool = True) -> None:
    """The findings of ``results`` in format ``fmt`` (one of FORMATS) on ``out``."""
    if fmt == "text":
        from migrator.output import text

        text.write(results, out, show_source)
    elif fmt == "json":
        from migrator.output import json_format

        json_format.write(results, out)
    elif fmt == "sarif":
        from migrator.output import sarif

        sarif.write(results, rules, out)
    elif fmt == "github":
        from migrator.output import github

        github.write(results, out)
    else:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
