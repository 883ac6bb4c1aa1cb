"""The rule catalog: every module in ``migrator.rules``, validated once."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from migrator.core.findings import Severity


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    priority: int
    summary: str
    rationale: str
    bad: str
    good: str
    check: Callable[[Any], Any]
    module: ModuleType


class RuleError(ValueError):
    pass


@cache
def all_rules() -> tuple[Rule, ...]:
    import migrator.rules as package

    rules = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"migrator.rules.{info.name}")
        rules.append(Rule(
            code=mod.CODE, name=mod.NAME, severity=mod.SEVERITY, priority=getattr(mod, "PRIORITY", 0),
            summary=mod.SUMMARY, rationale=mod.RATIONALE, bad=mod.BAD, good=mod.GOOD, check=mod.check,
            module=mod,
        ))
    return tuple(sorted(rules, key=lambda r: r.code))


def lookup(key: str) -> Rule:
    for r in all_rules():
        if key in (r.name, r.code) or key.upper() == r.code:
            return r
    raise RuleError(f"unknown rule {key!r}; `probe-migrator rules` lists them")


def selected(select: list[str] | None, ignore: list[str] | None) -> list[Rule]:
    """Rules after --select/--ignore. A code prefix (PM1) selects a group."""

    def matches(rule: Rule, keys: list[str]) -> bool:
        for k in keys:
            if k in (rule.name, "ALL", "all") or (k.upper().startswith("PM") and rule.code.startswith(k.upper())):
                return True
        return False

    for k in (select or []) + (ignore or []):
        if k not in ("ALL", "all") and not any(matches(r, [k]) for r in all_rules()):
            raise RuleError(f"unknown rule {k!r}; `probe-migrator rules` lists them")
    rules = [r for r in all_rules() if not select or matches(r, select)]
    return [r for r in rules if not ignore or not matches(r, ignore)]
