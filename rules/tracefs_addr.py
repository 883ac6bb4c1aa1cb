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
