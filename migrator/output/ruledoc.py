"""A rule's documentation page, like ruff's rule pages: for `explain`, `rules --format json` and the
rule descriptors of SARIF."""

from __future__ import annotations

from migrator.check.registry import Rule

SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "References")
_FENCE = {".c": "c", ".h": "c", ".sh": "sh", ".bash": "sh", ".py": "python"}


def unwrap(s: str) -> str:
    """Hard-wrapped paragraphs as one line each; paragraphs stay apart."""
    return "\n\n".join(" ".join(p.split()) for p in s.strip().split("\n\n"))


def _language(rule: Rule) -> str:
    return _FENCE.get(getattr(rule.module, "EXAMPLE_SUFFIX", ".c"), "c")


def _sections(rule: Rule) -> list[tuple[str, str, bool]]:
    """(heading, body, body is code) in page order."""
    return [
        ("What it does", rule.what, False),
        ("Why is this bad?", rule.why, False),
        ("Example", rule.example, True),
        ("Use instead", rule.use_instead, True),
        ("Fix safety", rule.fix_availability.strip() + "\n\n" + rule.fix_safety.strip(), False),
        ("References", "\n".join(f"- {r}" for r in rule.references), False),
    ]


def markdown(rule: Rule) -> str:
    out = [f"# {rule.name} ({rule.code})", "", f"{rule.summary}.", "",
           f"Severity: {rule.severity.label}. Fix: {_fix_word(rule)}.", ""]
    for heading, body, code in _sections(rule):
        out.append(f"## {heading}")
        out.append("")
        out.append(f"```{_language(rule)}\n{body.rstrip()}\n```" if code else body.strip())
        out.append("")
    return "\n".join(out)


def text(rule: Rule) -> str:
    out = [f"{rule.name} ({rule.code}): {rule.summary}", f"Severity: {rule.severity.label}. Fix: {_fix_word(rule)}.",
           ""]
    for heading, body, code in _sections(rule):
        out.append(heading)
        out.append("".join("    " + line + "\n" for line in body.rstrip().splitlines()).rstrip("\n") if code
                   else body.strip())
        out.append("")
    return "\n".join(out)


def full_description(rule: Rule) -> str:
    """What it does and why that is bad, unwrapped (SARIF fullDescription)."""
    return unwrap(rule.what) + "\n\n" + unwrap(rule.why)


def as_dict(rule: Rule) -> dict[str, object]:
    return {
        "code": rule.code, "name": rule.name, "severity": rule.severity.label, "summary": rule.summary,
        "what": unwrap(rule.what), "why": unwrap(rule.why), "example": rule.example,
        "use_instead": rule.use_instead, "fix": unwrap(rule.fix_availability), "fix_safety": unwrap(rule.fix_safety),
        "fixable": rule.fixable, "references": list(rule.references),
    }


def _fix_word(rule: Rule) -> str:
    first = rule.fix_availability.strip().split(":")[0].split(".")[0].strip()
    return first[0].lower() + first[1:] if first else "never"
