"""symbol-name-marker: a kprobe located by a linker marker (``_text``, ``_stext``) plus an offset.

Flags ``.symbol_name = "_text", .offset = 0x8a3c0``: the name is a section start, not a function,
so the offset is an address into one build's image layout. Fixable with ``fix --symbols MAP``: the
marker plus the offset resolve to the function the offset falls in (and the offset into it).

Added after the restructure as one new module: it reads only facts the C front end already
records (symbol_name writes with their string, offset writes), and touches no front end.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from migrator.check.rulekit import FieldWrite, Hit, ProbeModel, Severity, probe_name
from migrator.core.model import compatible, same_probe
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE, LINKER_MARKER_PATTERN

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM109"
NAME = "symbol-name-marker"
SEVERITY = Severity.ERROR
PRIORITY = 40
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
SUMMARY = "kprobe symbol_name is a linker marker, not a function"
WHAT = """\
Checks for probes whose `.symbol_name` is a linker marker (`_text`, `_stext`, `_sinittext`,
`__*_start`/`__*_end`) with an `.offset` into the kernel image."""
WHY = """\
register_kprobe() resolves `.symbol_name` with kprobe_lookup_name(), adds `.offset`, and re-bases
the result onto the symbol that contains it (kernel/kprobes.c, _kprobe_addr():
kallsyms_lookup_size_offset() then arch_adjust_kprobe_addr(), Linux 6.12). It accepts any symbol
kallsyms knows, linker markers included. But a marker names a section boundary, not code:
`_text + 0xa0a60` is whatever sits 0xa0a60 bytes into the image of the running build, which is
kernel_clone on the build the offset was measured on and something else after a rebuild, another
config or -ffunction-sections. That is the `_stext`-relative scheme `.symbol_name` exists to
replace."""
EXAMPLE = """\
#include <linux/kprobes.h>
static struct kprobe kp = {
	.symbol_name = "_text",
	.offset = 0xa0a60,
};
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = {
	.symbol_name = "kernel_clone",
};
"""
FIX = """\
With a symbol map (`fix --symbols MAP`): the marker plus the offset resolve to the function the
address falls in; the marker becomes the function's name and the offset the offset into it (the
`.offset` line goes when that is 0)."""
FIX_SAFETY = """\
The probed instruction is the one the marker and offset give on the map's build. Refused: an
offset that is not one constant, an address the map cannot place, a return probe that would not
sit at a function entry, a probe built by a macro. A non-zero offset that remains is still
specific to that build: instruction boundaries move between builds."""
REFERENCES = (
    "kernel/kprobes.c: _kprobe_addr(), kprobe_lookup_name() (Linux 6.12)",
    "kernel/kallsyms.c: kallsyms_lookup_size_offset()",
    "rules/addr_computed.py: kallsyms_lookup_name(\"_text\") + C is resolved the same way",
)

MESSAGE = ("{probe} is located by the linker marker {name} plus an offset, an address in one build's image "
           "layout: name the function the offset falls in (fix --symbols MAP resolves it)")
NOT_ONE_OFFSET = "{probe} has an .offset that is not one constant; resolve {name}+offset by hand"
MARKER = re.compile(LINKER_MARKER_PATTERN)


def check(model: ProbeModel) -> list[Hit]:
    return [Hit(w.string_span.start, w.string_span.end, MESSAGE.format(probe=probe_name(w), name=w.string), subject=w)
            for w in model.symbol_writes
            if w.string is not None and w.string_span is not None and MARKER.match(w.string)]


def _offsets(model: ProbeModel, w: FieldWrite) -> list[FieldWrite]:
    return [o for o in model.offset_writes
            if same_probe(o.probe, w.probe) and o.function == w.function and compatible(o.branch_path, w.branch_path)]


def fix(w: FieldWrite, ctx: FixContext) -> Plan | Refusal:
    from migrator.core.findings import Edit
    from migrator.fix.kit import NEEDS_MAP, Plan, Refusal, c_string
    from migrator.fix.rewrite import remove_span

    name = w.string or ""
    if w.macro or w.fallback or w.string_span is None:
        return Refusal("the probe is not written in a shape the rewriter handles; name the function by hand")
    offsets = _offsets(ctx.model, w)
    if len(offsets) > 1 or offsets and offsets[0].number is None:
        return Refusal(NOT_ONE_OFFSET.format(probe=probe_name(w), name=name))
    if ctx.symbols is None:
        return Refusal(NEEDS_MAP)
    base = ctx.symbols.address_of(name)
    if base is None:
        return Refusal(f"{name} is not in {ctx.symbols.label}")
    offset = offsets[0].number or 0 if offsets else 0
    res = ctx.symbols.resolve(base + offset)
    if not res.ok or res.symbol is None:
        return Refusal(res.refused or "not resolvable")
    if w.kretprobe and res.offset:
        return Refusal(f"{name}+{offset:#x} resolves to {res.symbol.qualified}+{res.offset:#x}, but a return probe "
                       "must sit at a function entry: the map is probably not the kernel the offset came from")
    edits = [Edit(w.string_span.start, w.string_span.end, c_string(res.symbol.qualified))]
    if offsets and res.offset:
        edits.append(Edit(offsets[0].value_span.start, offsets[0].value_span.end, hex(res.offset)))
    elif offsets:
        edits.append(remove_span(ctx.text, offsets[0].item_span.start, offsets[0].item_span.end))
    elif res.offset:
        return Refusal(f"{name} resolves to {res.symbol.qualified}+{res.offset:#x}; add that .offset by hand")
    plan = Plan(sorted(edits), targets=[(res.symbol.qualified, res.offset)])
    where = f"{res.symbol.qualified}+{res.offset:#x}" if res.offset else res.symbol.qualified
    plan.explanation.append(f"{name}+{offset:#x} resolved with {ctx.symbols.label} to {where}: the function, "
                            "not a section boundary, now names the probe point")
    if res.offset:
        plan.explanation.append(f"the offset {res.offset:#x} into {res.symbol.qualified} is still specific to this "
                                "build: instruction boundaries move between builds")
    plan.warnings.extend(res.warnings)
    return plan
