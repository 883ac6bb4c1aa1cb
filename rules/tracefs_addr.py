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
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

if TYPE_CHECKING:  # the fix machinery is imported by fix() only: a check run never loads it
    from migrator.fix.kit import FixContext
    from migrator.fix.rewrite import Plan, Refusal

CODE = "PM501"
NAME = "tracefs-addr"
SEVERITY = Severity.ERROR
PRIORITY = 30
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
EXAMPLE_SUFFIX = ".sh"
SUMMARY = "tracefs kprobe_events definition at a raw address"
WHAT = """\
Checks for tracefs kprobe_events definitions placed at a raw address: `p:grp/ev 0xffffffff81363fb1`
(and `r:`) written from shell scripts, Python strings and C strings, and definitions that format
the address at run time (`"p:kp/open 0x%x" % addr`, `echo "p:kp 0x$addr"`)."""
WHY = """\
A definition `p[:[GRP/][EVENT]] [MOD:]SYM[+offs]|MEMADDR [FETCHARGS]`
(Documentation/trace/kprobetrace.rst) takes either a symbol plus offset or a memory address, and
anything numeric is an address: __trace_kprobe_create() (kernel/trace/trace_kprobe.c, Linux 6.12)
tries kstrtoul() before it reads the word as a symbol. An address copied from System.map is right
for one build booted without KASLR only; anywhere else the probe fails to register (-EINVAL
outside kernel text, -EILSEQ on x86 off an instruction boundary) or probes an instruction of
another function. Written as `SYM+0xOFF`, the location is resolved in the running kernel. A return
probe (`r:`) must name a function entry, or the write fails with BAD_RETPROBE.

One case needs an address: Linux 6.12 refuses a symbol name that is not unique (NON_UNIQ_SYMBOL,
validate_probe_symbol() in trace_kprobe.c, whose comment says to use the address). Then read the
address from the running kernel's /proc/kallsyms when the probe is created and mark the line
`# probe-migrator: ignore tracefs-addr`. A non-zero `+offs` is specific to the build it was
measured on, like a `.offset`."""
EXAMPLE = """\
#!/bin/sh
cd /sys/kernel/tracing
echo 'p:kp/openat 0xffffffff81363fb1 dfd=%di' >> kprobe_events
"""
USE_INSTEAD = """\
#!/bin/sh
cd /sys/kernel/tracing
echo 'p:kp/openat do_sys_openat2+0x11 dfd=%di' >> kprobe_events
echo '-:kp/openat' >> kprobe_events
"""
FIX = """\
With a symbol map, when the address is a literal: it becomes `SYM+0xOFF`."""
FIX_SAFETY = """\
Refuses addresses formatted at run time, definitions it cannot edit in place, an `r:` probe that
would not land on a function entry, and an address the map cannot vouch for (outside the kernel text
it describes, in module space it has no symbols for, past the end of its symbol or only after a
linker marker, or resolving to a name that occurs more than once in it)."""
REFERENCES = (
    "kernel/trace/trace_kprobe.c: __trace_kprobe_create(), validate_probe_symbol() (Linux 6.12)",
    "Documentation/trace/kprobetrace.rst: synopsis of kprobe_events",
    "kernel/kprobes.c: check_kprobe_address_safe(), kprobe_on_func_entry()",
)


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
    from migrator.fix import resolution as sites
    from migrator.fix.rewrite import Refusal

    why = refusal(d)
    if why or d.address is None or d.address_span is None:
        return Refusal(why or RUN_TIME_ONLY)
    res = sites.resolve(d.address, ctx.symbols, function_entry=d.kretprobe)
    if isinstance(res, Refusal):
        return res
    location = LOCATION.format(name=res.name, plusoff=sites.plus_offset(res.offset))
    return sites.plan([(d.address_span, location)], describe(d), res)
