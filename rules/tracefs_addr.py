'''tracefs-addr: a kprobe_events definition placed at a raw address.

Flags ``p:grp/ev 0xffffffff81363fb1`` (and ``r:``) written to ``kprobe_events`` from shell scripts,
Python strings and C strings, and definitions that format the address at run time
(``"p:kp/open 0x%x" % addr``, ``f"p:kp/open 0x{addr:x}"``, ``echo "p:kp 0x$addr"``). Fixable with
``fix --symbols MAP`` when the address is a literal: it becomes ``SYM+0xOFF``.
'''

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.core.findings import Hit, Severity
from migrator.core.model import (
    FORMATTED,
    KALLSYMS,
    LITERAL,
    TRACEFS_C,
    TRACEFS_PYTHON,
    TRACEFS_PYTHON_FSTRING,
    AddrSite,
    ProbeModel,
)

if TYPE_CHECKING:  # the fix machinery is imported by fix() only: a check run never loads it
    from migrator.check.rulekit import FixContext
    from migrator.fix.rewrite import Plan, Refusal

CODE = "PM501"
NAME = "tracefs-addr"
SEVERITY = Severity.ERROR
PRIORITY = 30
EXAMPLE_SUFFIX = ".sh"
SUMMARY = "tracefs kprobe_events definition at a raw address"
RATIONALE = """\
A tracefs definition `p[:[GRP/][EVENT]] [MOD:]SYM[+offs]|MEMADDR [FETCHARGS]`
(Documentation/trace/kprobetrace.rst) takes the probe location either as a symbol plus offset or
as a memory address; anything numeric is taken as an address (kernel/trace/trace_kprobe.c parses
it with kstrtoul before it tries a symbol). An address copied from System.map or computed from
/proc/kallsyms is right for one build booted without KASLR only: with KASLR (default on x86 since
4.12) the text moves at every boot and the write fails with -EINVAL or, worse, probes the middle
of another function. Write `SYM+0xOFF` and the kernel resolves it in the running kernel; a return
probe (`r:`) must name a function entry (offset 0)."""
BAD = """\
#!/bin/sh
cd /sys/kernel/tracing
echo 'p:kp/openat 0xffffffff81363fb1 dfd=%di' >> kprobe_events
"""
GOOD = """\
#!/bin/sh
cd /sys/kernel/tracing
echo 'p:kp/openat do_sys_openat2+0x11 dfd=%di' >> kprobe_events
echo '-:kp/openat' >> kprobe_events
"""


# -- what the rule says: every text once, with named placeholders -------------------------------
DEFINITION = "tracefs {kind} definition {command}{colon_event}"
MESSAGE = ("{definition} {where}; the address breaks under KASLR and on any other build: "
           "write SYM+0xOFF and let the kernel resolve it")
AT_ADDRESS = "at {address:#x}"
AT_FORMATTED = "at an address formatted at run time ({text})"
# the fix: the location becomes the symbol plus the offset left over
LOCATION = "{name}{plusoff}"
# refusals
FORMATTED_IN_PYTHON = "the address is formatted at run time; write the symbol name (SYM+OFF) into the definition"
FORMATTED_ELSEWHERE = FORMATTED_IN_PYTHON + " instead"  # shell and C say "instead" (historic wording)
ESCAPED = "the address is written with escapes in the string; rewrite it by hand"
SHARED_VARIABLE = "${variable} is used elsewhere too; set the definition to SYM+OFF by hand"
VARIABLE_FROM_SYMBOL_FILE = ("${variable} is looked up in a symbol file at run time; put the symbol name into the "
                             "definition instead")
VARIABLE_AT_RUN_TIME = ("${variable} holds an address that is set in more than one place or made at run time; put "
                        "the symbol name (SYM+OFF) into the definition instead")
RUN_TIME_ONLY = "the address is only known at run time; use the symbol name instead"


def describe(d: AddrSite) -> str:
    """"tracefs kprobe definition p:grp/ev"."""
    return DEFINITION.format(kind="kretprobe" if d.command == "r" else "kprobe", command=d.command,
                             colon_event=":" + d.event if d.event else "")


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for d in model.tracefs_defs:
        where = AT_ADDRESS.format(address=d.address) if d.address is not None else AT_FORMATTED.format(text=d.text)
        hits.append(Hit(d.anchor.start, d.anchor.end, MESSAGE.format(definition=describe(d), where=where), subject=d))
    return hits


def refusal(d: AddrSite) -> str:
    """Why the definition is not rewritten in place, or ""."""
    python = d.form in (TRACEFS_PYTHON, TRACEFS_PYTHON_FSTRING)
    # an f-string is formatted as a whole, and what was searched is its source text, not its value
    if d.origin == FORMATTED or d.form == TRACEFS_PYTHON_FSTRING:
        return FORMATTED_IN_PYTHON if python else FORMATTED_ELSEWHERE
    if d.origin == KALLSYMS:
        return VARIABLE_FROM_SYMBOL_FILE.format(variable=d.variable)
    if d.origin != LITERAL or d.address is None or d.address_span is None:
        return VARIABLE_AT_RUN_TIME.format(variable=d.variable) if d.variable else RUN_TIME_ONLY
    if d.address_escaped:  # C strings word it as formatted (historic wording)
        return FORMATTED_ELSEWHERE if d.form == TRACEFS_C else ESCAPED
    if d.variable and d.variable_uses != 1:
        return SHARED_VARIABLE.format(variable=d.variable)
    return ""


def fix(d: AddrSite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix import sites
    from migrator.fix.rewrite import Refusal

    why = refusal(d)
    if why or d.address is None or d.address_span is None:
        return Refusal(why or RUN_TIME_ONLY)
    res = sites.resolve(d.address, ctx.symbols, function_entry=d.kretprobe)
    if isinstance(res, Refusal):
        return res
    location = LOCATION.format(name=res.name, plusoff=sites.plus_offset(res.offset))
    return sites.plan([(d.address_span, location)], describe(d), res)
