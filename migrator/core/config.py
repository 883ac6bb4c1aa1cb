"""``[tool.probe-migrator]`` in pyproject.toml (or a .probe-migrator.toml), under CLI overrides."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from migrator.core.findings import Severity


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    max_bytes: int | None = None
    timeout_per_file: float | None = None
    path: str | None = None


def find(start: str = ".") -> str | None:
    d = os.path.abspath(start)
    while True:
        for name in (".probe-migrator.toml", "pyproject.toml"):
            p = os.path.join(d, name)
            if os.path.isfile(p):
                if name == "pyproject.toml":
                    with open(p, "rb") as fh:
                        if b"[tool.probe-migrator]" not in fh.read():
                            continue
                return p
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def load(path: str | None) -> Config:
    if path is None:
        return Config()
    import tomllib

    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: {e}") from e
    table: Any = data.get("tool", {}).get("probe-migrator", {}) if path.endswith("pyproject.toml") else data
    cfg = Config(path=path)
    for key in ("select", "ignore", "exclude"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: [tool.probe-migrator] {key} must be a list of strings")
        setattr(cfg, key, value)
    severity = table.get("severity") or {}
    if not isinstance(severity, dict):
        raise ConfigError(f"{path}: [tool.probe-migrator] severity must be a table of rule = level")
    for name, level in severity.items():
        try:
            cfg.severity[name] = Severity[str(level).upper()]
        except KeyError:
            raise ConfigError(f"{path}: severity of {name} must be error, warning or info") from None
    if "max-bytes" in table:
        value = table["max-bytes"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{path}: [tool.probe-migrator] max-bytes must be a positive integer")
        cfg.max_bytes = value
    if "timeout-per-file" in table:
        value = table["timeout-per-file"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ConfigError(f"{path}: [tool.probe-migrator] timeout-per-file must be a positive number of seconds")
        cfg.timeout_per_file = float(value)
    unknown = set(table) - {"select", "ignore", "exclude", "severity", "max-bytes", "timeout-per-file"}
    if unknown:
        raise ConfigError(f"{path}: unknown [tool.probe-migrator] keys: {', '.join(sorted(unknown))}")
    return cfg
