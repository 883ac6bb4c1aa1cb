"""tracefs ``kprobe_events`` definitions: ``p[:[GRP/][EVENT]] [MOD:]SYM[+offs]|MEMADDR [FETCHARGS]``.

Documentation/trace/kprobetrace.rst: anything numeric in the location is an address
(kernel/trace/trace_kprobe.c parses it with kstrtoul before trying a symbol). A definition by
symbol is clean; ``-:name`` deletes an event and is not a definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The command (p, r, r<MAXACTIVE>), the optional [GRP/]EVENT, then the location.
# A format field in the location may hold spaces: 0x{entry + 0x20:x}.
DEF_RE = re.compile(r"(?P<cmd>[pr])(?P<max>\d*)(?::(?P<event>[^\s'\"`;|&<>]*))?[ \t]+"
                    r"(?P<loc>(?:\{[^{}\n'\"]*\}|[^\s'\"`;|&<>\\{])+)")
NUMBER_RE = re.compile(r"(?:0[xX][0-9a-fA-F]+|\d+)")
# Addresses formatted at run time: printf/%-formatting, str.format/f-strings, shell expansions.
PLACEHOLDER_RE = re.compile(
    r"(?:0[xX])?%[#0-9.]*[lhjzt]*[xXdu]|0[xX]%[-#0-9.]*s"          # 0x%lx, %#x, %lu, 0x%s
    r"|(?:0[xX])?\{[^{}]*:[#0-9]*[xXd]\}|0[xX]\{[^{}]*\}"           # {a:#x}, 0x{a:x}, 0x{a}
    r"|\{(?:hex|int)\([^{}]*\)\}"                                    # {hex(a)}
    r"|0[xX]\$\{?\w+\}?"                                             # 0x$addr, 0x${addr}
)


@dataclass
class Definition:
    cmd: str  # "p" or "r"
    event: str
    loc_start: int  # offset of the location in the searched text
    loc_end: int
    loc: str
    address: int | None  # a numeric address
    formatted: bool  # an address formatted at run time
    variable: str = ""  # a shell variable the location expands ($ADDR), when it is not 0x$...


def location_kind(loc: str) -> tuple[int | None, bool, str]:
    """(address, formatted at run time, variable) for a location token."""
    if NUMBER_RE.fullmatch(loc):
        return int(loc, 16) if loc[:2].lower() == "0x" else int(loc), False, ""
    m = PLACEHOLDER_RE.match(loc)
    if m and m.end() == len(loc):
        return None, True, ""
    v = re.fullmatch(r"\$\{?([A-Za-z_]\w*)\}?", loc)
    if v:
        return None, False, v.group(1)
    return None, False, ""


def find(text: str, starts: list[int] | None = None) -> list[Definition]:
    """Definitions starting at the given offsets (default: the start of ``text`` and of each line)."""
    if starts is None:
        starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    out = []
    for s in starts:
        while s < len(text) and text[s] in " \t":
            s += 1
        m = DEF_RE.match(text, s)
        if not m:
            continue
        loc = m.group("loc")
        address, formatted, variable = location_kind(loc)
        if address is None and not formatted and not variable:
            continue
        out.append(Definition(m.group("cmd"), m.group("event") or "", m.start("loc"), m.end("loc"), loc, address,
                              formatted, variable))
    return out

