"""What the commands share: the options every command reads, the result cache's place, progress."""

from __future__ import annotations

import sys

import click


class Usage(click.UsageError):
    pass


def lenient_streams() -> None:
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


def options(select: tuple[str, ...], ignore: tuple[str, ...], config_path: str | None,
             max_bytes: int | None, exclude: tuple[str, ...], jobs: int = 1,
             cache_dir: str | None = None):  # type: ignore[no-untyped-def]
    from migrator.check.engine import MAX_BYTES_DEFAULT, Options
    from migrator.check.registry import RuleError, selected
    from migrator.core import config as cfgmod

    try:
        cfg = cfgmod.load(config_path or cfgmod.find("."))
        rules = selected(list(select) or cfg.select or None, list(ignore) + cfg.ignore or None)
    except (cfgmod.ConfigError, RuleError) as e:
        raise Usage(str(e)) from None
    return Options(rules=rules, severity=cfg.severity, exclude=list(exclude) + cfg.exclude,
                   max_bytes=max_bytes or cfg.max_bytes or MAX_BYTES_DEFAULT, jobs=jobs, cache_dir=cache_dir,
                   timeout_per_file=cfg.timeout_per_file)


def default_cache() -> str:
    from migrator.check.cache import default_dir

    return default_dir()


def with_progress(results, quiet: bool) -> list:  # type: ignore[no-untyped-def,type-arg]
    """Collect results; on a terminal, show a counter once the run takes more than 2 s."""
    import os
    import time

    show = not quiet and sys.stderr.isatty() and not os.environ.get("CI")
    out = []
    start = last = time.monotonic()
    shown = False
    found = 0
    for r in results:
        out.append(r)
        found += len(r.findings)
        if not show:
            continue
        now = time.monotonic()
        if now - start > 2 and now - last > 0.2:
            sys.stderr.write(f"\rprobe-migrator: {len(out)} files checked, {found} findings")
            sys.stderr.flush()
            last, shown = now, True
    if shown:
        sys.stderr.write("\r\033[K")
    return out


def split_values(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())
