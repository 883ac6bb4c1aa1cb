"""The last step of the C front end: the walker's events become the model's facts."""

from __future__ import annotations

from migrator.core import model as M
from migrator.frontends.c import kallsyms
from migrator.frontends.c.origins import Origins
from migrator.frontends.c.shapes import REGISTER
from migrator.frontends.c.unit import Unit
from migrator.frontends.c.versions import branch_range, versions_at
from migrator.frontends.c.writes import Writes


def record(u: Unit) -> None:
    names = kallsyms.find_names(u)
    origins = Origins(u, names)
    Writes(u, origins).record()  # follows every written address: marks the kallsyms calls consumed
    kallsyms.record(u, names, origins.consumed)
    model, f = u.model, u.facts
    for br in u.lexed.branches:
        if branch_range(br).only_before(M.SYMBOL_NAME_SINCE):
            model.old_kernel_guard = u.src.line_of(br.start)
            break
    for anchor, name in f.jprobes:
        model.jprobes.append(M.Located(u.span(anchor), name, versions=versions_at(u.lexed, anchor)))
    for name, at, probe, fn in f.registrations:
        if name in REGISTER:
            model.registrations.append(M.Registration(name, u.span(at), probe, fn.name if fn else ""))
    writes = {w.anchor for w in f.writes}
    for use in f.addr_uses:
        if use.anchor in writes:
            continue
        check = u.tokens.if_statement(use.check_start) if use.check_start is not None else None
        model.addr_uses.append(M.AddrUse(use.probe, u.span(use.anchor), use.func.name if use.func else "",
                                         check, use.removable and check is not None))
