"""The rule catalog: every module in ``migrator.rules``, validated once.

A rule module documents itself like a ruff rule page; each of these is required and non-empty:
SUMMARY (one line), WHAT (what it does), WHY (why it is bad, with the kernel file, function and
version it rests on), EXAMPLE (code it reports), USE_INSTEAD (the same code, clean), FIX (when a
fix is available: always / with a symbol map / partly / never), FIX_SAFETY (when the fix refuses
and why) and REFERENCES (kernel files and functions, commits). A missing one is a RuleError.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from migrator.core.findings import Severity
from migrator.core.names import CONTEXTS

DOC_FIELDS = ("SUMMARY", "WHAT", "WHY", "EXAMPLE", "USE_INSTEAD", "FIX", "FIX_SAFETY")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    priority: int
    summary: str
    what: str
    why: str
    example: str
    use_instead: str
    fix_availability: str  # the module's FIX
    fix_safety: str
    references: tuple[str, ...]
    check: Callable[[Any], Any]
    module: ModuleType
    applies_to: frozenset[str] = frozenset(CONTEXTS)  # the module's APPLIES_TO: contexts it reports in

    # The names of the first catalog, still read by callers elsewhere.
    @property
    def rationale(self) -> str:
        return self.why

    @property
    def bad(self) -> str:
        return self.example

    @property
    def good(self) -> str:
        return self.use_instead

    @property
    def fixable(self) -> bool:
        """Has an automatic fix of its own, or is fixed together with the probe's address."""
        return callable(getattr(self.module, "fix", None)) or bool(getattr(self.module, "FIXED_WITH_ADDR", False))


class RuleError(ValueError):
    pass


def load_rule(mod: ModuleType) -> Rule:
    """A Rule from a rule module, or RuleError naming what the module lacks."""
    where = mod.__name__

    def required(name: str) -> Any:
        if not hasattr(mod, name):
            raise RuleError(f"{where}: missing {name}")
        return getattr(mod, name)

    code, name, severity, check = required("CODE"), required("NAME"), required("SEVERITY"), required("check")
    if not isinstance(severity, Severity):
        raise RuleError(f"{where}: SEVERITY must be a Severity")
    if not callable(check):
        raise RuleError(f"{where}: check must be a function")
    docs = {}
    for field in DOC_FIELDS:
        value = required(field)
        if not isinstance(value, str) or not value.strip():
            raise RuleError(f"{where}: {field} must be a non-empty string")
        docs[field] = value
    refs = required("REFERENCES")
    if isinstance(refs, str) or not isinstance(refs, (list, tuple)) or not refs \
            or not all(isinstance(r, str) and r.strip() for r in refs):
        raise RuleError(f"{where}: REFERENCES must be a non-empty list of non-empty strings")
    rule = Rule(
        code=code, name=name, severity=severity, priority=getattr(mod, "PRIORITY", 0),
        summary=docs["SUMMARY"], what=docs["WHAT"], why=docs["WHY"], example=docs["EXAMPLE"],
        use_instead=docs["USE_INSTEAD"], fix_availability=docs["FIX"], fix_safety=docs["FIX_SAFETY"],
        references=tuple(refs), check=check, module=mod,
        applies_to=frozenset(getattr(mod, "APPLIES_TO", CONTEXTS)),
    )
    if not rule.applies_to or not rule.applies_to <= set(CONTEXTS):
        raise RuleError(f"{where}: APPLIES_TO must be a non-empty subset of {', '.join(CONTEXTS)}")
    says_never = rule.fix_availability.lstrip().lower().startswith("never")
    if rule.fixable == says_never:
        raise RuleError(f"{where}: FIX says {rule.fix_availability.split('.')[0]!r}, but the module "
                        f"{'has' if rule.fixable else 'has no'} fix")
    return rule


@cache
def all_rules() -> tuple[Rule, ...]:
    import migrator.rules as package

    rules = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        rules.append(load_rule(importlib.import_module(f"migrator.rules.{info.name}")))
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
