'''tracefs-addr: a kprobe_events definition placed at a raw address.

Flags ``p:grp/ev 0xffffffff81363fb1`` (and ``r:``) written to ``kprobe_events`` from shell scripts,
Python strings and C strings, and definitions that format the address at run time
(``"p:kp/open 0x%x" % addr``, ``f"p:kp/open 0x{addr:x}"``, ``echo "p:kp 0x$addr"``). Fixable with
``fix --symbols MAP`` when the address is a literal: it becomes ``SYM+0xOFF``.
'''

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import Hit, ProbeModel, Severity
from migrator.core.model import AddrSite

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM501"
NAME = "tracefs-addr"
SEVERITY = Severity.ERROR
PRIORITY = 30
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


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for d in model.tracefs_defs:
        what = f"at {d.address:#x}" if d.address is not None else f"at an address formatted at run time ({d.text})"
        hits.append(Hit(d.anchor.start, d.anchor.end, (
            f"{d.api} {what}; the address breaks under KASLR and on any other build: "
            "write SYM+0xOFF and let the kernel resolve it"), subject=d))
    return hits


def fix(d: AddrSite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.sites import fix_site

    return fix_site(d, ctx.symbols)
