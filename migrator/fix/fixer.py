"""fix: findings -> rule fixes -> edits -> new text, each fix re-checked before it is offered.

A fix is kept only if the edited file, checked again, no longer has the finding and has no
finding it did not have before. Fixes are first tried together; if the combined result does not
re-check cleanly, each probe's fix is tried alone and only the ones that pass are kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from migrator.check.engine import FileResult, Options, check_bytes
from migrator.check.registry import Rule, all_rules
from migrator.core.findings import Edit, Finding
from migrator.core.source import encode
from migrator.fix.kit import FixContext
from migrator.fix.rewrite import Plan, Refusal, apply, overlaps
from migrator.fix.symbols import SymbolMap


@dataclass
class Applied:
    findings: list[Finding]  # the finding fixed, plus merged ones (offset-without-symbol)
    plan: Plan
    late: bool = False  # planned on the first pass's result (FIX_LAST): its edits are offsets of ``FileFix.mid``


@dataclass
class FileFix:
    path: str
    original: bytes
    new: bytes | None = None
    applied: list[Applied] = field(default_factory=list)
    refused: list[tuple[Finding, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # skipped: size or time limit, binary file
    mid: bytes | None = None  # the first pass's result, when a second pass (FIX_LAST) applied fixes to it

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.original


def fix_bytes(path: str, data: bytes, opts: Options, symbols: SymbolMap | None, keep_old_kernels: bool = False) -> FileFix:
    """The fixes of one file. An exception is that file's error, never the run's: the per-file
    error boundary of fix, as check_bytes is check's."""
    try:
        return _fix_bytes(path, data, opts, symbols, keep_old_kernels)
    except Exception as e:  # noqa: BLE001 - the per-file error boundary
        import os
        import traceback

        tb = traceback.extract_tb(e.__traceback__)[-1]
        out = FileFix(path, data)
        out.errors = [f"internal error while fixing: {type(e).__name__}: {str(e)[:200]} "
                      f"(at {os.path.basename(tb.filename)}:{tb.lineno}); please report it with this file"]
        return out


def _fix_bytes(path: str, data: bytes, opts: Options, symbols: SymbolMap | None, keep_old_kernels: bool) -> FileFix:
    """Two passes: the rules' fixes, then on their result the fixes of the rules that go last
    (``FIX_LAST``: the jprobe migration flattens ``.kp.addr``, which the address fixes rewrite)."""
    first = _one_pass(path, data, opts, symbols, False, keep_old_kernels)
    if first.errors or first.warnings or not any(getattr(r.module, "FIX_LAST", False) for r in all_rules()):
        return first
    mid = first.new if first.new is not None else data
    second = _one_pass(path, mid, opts, symbols, True, keep_old_kernels)
    if second.errors or not (second.applied or second.refused):
        return first
    originals = check_bytes(path, data, opts).findings
    for a in second.applied:
        a.findings = [_original(f, originals) for f in a.findings]
        a.late = True
    first.mid = mid if second.applied else None
    second.refused = [(_original(f, originals), why) for f, why in second.refused]
    first.applied += second.applied
    first.refused += second.refused
    if second.new is not None:
        first.new = second.new
    return first


def _original(f: Finding, originals: list[Finding]) -> Finding:
    """The finding of the original text that ``f`` (found in the first pass's result) is."""
    return next((o for o in originals if o.rule == f.rule and o.message == f.message), f)


def _one_pass(path: str, data: bytes, opts: Options, symbols: SymbolMap | None, late: bool,
              keep_old_kernels: bool) -> FileFix:
    out = FileFix(path, data)
    before = check_bytes(path, data, opts)
    out.errors = [d.message for d in before.diagnostics if d.kind in ("io", "internal")]
    out.warnings = [d.message for d in before.diagnostics if d.kind in ("limit", "skip")]
    if not before.findings or before.model is None or before.source is None:
        return out
    text = before.source.text
    ctx = FixContext(text, before.model, symbols, keep_old_kernels)
    rules = {r.name: r for r in all_rules()}
    candidates: list[Applied] = []
    merged: dict[int, list[Finding]] = {}  # id(addr write) -> offset findings fixed along with it
    for f in before.findings:
        rule = rules[f.rule]
        if getattr(rule.module, "FIXED_WITH_ADDR", False) or bool(getattr(rule.module, "FIX_LAST", False)) != late:
            continue
        owner = next((c for c in candidates if any(x is f.subject for x in c.plan.covers)), None)
        if owner is not None:  # fixed by a plan that covers several writes (SystemTap's loop)
            owner.findings.append(f)
            continue
        fixer = getattr(rule.module, "fix", None)
        if fixer is None:
            out.refused.append((f, _no_fix_reason(rule)))
            continue
        result = fixer(f.subject, ctx)
        if isinstance(result, Refusal):
            out.refused.append((f, result.reason))
            continue
        if _self_overlapping(result.edits):
            out.refused.append((f, "the code's layout (a preprocessor line inside a declaration, a macro "
                                   "spanning the construct) leaves no exact rewrite; fix it by hand"))
            continue
        if any(overlaps(result.edits, c.plan.edits) for c in candidates):
            out.refused.append((f, "its edits overlap another fix in the same place; run fix again afterwards"))
            continue
        candidates.append(Applied([f], result))
        merged[id(f.subject)] = [f]
    # offset-without-symbol goes with the fix of its probe's address
    for f in before.findings:
        if late or not getattr(rules[f.rule].module, "FIXED_WITH_ADDR", False):
            continue
        owner = next((c for c in candidates if _same_probe_fix(c, f)), None)
        if owner is None:
            out.refused.append((f, "fixed together with the probe's address, which was not fixed"))
        else:
            owner.findings.append(f)
    kept = _verify(path, text, before.findings, candidates, opts, out, _unparsed(before))
    out.applied = kept
    if kept:
        new_text = apply(text, [e for c in kept for e in c.plan.edits])
        new_text = _drop_unused_helpers(path, text, new_text, before.findings, kept, opts, _unparsed(before))
        out.new = encode(new_text)
    return out


def _drop_unused_helpers(path: str, old: str, new: str, before: list[Finding], kept: list[Applied],
                         opts: Options, unparsed_before: int = 0) -> str:
    """Delete static functions the fixes left without callers, if the result still re-checks."""
    from migrator.fix.rewrite import alone_on_lines, remove_span
    from migrator.fix.unused import newly_unused, newly_unused_macros

    if not path.endswith(".c"):  # C only; a header's statics and macros may be used by the files including it
        return new
    candidate, removed = new, []
    for _round in range(3):  # a helper may be the only user of another
        unused = [(name, spans) for name, spans in newly_unused(old, candidate) + newly_unused_macros(old, candidate)
                  if all(alone_on_lines(candidate, a, b) for a, b in spans)]  # whole lines only (found by fuzzing)
        if not unused:
            break
        try:
            candidate = apply(candidate, [remove_span(candidate, a, b) for _n, spans in unused for a, b in spans])
        except ValueError:
            return new
        removed += [name for name, _spans in unused]
    if not removed:
        return new
    after = check_bytes(path, encode(candidate), opts)
    expected = Counter(f.rule for f in before if not _note(f))
    for c in kept:
        for f in c.findings:
            expected[f.rule] -= 1
    got = Counter(f.rule for f in after.findings if not _note(f))
    if any(got[r] > expected[r] for r in got) or _not_analysed(after):
        return new
    if _unparsed(after) > unparsed_before:  # the removal left code the parser cannot read (found by fuzzing)
        return new
    kept[-1].plan.explanation.append(f"removed {', '.join(removed)}, which nothing used any more (gcc -Wunused)")
    return candidate


def _same_probe_fix(c: Applied, offset_finding: Finding) -> bool:
    from migrator.core.model import FieldWrite, same_probe

    w = c.findings[0].subject
    o = offset_finding.subject
    if not isinstance(w, FieldWrite) or not isinstance(o, FieldWrite):  # e.g. a tracefs site's fix
        return False
    return same_probe(w.probe, o.probe) and w.function == o.function


def _note(f: Finding) -> bool:
    """An info finding: code the rules accept as it is (a jprobe kept for kernels before 4.20 by
    --keep-old-kernels, a lookup only built before 5.7); an edit may leave or add one."""
    return f.severity.label == "info"


def _not_analysed(result: FileResult) -> bool:
    """An internal error, a size or time limit (a parse note is counted apart)."""
    return any(d.kind != "parse" for d in result.diagnostics)


def _unparsed(result: object) -> int:
    return sum(1 for d in getattr(result, "diagnostics", []) if d.kind == "parse")


def _recheck(path: str, text: str, before: list[Finding], group: list[Applied], opts: Options,
             unparsed_before: int) -> str | None:
    """None when the group re-checks cleanly, else why not."""
    new = apply(text, [e for c in group for e in c.plan.edits])
    after = check_bytes(path, encode(new), opts)
    if _not_analysed(after):
        return "the edited file could not be analysed again"
    if _unparsed(after) > unparsed_before:
        return "the edit left a construct the parser could not read"
    expected = Counter(f.rule for f in before if not _note(f))
    for c in group:
        for f in c.findings:
            expected[f.rule] -= 1
    got = Counter(f.rule for f in after.findings if not _note(f))
    if got == +expected:
        return None
    new_rules = sorted(r for r in got if got[r] > expected[r])
    if new_rules:
        return "the edited file has new findings (" + ", ".join(new_rules) + ")"
    return "the finding is still there after the edit"


def _verify(path: str, text: str, before: list[Finding], candidates: list[Applied], opts: Options,
            out: FileFix, unparsed: int) -> list[Applied]:
    if not candidates or _recheck(path, text, before, candidates, opts, unparsed) is None:
        return candidates
    kept: list[Applied] = []
    for c in candidates:
        why = _recheck(path, text, before, [c], opts, unparsed)
        if why is None:
            kept.append(c)
        else:
            out.refused.extend((f, f"fix dropped after re-check: {why}") for f in c.findings)
    if kept and _recheck(path, text, before, kept, opts, unparsed) is not None:
        out.refused.extend((f, "fix dropped: the fixes do not re-check together") for c in kept for f in c.findings)
        return []
    return kept


def _no_fix_reason(rule: Rule) -> str:
    """Why the rule offers no fix: its own NO_FIX text (rules without fix() declare one)."""
    return getattr(rule.module, "NO_FIX", "no automatic fix")


def _self_overlapping(edits: list[Edit]) -> bool:
    """A plan whose own edits overlap: the front end read an odd layout in two ways at once."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    return any(b.start < a.end for a, b in zip(ordered, ordered[1:], strict=False))
