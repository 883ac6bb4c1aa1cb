"""What a rule's ``check`` imports: the model, the finding types and the shared wording.

A rule module declares CODE, NAME, SEVERITY, its documentation (SUMMARY, WHAT, WHY, EXAMPLE,
USE_INSTEAD, FIX, FIX_SAFETY, REFERENCES: see migrator.check.registry), optionally PRIORITY (the
higher wins when two rules report the same site), and a ``check(model)`` that yields Hits. Its
``fix`` imports ``migrator.fix.kit`` inside the function: a ``check`` run never loads fix code
(tests/test_check_imports.py asserts it).
"""

from __future__ import annotations

from migrator.core.display import probe_display
from migrator.core.findings import Hit, Severity
from migrator.core.model import COMPUTED, FUNCTION_REF, KALLSYMS, LITERAL, NULL, RELOCATED, FieldWrite, ProbeModel
from migrator.core.names import CONTEXT_MODULE

__all__ = [
    "COMPUTED", "FUNCTION_REF", "KALLSYMS", "LITERAL", "NULL", "RELOCATED", "FieldWrite", "Hit",
    "ProbeModel", "Severity", "addr_hit", "hex_or", "places_probes", "probe_name", "reads_for_probes",
]

PRE_2619 = (
    "; kept at low severity because this branch only builds for kernels before 2.6.19, which have no "
    "symbol_name: delete the branch when those kernels are dropped"
)
FALLBACK = "found in a construct the parser could not read; it will not be fixed automatically"
MACRO = "the probe is built by the function-like macro {0}(); fix the macro or its invocations by hand"


def probe_name(w: FieldWrite) -> str:
    """The probe a write belongs to, as a message names it: never the front end's scoped identity."""
    return probe_display(w.probe) if w.probe and w.probe != "?" else "the probe"


def addr_hit(w: FieldWrite, message: str) -> Hit:
    """A hit at an addr/offset write, with the shared qualifiers (old-kernel guard, macro, fallback)."""
    notes = []
    severity = None
    if w.pre_2619:
        message += PRE_2619
        severity = Severity.INFO
    if w.macro:
        notes.append(MACRO.format(w.macro))
    if w.fallback:
        notes.append(FALLBACK)
    return Hit(w.anchor.start, w.anchor.end, message, severity, notes, w)


def places_probes(model: ProbeModel) -> bool:
    """The file itself places probes (C probe writes, tracefs definitions, attach calls, tracer or
    loader command lines), or hands a module's device what it computed: what it reads from a symbol
    file can reach one. Outside a module, a file reading symbol addresses without this is a
    symbolizer (perf, bpftool, a KASLR scanner), not a probe loader."""
    return any((model.addr_writes, model.symbol_writes, model.registrations, model.tracefs_defs, model.attach_addrs,
                model.cli_probe_addrs, model.modparam_addrs, model.generated_addrs, model.generated_probe_addrs,
                model.multi_addrs, model.probe_tables, model.feeds_module))


def reads_for_probes(model: ProbeModel) -> bool:
    """Does reading symbol addresses count here? In a module always; elsewhere where the file places
    probes, or where it did not parse (then whether it places probes is unknown)."""
    return model.context in ("", CONTEXT_MODULE) or bool(model.syntax_error) or places_probes(model)


def hex_or(value: int | None, text: str) -> str:
    return hex(value) if value is not None else text
