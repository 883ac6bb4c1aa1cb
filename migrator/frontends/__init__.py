"""The front ends: one per kind of file, each turning a Source into ProbeModel facts.

``discover.front_end`` names the kind of a file (by extension, else by its ``#!`` line); this
table says which front end reads it. Front ends are imported on first use, so a run over C files
never loads the Python front end (or libcst).
"""

from __future__ import annotations

from collections.abc import Callable

from migrator.core.model import ProbeModel
from migrator.core.source import Source


def _c(src: Source) -> ProbeModel:
    # A C file: the probe model of its code, plus what it holds in strings and loader calls
    # (tracefs definitions, libbpf/perf attach set-ups: a no-op without their tokens).
    from migrator.frontends.c.build import build
    from migrator.frontends.text import cloader

    model = build(src)
    cloader.scan(src, model)
    return model


def _python(src: Source) -> ProbeModel:
    from migrator.frontends.python.front import build

    return build(src)


def _shell(src: Source) -> ProbeModel:
    from migrator.frontends.text.shell import build

    return build(src)


FRONT_ENDS: dict[str, Callable[[Source], ProbeModel]] = {"c": _c, "py": _python, "sh": _shell}


def model_of(kind: str, src: Source) -> ProbeModel:
    """The facts of one file, read by the front end of its kind."""
    return FRONT_ENDS[kind](src)
