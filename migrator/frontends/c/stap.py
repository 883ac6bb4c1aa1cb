"""SystemTap's generated probe tables: ``{ .address=0x3669e0, .module="kernel", .section="_stext", ... }``.

The 2008 translator emits such a table plus a loop that relocates each entry with
``_stp_module_relocate(sdp->module, sdp->section, sdp->address)`` and writes ``kp->u.kp.addr``.
Read token by token: the tables can be long and need no parse.
"""

from __future__ import annotations

import re

from migrator.core import model as M
from migrator.frontends.c.constructs import Split
from migrator.frontends.c.lex import Lexed


def scan(model: M.ProbeModel, lexed: Lexed, split: Split) -> None:
    toks = split.tokens
    for c in split.constructs:
        if c.kind != "decl":
            continue
        ct = toks[c.first:c.last]
        values = [t.value for t in ct]
        if "address" not in values or "module" not in values or "=" not in values:
            continue
        eq = values.index("=")
        member = _member(lexed.text, ct[:eq])
        entries: list[M.TableEntry] = []
        depth = 0
        cur: dict[str, tuple[int, int, str]] = {}
        start = 0
        for i in range(eq + 1, len(ct)):
            t = ct[i]
            if t.value == "{":
                depth += 1
                if depth == 2:
                    cur, start = {}, t.start
            elif t.value == "}":
                if depth == 2 and "address" in cur:
                    entries.append(_entry(cur, start, t.end))
                depth -= 1
            elif depth == 2 and t.value == "." and i + 2 < len(ct) and ct[i + 2].value == "=":
                name = ct[i + 1].value
                j = i + 3
                while j < len(ct) and ct[j].value not in (",", "}"):
                    j += 1
                if j > i + 3:
                    cur[name] = (t.start, ct[j - 1].end, "".join(x.value for x in ct[i + 3:j]))
        depth_at = 0
        name = ""
        for k in range(1, eq):  # the declarator: the last "ID [" outside the struct body
            if ct[k].value in ("{", "("):
                depth_at += 1
            elif ct[k].value in ("}", ")"):
                depth_at -= 1
            elif depth_at == 0 and ct[k].value == "[" and ct[k - 1].kind == "id":
                name = ct[k - 1].value
        if entries and member is not None:
            model.probe_tables.append(M.ProbeTable(name, member, entries))


def _member(text: str, head: list) -> M.Span | None:  # type: ignore[type-arg]
    """The ``unsigned long address;`` line of the struct defined in the table's declaration."""
    for k in range(1, len(head) - 1):
        if head[k].value == "address" and head[k + 1].value == ";":
            j = k
            while j > 0 and head[j - 1].value not in (";", "{"):
                j -= 1
            return M.Span(head[j].start, head[k + 1].end)
    return None


def _entry(cur: dict[str, tuple[int, int, str]], start: int, end: int) -> M.TableEntry:
    a_start, a_end, a_value = cur["address"]
    try:
        address = int(a_value.rstrip("uUlL"), 0)
    except ValueError:
        address = -1
    return M.TableEntry(
        span=M.Span(start, end), address_item=M.Span(a_start, a_end), address=address,
        module=cur.get("module", (0, 0, ""))[2].strip('"'), section=cur.get("section", (0, 0, ""))[2].strip('"'),
        is_return=cur.get("return_p", (0, 0, "0"))[2] not in ("0", ""),
        function=_pp_function(cur.get("pp", (0, 0, ""))[2]),
    )


def _pp_function(pp: str) -> str:
    """vfs_read in kernel.function("vfs_read@fs/read_write.c:450")."""
    m = re.search(r'function\(\\?"([A-Za-z_]\w*)', pp)
    return m.group(1) if m else ""
