"""User-space C: tracefs definitions in string literals and libbpf/perf loaders attaching by address.

- ``bpf_program__attach_kprobe_opts(prog, NULL, &opts)`` with ``opts.offset`` set: with no function
  name libbpf takes the offset as an absolute address (tools/lib/bpf/libbpf.c).
- ``perf_event_attr`` with ``kprobe_addr``/``config2`` and no ``kprobe_func``/``config1`` name: the
  kprobe PMU probes that address (include/uapi/linux/perf_event.h).
- ``"p:grp/ev 0xffffffff81..."`` strings in a file that mentions ``kprobe_events``.
Runs on the C front end's model, adding to it; it never changes what the C rules see.
"""

from __future__ import annotations

import re

from migrator.core import model as M
from migrator.core import names
from migrator.core.source import Source
from migrator.frontends.c import bulk
from migrator.frontends.c.lex import blank
from migrator.frontends.c.shapes import parse_int
from migrator.frontends.text import generated, kmulti, tracefs

TRIGGERS = (names.KPROBE_EVENTS, names.LIBBPF_ATTACH_OPTS, *names.PERF_KPROBE_ADDR_FIELDS, names.KPROBE_MULTI)
_ATTACH_RE = re.compile(r"\b" + names.LIBBPF_PROGRAM_ATTACH_OPTS + r"\s*\(\s*[^,;]+?,\s*(NULL|0|\(\s*(?:const\s+)?char\s*\*\s*\)\s*"
                        r"(?:NULL|0))\s*,\s*&\s*(\w+)\s*\)")
_ESC = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0", "a": "\a", "b": "\b",
        "f": "\f", "v": "\v", "?": "?"}


def wanted(text: str) -> bool:
    return any(t in text for t in TRIGGERS)


# a string that may hold a definition (p:, r:, r32: with maxactive, "p ADDR"); tracefs.find decides
_DEF_HEAD = re.compile(r"[pr]\d*[: ]")
_LEX_RE = re.compile(r"""//[^\n]*|/\*[^*]*(?:\*+[^*/][^*]*)*(?:\*+/|\**\Z)|(?P<s>"(?:[^"\\\n]|\\[\s\S])*"?)|'(?:[^'\\\n]|\\[\s\S])*'?""")


def _mask(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The text with comments blanked (same length, newlines kept), and its string literals."""
    parts: list[str] = []
    strings: list[tuple[int, str]] = []
    last = 0
    for m in _LEX_RE.finditer(text):
        if m.group("s") is not None:
            strings.append((m.start(), m.group()))
            continue
        if m.group()[0] == "'":
            continue
        parts.append(text[last:m.start()])
        parts.append(blank(m.group()))
        last = m.end()
    parts.append(text[last:])
    return "".join(parts), strings


# A device node a module creates for its user-space half (not one of the standard ones): ioctl() on it
# hands the module what the tool computed, such as an address read from /proc/kallsyms.
_MODULE_DEVICE = re.compile(r'"/dev/(?!(?:null|zero|u?random|tty\w*|kmsg|console|pts/|shm/|stdin|stdout|stderr|full)\b)'
                            r'[\w./-]+"')


def scan(src: Source, model: M.ProbeModel) -> None:
    if model.kallsyms_paths and "ioctl" in src.text and _MODULE_DEVICE.search(src.text) and \
            re.search(r"\bioctl\s*\(", src.text):
        model.feeds_module = True
        _module_feeds(src.text, model)
    text = bulk.strip(src.text)  # the data tables of a SystemTap symbol file hold no loader
    if not wanted(text) and not generated.wanted(text):
        return
    masked, strings = _mask(text)
    generated.find(masked, model)
    if "kprobe_events" in text:
        for at, raw in strings:
            if _DEF_HEAD.search(raw):
                _string_defs(at, raw, model)
    if names.LIBBPF_ATTACH_OPTS in text:
        _libbpf(masked, model)
    if names.PERF_EVENT_ATTR in text and any(f in text for f in names.PERF_KPROBE_ADDR_FIELDS):
        _perf(masked, model)
    if names.KPROBE_MULTI in text:
        kmulti.scan(masked, model)


_BODY = re.compile(r"^\{.*?^\}", re.MULTILINE | re.DOTALL)  # kernel style: braces in column 1
_IOCTL_ARG = re.compile(r"\bioctl\s*\([^;]*?,\s*&?\s*(\w+)\s*\)")
_ADDRESS_FIELD = r"(?:\w*_)?(?:addr|address|kaddr|base|start)"


def _module_feeds(text: str, model: M.ProbeModel) -> None:
    """``msg.address = value;`` in a function that passes ``msg`` to ioctl() on a module's device."""
    for body in _BODY.finditer(text):
        region = body.group(0)
        for sent in {m.group(1) for m in _IOCTL_ARG.finditer(region)}:
            write = re.compile(r"\b" + re.escape(sent) + r"\s*(?:\.|->)\s*(" + _ADDRESS_FIELD + r")\s*=\s*([A-Za-z_]\w*)\s*;")
            for m in write.finditer(region):
                at = body.start() + m.start(2)
                model.module_feeds.append(M.Located(M.Span(at, at + len(m.group(2))), f"{sent}.{m.group(1)}"))


def c_string_value(raw: str) -> tuple[str, list[int], list[bool]]:
    """The value of a C string token, the raw offset of each value character, and whether it is verbatim."""
    value: list[str] = []
    pos: list[int] = []
    verb: list[bool] = []
    i = 1
    end = len(raw) - 1 if raw.endswith('"') and len(raw) > 1 else len(raw)
    while i < end:
        ch = raw[i]
        if ch == "\\" and i + 1 < end:
            nxt = raw[i + 1]
            value.append(_ESC.get(nxt, nxt))
            pos.append(i)
            verb.append(False)
            i += 2
            continue
        value.append(ch)
        pos.append(i)
        verb.append(True)
        i += 1
    return "".join(value), pos, verb


def _string_defs(at: int, raw: str, model: M.ProbeModel) -> None:
    value, pos, verb = c_string_value(raw)
    for d in tracefs.find(value):
        if d.address is None and not d.formatted:
            continue  # $VAR or another word: not known to be an address
        span = M.Span(at + pos[d.loc_start], at + pos[d.loc_end - 1] + 1)
        site = M.AddrSite(span, M.TRACEFS_C, d.address, d.loc, d.cmd == "r", command=d.cmd, event=d.event)
        if d.address is not None:
            site.address_span = span
            site.address_escaped = not all(verb[d.loc_start:d.loc_end])
        else:
            site.origin = M.FORMATTED
        model.tracefs_defs.append(site)


_OFFSET_ASSIGN = re.compile(r"\.\s*offset\s*=\s*([^;]+);")
_RETPROBE_ASSIGN = re.compile(r"\.\s*retprobe\s*=\s*(?:true|1)\b")
_OBJ_BEFORE = re.compile(r"(?<![\w.>])(\w+)\s*$")


def _object_before(masked: str, at: int) -> str:
    m = _OBJ_BEFORE.search(masked, max(0, at - 80), at)
    return m.group(1) if m else ""
_OPTS_INIT = re.compile(r"(?:LIBBPF_OPTS\s*\(\s*bpf_kprobe_opts\s*,\s*(\w+)\s*,|struct\s+bpf_kprobe_opts\s+(\w+)\s*=\s*\{)"
                        r"([^;]*)")


def _libbpf(masked: str, model: M.ProbeModel) -> None:
    # one pass per shape, then lookups: a file of many loaders stays linear
    offsets: dict[str, list[re.Match[str]]] = {}
    for m in _OFFSET_ASSIGN.finditer(masked):
        offsets.setdefault(_object_before(masked, m.start()), []).append(m)
    rets = {_object_before(masked, m.start()) for m in _RETPROBE_ASSIGN.finditer(masked)}
    inits: dict[str, list[re.Match[str]]] = {}
    for m in _OPTS_INIT.finditer(masked):
        inits.setdefault(m.group(1) or m.group(2), []).append(m)
    for call in _ATTACH_RE.finditer(masked):
        opts = call.group(2)
        best: tuple[int, int] | None = None  # value span: the last assignment before the call
        for m in offsets.get(opts, []):
            if m.start() < call.start() or best is None:
                best = m.span(1)
        init = None
        for m in inits.get(opts, []):
            if m.start() < call.start() or init is None:
                init = m
        kret = opts in rets
        if init:
            body_at = init.start(3)
            body = init.group(3)
            o = re.search(r"\.\s*offset\s*=\s*([^,})]+?)\s*(?=[,})])", body)
            if o and best is None:
                best = (body_at + o.start(1), body_at + o.end(1))
            kret = kret or re.search(r"\.\s*retprobe\s*=\s*(?:true|1)\b", body) is not None
        if best is None:
            continue
        raw = masked[best[0]:best[1]]
        vtext = raw.strip()
        vstart = best[0] + (len(raw) - len(raw.lstrip()))
        vspan = M.Span(vstart, vstart + len(vtext))
        number = parse_int(vtext)
        if number == 0:
            continue
        model.attach_addrs.append(M.AddrSite(
            vspan, M.LIBBPF_OPTS_C, number, vtext, kret, origin=M.LITERAL if number is not None else M.COMPUTED,
            address_span=vspan, name_span=M.Span(call.start(1), call.end(1))))


_ADDR_FIELDS = "|".join(names.PERF_KPROBE_ADDR_FIELDS)
_PERF_ASSIGN = re.compile(r"(?m)^([ \t]*)(\w+(?:\s*(?:\.|->)\s*\w+)*?)\s*(\.|->)\s*(" + _ADDR_FIELDS + r")\s*=\s*([^;]+);")
_PERF_ITEM = re.compile(r"\.\s*(" + _ADDR_FIELDS + r")\s*=\s*([^,}]+?)\s*(?=[,}])")
_NAME_FIELDS = r"(?:kprobe_func|config1|uprobe_path)"


_FIELD_ASSIGN = re.compile(r"(?m)^[ \t]*(\w+(?:\s*(?:\.|->)\s*\w+)*?)\s*(?:\.|->)\s*(kprobe_func|config1|uprobe_path|config)"
                           r"\s*=\s*([^;]*);")


def _line_matches(pattern: re.Pattern[str], text: str, words: tuple[str, ...]) -> list[re.Match[str]]:
    """``pattern.finditer(text)`` for a line-anchored pattern, tried only at the lines holding one of
    ``words`` and the two above them (the pattern's own search is tried at every line of a large file)."""
    starts = set()
    for w in words:
        i = text.find(w)
        while i >= 0:
            line = text.rfind("\n", 0, i) + 1
            starts.add(line)
            for _ in range(2):  # "attr\n\t.config2 = ...": the statement may start a line or two above
                line = text.rfind("\n", 0, max(line - 1, 0)) + 1
                starts.add(line)
            i = text.find(w, i + len(w))
    found = []
    end = 0
    for start in sorted(starts):
        if start < end:
            continue  # inside the previous match (a statement over several lines)
        m = pattern.match(text, start)
        if m:
            found.append(m)
            end = m.end()
    return found


def _blocks(text: str) -> list[tuple[int, int]]:
    """The ``{...}`` blocks of ``text`` as (start, end) pairs, innermost first where they nest."""
    pairs, stack = [], []
    for m in re.finditer(r"[{}]", text):
        if m.group() == "{":
            stack.append(m.start())
        elif stack:
            pairs.append((stack.pop(), m.end()))
    return sorted(pairs, key=lambda p: p[1] - p[0])


def _block_at(blocks: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    return next((b for b in blocks if b[0] <= pos < b[1]), (0, 1 << 62))


def _perf(masked: str, model: M.ProbeModel) -> None:
    # an object is named (kprobe_func/config1 set) within the block of that write: a name set in
    # one branch of an if does not cover the address written in the other
    named: dict[str, list[tuple[int, int]]] = {}
    kprets: set[str] = set()
    blocks = _blocks(masked)
    for m in _line_matches(_FIELD_ASSIGN, masked, ("kprobe_func", "config", "uprobe_path")):
        obj = re.sub(r"\s+", "", m.group(1))
        value = m.group(3).strip()
        if m.group(2) == "config":
            if value == "1" or "retprobe" in value.lower():  # 1, PERF_PROBE_CONFIG_IS_RETPROBE, 1 << retprobe_bit()
                kprets.add(obj)
        elif value not in ("0", "NULL"):
            named.setdefault(obj, []).append(_block_at(blocks, m.start()))
    for m in _line_matches(_PERF_ASSIGN, masked, ("kprobe_addr", "config2")):
        obj = re.sub(r"\s+", "", m.group(2))
        if any(lo <= m.start() < hi for lo, hi in named.get(obj, ())):
            continue
        value = m.group(5).strip()
        field = M.PerfField(m.group(4), M.Span(m.start(4), m.end(4)), m.start(2), obj, m.group(3), m.group(1))
        _perf_site(model, M.PERF_ATTR_C_ASSIGN, M.Span(m.start(5), m.start(5) + len(value)), value, obj in kprets,
                   field)
    for m in _PERF_ITEM.finditer(masked):
        lo = masked.rfind("{", 0, m.start())
        hi = masked.find("}", m.end())
        if lo < 0 or hi < 0:
            continue
        body = masked[lo:hi]
        if re.search(r"\." + _NAME_FIELDS + r"\s*=\s*(?!(?:0|NULL)\s*[,}])", body + "}"):
            continue
        kret = re.search(r"\.config\s*=\s*(?:1\b|[^,}]*(?i:retprobe))", body) is not None
        line_start = masked.rfind("\n", 0, m.start()) + 1
        before = masked[line_start:m.start()]
        field = M.PerfField(m.group(1), M.Span(m.start(1), m.end(1)), m.start(), "", "",
                            None if before.strip() else before)
        _perf_site(model, M.PERF_ATTR_C_INIT, M.Span(m.start(2), m.end(2)), m.group(2), kret, field)


def _perf_site(model: M.ProbeModel, form: str, vspan: M.Span, value: str, kret: bool, field: M.PerfField) -> None:
    number = parse_int(value)
    if number == 0:
        return
    model.attach_addrs.append(M.AddrSite(vspan, form, number, value, kret,
                                         origin=M.LITERAL if number is not None else M.COMPUTED,
                                         address_span=vspan, perf=field))
