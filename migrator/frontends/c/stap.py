"""SystemTap's generated probe tables: ``{ .address=0x3669e0, .module="kernel", .section="_stext", ... }``.

The 2008 translator emits such a table (its struct defined in the same declaration, the probe point
in a ``.pp`` field) plus a loop that relocates each entry with
``_stp_module_relocate(sdp->module, sdp->section, sdp->address)`` and writes ``kp->u.kp.addr``.
SystemTap 4.x emits ``static struct stap_kprobe_probe stap_kprobe_probes[]`` (the struct is its
runtime's, linux/kprobes.c) whose entries name their probe point through ``.probe=(&stap_probes[N])``,
the ``STAP_PROBE_INIT(N, handler, "pp", ...)`` items of ``stap_probes[]``; the runtime relocates
them (stapkp_prepare_kprobe). Read token by token: the tables can be long and need no parse.
"""

from __future__ import annotations

import re

from migrator.core import model as M
from migrator.frontends.c.constructs import Split
from migrator.frontends.c.lex import Lexed, Token
from migrator.frontends.c.shapes import parse_int

_PROBE_REF_RE = re.compile(r"&?\s*\(?\s*&?\s*([A-Za-z_]\w*)\s*\[\s*(\d+)\s*\]")
_RELEASE_RE = re.compile(r'strcmp\s*\(\s*release\s*,\s*"([^"\\]+)"\s*\)')


def scan(model: M.ProbeModel, lexed: Lexed, split: Split) -> None:
    toks = split.tokens
    tables: list[M.ProbeTable] = []
    probe_points: dict[str, dict[int, str]] = {}  # stap_probes -> index -> pp
    for c in split.constructs:
        if c.kind != "decl":
            continue
        ct = toks[c.first:c.last]
        values = [t.value for t in ct]
        if "=" not in values:
            continue
        if "STAP_PROBE_INIT" in values or ("pp" in values and "ph" in values and "address" not in values):
            name, pps = _probe_points(ct)
            if name:
                probe_points[name] = pps
            continue
        if "address" not in values or "module" not in values:
            continue
        eq = values.index("=")
        entries = _entries(lexed.text, ct, eq)
        if entries:
            tables.append(M.ProbeTable(_declarator(ct, eq), _member(lexed.text, ct[:eq]), entries))
    if not tables:
        return
    release = ""
    if any(t.address_member is None for t in tables):
        m = _RELEASE_RE.search(lexed.text)
        release = m.group(1) if m else ""
    for table in tables:
        table.release = release
        for e in table.entries:
            ref = e.items.get("probe")
            if not e.pp and ref is not None:
                m = _PROBE_REF_RE.match(lexed.text[ref[1].start:ref[1].end])
                if m:
                    e.pp = probe_points.get(m.group(1), {}).get(int(m.group(2)), "")
            e.function = e.function or pp_function(e.pp)
            e.pp_module = pp_module(e.pp)
    model.probe_tables.extend(tables)


def _entries(text: str, ct: list[Token], eq: int) -> list[M.TableEntry]:
    """The ``{ .field=value, ... }`` entries of a table's initializer (after its ``=`` at ``eq``)."""
    entries: list[M.TableEntry] = []
    depth = 0
    cur: dict[str, tuple[int, int, int, str]] = {}
    start = 0
    anchor = M.Span(0, 0)
    for i in range(eq + 1, len(ct)):
        t = ct[i]
        if t.value == "{":
            depth += 1
            if depth == 2:
                cur, start = {}, t.start
        elif t.value == "}":
            if depth == 2 and "address" in cur:
                entries.append(_entry(text, cur, start, t.end, anchor))
            depth -= 1
        elif depth == 2 and t.value == "." and i + 2 < len(ct) and ct[i + 2].value == "=":
            name = ct[i + 1].value
            j = i + 3
            nest = 0
            while j < len(ct) and (nest or ct[j].value not in (",", "}")):
                if ct[j].value in ("(", "["):
                    nest += 1
                elif ct[j].value in (")", "]"):
                    nest -= 1
                j += 1
            if j > i + 3:
                cur[name] = (t.start, ct[i + 3].start, ct[j - 1].end, "".join(x.value for x in ct[i + 3:j]))
                if name == "address":
                    anchor = M.Span(ct[i + 1].start, ct[i + 1].end)
    return entries


def _declarator(ct: list[Token], eq: int) -> str:
    """The declarator's name: the last "ID [" outside the struct body."""
    depth_at = 0
    name = ""
    for k in range(1, eq):
        if ct[k].value in ("{", "("):
            depth_at += 1
        elif ct[k].value in ("}", ")"):
            depth_at -= 1
        elif depth_at == 0 and ct[k].value == "[" and ct[k - 1].kind == "id":
            name = ct[k - 1].value
    return name


def _probe_points(ct: list[Token]) -> tuple[str, dict[int, str]]:
    """``stap_probes[]``: index -> probe point, from ``STAP_PROBE_INIT(I, PH, PP, ...)`` items (4.x)
    or ``{ .pp="...", ... }`` items (older translators)."""
    values = [t.value for t in ct]
    eq = values.index("=")
    name = _declarator(ct, eq)
    out: dict[int, str] = {}
    i = eq + 1
    n = len(ct)
    position = 0
    while i < n:
        v = ct[i].value
        if v == "STAP_PROBE_INIT" and i + 1 < n and ct[i + 1].value == "(":
            args: list[list[Token]] = [[]]
            j = i + 2
            depth = 0
            while j < n and (depth or ct[j].value != ")"):
                if ct[j].value in ("(", "[", "{"):
                    depth += 1
                elif ct[j].value in (")", "]", "}"):
                    depth -= 1
                if depth == 0 and ct[j].value == ",":
                    args.append([])
                else:
                    args[-1].append(ct[j])
                j += 1
            if len(args) >= 3:
                index = parse_int("".join(t.value for t in args[0]))
                pp = _string(args[2])
                if index is not None and pp is not None:
                    out[index] = pp
            i = j + 1
            continue
        if v == "." and i + 2 < n and ct[i + 1].value == "pp" and ct[i + 2].value == "=":
            j = i + 3
            strs = []
            while j < n and ct[j].kind == "str":
                strs.append(ct[j])
                j += 1
            pp = _string(strs)
            if pp is not None:
                out[position] = pp
                position += 1
            i = j
            continue
        i += 1
    return name, out


def _string(toks: list[Token]) -> str | None:
    """The value of adjacent C string literals, escapes of quotes and backslashes undone."""
    if not toks or any(t.kind != "str" for t in toks):
        return None
    return "".join(re.sub(r"\\(.)", r"\1", t.value[1:-1]) for t in toks)


def _member(text: str, head: list) -> M.Span | None:  # type: ignore[type-arg]
    """The ``unsigned long address;`` line of the struct defined in the table's declaration."""
    for k in range(1, len(head) - 1):
        if head[k].value == "address" and head[k + 1].value == ";":
            j = k
            while j > 0 and head[j - 1].value not in (";", "{"):
                j -= 1
            return M.Span(head[j].start, head[k + 1].end)
    return None


def _entry(text: str, cur: dict[str, tuple[int, int, int, str]], start: int, end: int,
           anchor: M.Span) -> M.TableEntry:
    a_start, a_vstart, a_end, _a_value = cur["address"]
    address = parse_int(text[a_vstart:a_end])
    symbol = cur.get("symbol_name")
    offset = cur.get("offset")
    pp = cur.get("pp")
    return M.TableEntry(
        span=M.Span(start, end), address_item=M.Span(a_start, a_end), address=-1 if address is None else address,
        module=_plain(cur.get("module")), section=_plain(cur.get("section")),
        is_return=cur.get("return_p", (0, 0, 0, "0"))[3] not in ("0", ""),
        function="",
        items={k: (M.Span(s, e), M.Span(vs, e)) for k, (s, vs, e, _v) in cur.items()},
        symbol_name=None if symbol is None else _plain(symbol),
        offset=None if offset is None else parse_int(text[offset[1]:offset[2]]),
        pp=re.sub(r"\\(.)", r"\1", pp[3].strip('"')) if pp is not None else "",
        anchor=anchor,
    )


def _plain(item: tuple[int, int, int, str] | None) -> str:
    """A string item's value ("kernel"), or "" when absent."""
    if item is None:
        return ""
    return item[3].strip('"')


def pp_function(pp: str) -> str:
    """vfs_read in kernel.function("vfs_read@fs/read_write.c:450"), kernel.statement("vfs_read@...:451"),
    kprobe.function("vfs_read").return; "" for an absolute statement (kernel.statement(0x...))."""
    m = re.search(r'(?:function|statement)\("([A-Za-z_][\w.]*)', pp)
    return m.group(1) if m else ""


def pp_module(pp: str) -> str:
    """ext4 in module("ext4").function(...)."""
    m = re.match(r'\s*module\("([^"]+)"\)', pp)
    return m.group(1) if m else ""
