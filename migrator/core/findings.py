"""Findings, severities and edits: the values that flow from rules to reports and patches."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migrator.core.model import Subject


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the bytes ``[start, end)`` of the original text with ``text``."""

    start: int
    end: int
    text: str


@dataclass
class Related:
    """The other half of a finding's construct, in the same file (SARIF relatedLocations)."""

    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    start: int = 0
    end: int = 0


@dataclass
class Finding:
    path: str
    line: int  # 1-based
    column: int  # 1-based, in characters of the decoded line
    end_line: int
    end_column: int  # exclusive
    rule: str  # stable rule name, e.g. "addr-literal"
    code: str  # e.g. "PM101"
    severity: Severity
    message: str
    # Offsets into the source text; the engine uses them to de-duplicate findings per site.
    start: int = 0
    end: int = 0
    site: int = -1  # offset of the statement/declaration the finding belongs to
    fix: list[Edit] | None = None
    notes: list[str] = field(default_factory=list)
    subject: Subject | None = field(default=None, repr=False, compare=False)  # the model item, for fixes
    related: list[Related] = field(default_factory=list)
    context: str = ""  # what the file is: module, builtin, kprobes-core, userspace (check/context.py)
    # Whether `fix` would rewrite it: True, "needs-map" or False; None until migrator.fix.fixability
    # computes it (check --format json|sarif only).
    fix_state: bool | str | None = field(default=None, compare=False)

    @property
    def fixable(self) -> bool | str:
        return self.fix_state if self.fix_state is not None else bool(self.fix)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)


@dataclass
class Diagnostic:
    """Something about the input rather than the code: unparsed constructs, unreadable files."""

    path: str
    line: int
    column: int
    severity: Severity
    # "parse", "io", "internal", "limit" (--max-bytes, --timeout-per-file), "skip" (binary, not a file),
    # "context" (no rule applies)
    kind: str
    message: str
    end_line: int = 0


@dataclass
class Hit:
    """What a rule reports: a place in the file and why. The engine makes it a Finding."""

    start: int
    end: int
    message: str
    severity: Severity | None = None  # None: the rule's default
    notes: list[str] = field(default_factory=list)
    subject: Subject | None = None  # the model item it is about (a FieldWrite, ...), for fixes
    related: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, what it is) elsewhere in the file
