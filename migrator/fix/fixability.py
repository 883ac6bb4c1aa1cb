"""Whether ``fix`` would rewrite each finding, for ``check --format json|sarif``.

Each rule's ``fix`` runs on the finding's subject WITHOUT a symbol map: a Plan is ``True``, a
Refusal whose reason is NEEDS_MAP (only the map is missing) is ``"needs-map"``, anything else is
``False``. offset-without-symbol (FIXED_WITH_ADDR) goes with the address of its probe, as in the
fixer. Imported by the JSON and SARIF writers only: the text path of ``check`` never loads it.

What this does not do: the fixer's re-check of the edited text (a plan it would then drop still
says ``True``) and the map's own refusals (an address the map cannot resolve still says
``"needs-map"``).
"""

from __future__ import annotations

from migrator.check.engine import FileResult, Options, check_bytes
from migrator.check.registry import Rule, all_rules
from migrator.core.findings import Finding
from migrator.core.model import FieldWrite, ProbeModel, same_probe
from migrator.fix.kit import NEEDS_MAP, FixContext, Refusal

NEEDS_MAP_STATE = "needs-map"
# Every "only the map is missing" refusal starts so: NEEDS_MAP itself, or stap-kprobe-table's own
# wording (which names the map of the release the script was translated for).
NEEDS_MAP_PREFIX = "needs a symbol map"
State = bool | str


def annotate(results: list[FileResult]) -> None:
    """Set ``fix_state`` on every finding of ``results``."""
    rules = {r.name: r for r in all_rules()}
    for r in results:
        if r.findings:
            _annotate_file(r, rules)


def _annotate_file(r: FileResult, rules: dict[str, Rule]) -> None:
    text, model, subjects = _facts(r)
    states: dict[int, State] = {}
    covered: list[object] = []  # what a plan covers besides its own finding (SystemTap's loop)
    for i, f in enumerate(r.findings):
        rule = rules.get(f.rule)
        module = rule.module if rule is not None else None
        fixer = getattr(module, "fix", None)
        subject = subjects[i]
        if fixer is None or subject is None or model is None or getattr(module, "FIXED_WITH_ADDR", False):
            continue
        if any(x is subject for x in covered):  # the fixer fixes it with that plan
            states[i] = True
            continue
        try:
            result = fixer(subject, FixContext(text, model, None))
        except Exception:  # noqa: BLE001 - a fix that fails here fails in fix too: not fixable
            continue
        if isinstance(result, Refusal):
            needs = result.reason == NEEDS_MAP or result.reason.startswith(NEEDS_MAP_PREFIX)
            states[i] = NEEDS_MAP_STATE if needs else False
        else:
            states[i] = True
            covered += result.covers
    for i, f in enumerate(r.findings):
        rule = rules.get(f.rule)
        if rule is not None and getattr(rule.module, "FIXED_WITH_ADDR", False):
            states[i] = _with_addr(i, r.findings, subjects, states)
        f.fix_state = states.get(i, False)


def _with_addr(i: int, findings: list[Finding], subjects: list[object], states: dict[int, State]) -> State:
    """An offset finding is fixed with its probe's address: the best state of that address's finding."""
    o = subjects[i]
    if not isinstance(o, FieldWrite):
        return False
    best: State = False
    for j, s in enumerate(subjects):
        if j == i or not isinstance(s, FieldWrite) or s.field != "addr":
            continue
        if same_probe(s.probe, o.probe) and s.function == o.function:
            st = states.get(j, False)
            if st is True:
                return True
            best = best or st
    return best


def _facts(r: FileResult) -> tuple[str, ProbeModel | None, list[object]]:
    """The text, the model and each finding's subject; a result from the cache has none of them,
    so its file is analysed again (no cache) and its findings matched by rule and place."""
    if r.model is not None and r.source is not None and all(f.subject is not None for f in r.findings):
        return r.source.text, r.model, [f.subject for f in r.findings]
    try:
        with open(r.path, "rb") as fh:
            data = fh.read()
    except OSError:
        return "", None, [None] * len(r.findings)
    again = check_bytes(r.path, data, Options(list(all_rules())))
    if again.model is None or again.source is None:
        return "", None, [None] * len(r.findings)
    where = {(f.rule, f.start, f.end): f.subject for f in again.findings}
    return again.source.text, again.model, [where.get((f.rule, f.start, f.end)) for f in r.findings]
