"""Span edits that turn an address write into ``symbol_name``/``offset``, formatting kept.

Every edit replaces an exact span of the original text; nothing is regenerated from an AST.
The plan for one probe includes the code the migration would otherwise break: after a
migration ``kp.addr`` is NULL until register_kprobe() fills it in (kernel/kprobes.c writes the
resolved address back), so a pre-registration ``if (!kp.addr)`` would always fail. Such a check
is removed (register_kprobe() now reports a missing symbol itself with -ENOENT); any other
pre-registration use of ``addr`` withholds the whole fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from migrator.core.findings import Edit
from migrator.core.model import FieldWrite, ProbeModel, compatible, same_probe


@dataclass
class Plan:
    edits: list[Edit]
    explanation: list[str] = field(default_factory=list)  # for the patch body
    warnings: list[str] = field(default_factory=list)
    covers: list[object] = field(default_factory=list)  # other model items this plan fixes too
    targets: list[tuple[str, int]] = field(default_factory=list)  # (symbol, offset) each migrated probe names


@dataclass
class Refusal:
    reason: str


def c_string(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def newline_of(text: str, at: int) -> str:
    end = text.find("\n", at)
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The full lines around [start, end): from the line start to after its newline."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    return ls, (len(text) if le < 0 else le + 1)


def alone_on_lines(text: str, start: int, end: int) -> bool:
    ls, le = _line_bounds(text, start, end)
    return not text[ls:start].strip() and not text[end:le].strip()


# One comment and nothing else ("/* a */ code(); /* b */" is code: found by fuzzing)
_COMMENT_LINE = re.compile(r"^[ \t]*(/\*(?:[^*\n]|\*(?!/))*\*/|//.*)[ \t]*\r?\n$")


def remove_span(text: str, start: int, end: int) -> Edit:
    """Remove [start, end); whole lines when nothing else is on them, with the comment lines
    right above them (they describe what is removed) and one of two blank lines left around."""
    if alone_on_lines(text, start, end):
        ls, le = _line_bounds(text, start, end)
        while ls > 0:
            prev = text.rfind("\n", 0, ls - 1) + 1
            line = text[prev:ls]
            if _COMMENT_LINE.match(line):
                ls = prev
                continue
            if line.strip().endswith("*/") and "/*" not in line:  # the end of a block comment
                opening = text.rfind("/*", 0, prev)
                first = text.rfind("\n", 0, opening) + 1
                if opening >= 0 and not text[first:opening].strip() and "*/" not in text[opening:prev]:
                    ls = first
                    continue
            break
        before = text[text.rfind("\n", 0, ls - 1) + 1:ls] if ls > 0 else ""
        nxt_end = text.find("\n", le)
        after = text[le:nxt_end + 1] if nxt_end >= 0 else ""
        if before.strip() == "" and after.strip() == "" and ls > 0 and after:
            le += len(after)
        return Edit(ls, le, "")
    # "a, .addr = X, b": take the following blank too
    while end < len(text) and text[end] == " ":
        end += 1
    return Edit(start, end, "")


def _indent(text: str, at: int) -> str:
    ls = text.rfind("\n", 0, at) + 1
    i = ls
    while i < len(text) and text[i] in " \t":
        i += 1
    return text[ls:i]


def _offset_text(value: int) -> str:
    return hex(value) if value >= 0 else "-" + hex(-value)


def migrate(text: str, model: ProbeModel, w: FieldWrite, symbol_expr: str, offset: int) -> Plan | Refusal:
    """Edits that make write ``w`` set ``.symbol_name = symbol_expr`` (plus ``.offset``)."""
    if w.macro:
        return Refusal(f"the probe object comes from the function-like macro {w.macro}(); change the macro by hand")
    if w.fallback:
        return Refusal("the construct around it could not be parsed, so it is not rewritten automatically")
    if w.pre_2619:
        return Refusal("this branch only builds for kernels before 2.6.19, which have no symbol_name")
    if model.old_kernel_guard and not any(not s.branch_path and not s.is_null for s in model.symbol_writes):
        return Refusal(f"this file still builds for kernels before 2.6.19 (guard at line {model.old_kernel_guard}), "
                       "which have no symbol_name; put the migrated code under a version guard by hand")
    if w.value_span.end <= w.value_span.start or text[w.anchor.start:w.anchor.end] != "addr":
        return Refusal("the address write has a shape the rewriter does not handle")
    others = [a for a in model.addr_writes if a is not w and not a.is_null and same_probe(a.probe, w.probe)
              and a.function == w.function and compatible(a.branch_path, w.branch_path)]
    if others:
        return Refusal(f"{w.probe} gets its address in more than one place; migrate them together by hand")
    edits = [_rename_field(text, w, "symbol_name", symbol_expr)]
    plan = Plan(edits)
    if w.addr is not None and w.addr.via:
        if w.via_removals is None or w.via_shared:
            return Refusal(f"the address goes through the variable {w.addr.via}, which is used for more than this "
                           "probe; rewrite the lookup and its users by hand")
        if not all(_statement_of_its_own(text, sp.start) for sp in w.via_removals):
            return Refusal(_NO_BRACES)
        edits.extend(remove_span(text, sp.start, sp.end) for sp in w.via_removals)
        plan.explanation.append(f"removed the variable {w.addr.via} and its NULL check, which only carried the address")
    dep = _dependent_checks(text, model, w)
    if isinstance(dep, Refusal):
        return dep
    edits.extend(dep)
    if dep:
        plan.explanation.append(
            "removed the pre-registration NULL check of .addr: after the migration .addr stays NULL until "
            "register_kprobe() resolves the symbol, which now reports a missing symbol itself (-ENOENT)")
    offsets = [o for o in model.offset_writes if same_probe(o.probe, w.probe) and o.function == w.function]
    if offsets:
        (o, *rest) = offsets
        if rest or o.number is None:
            return Refusal(f"{w.probe} has an .offset that is not one constant; merge it by hand")
        total = o.number + offset
        if total < 0:
            return Refusal("the resolved offset would be negative")
        if offset:
            edits.append(Edit(o.value_span.start, o.value_span.end, _offset_text(total)))
            plan.explanation.append(f"merged the offset {_offset_text(offset)} into the existing .offset ({_offset_text(total)})")
    elif offset:
        if offset < 0:
            return Refusal("the address lies before the symbol start (negative offset)")
        if not w.designated and not (_LVALUE_PREFIX.match(text[w.item_span.start:w.anchor.start])
                                     and _statement_of_its_own(text, w.item_span.start)):
            # "if (c) kp.addr = X;": a second statement after it would leave the if (or the loop)
            return Refusal(_NO_BRACES)
        edits.append(_insert_offset(text, w, _offset_text(offset)))
    plan.targets.append((_symbol_of(symbol_expr), total if offsets else offset))
    return plan


def _symbol_of(expr: str) -> str:
    """The symbol a ``.symbol_name`` expression names: the string of a literal, else the expression."""
    if len(expr) >= 2 and expr[0] == expr[-1] == '"' and "\\" not in expr:
        return expr[1:-1]
    return expr


_NO_BRACES = ("the code to change is the body of an if, else or loop without braces (or follows a macro); "
              "add the braces, then run fix again")


def _statement_of_its_own(text: str, start: int) -> bool:
    """Does the statement at ``start`` follow ``;``, ``{``, ``}`` or a label (not ``if (c)``, ``else``,
    a loop head or a macro), looking back over blanks, comments and preprocessor lines?"""
    j = start
    while True:
        while j > 0 and text[j - 1] in " \t\r\n\f\v":
            j -= 1
        if text.endswith("*/", 0, j):
            k = text.rfind("/*", 0, j - 2)
            if k >= 0:
                j = k
                continue
        ls = text.rfind("\n", 0, j) + 1
        line = text[ls:j]
        if line.lstrip().startswith(("#", "//")):
            j = ls
            continue
        if "//" in line:  # code; // comment
            j = ls + line.index("//")
            continue
        return j == 0 or text[j - 1] in ";{}:"


# What may stand before "addr" in a statement of its own: kp. / kps[i]. / rp->kp. / p->u.krp.kp. / (*pp)->
_LVALUE_PREFIX = re.compile(r"\s*(?:[A-Za-z_]\w*|\(\s*\*+\s*[A-Za-z_][\w.>\[\]-]*\s*\))(?:\s*(?:\[[^\];{}]*\]|\.\s*[A-Za-z_]\w*|->\s*[A-Za-z_]\w*))*\s*(?:\.|->)\s*\Z")


TAB = 8


def _column(text: str, line_start: int, at: int) -> int:
    col = 0
    for ch in text[line_start:at]:
        col = (col // TAB + 1) * TAB if ch == "\t" else col + 1
    return col


def _padding(style: str, from_col: int, to_col: int) -> str:
    """Whitespace that takes ``from_col`` to ``to_col`` in the style of ``style`` (tabs or spaces)."""
    if "\t" in style:
        out, col = "", from_col
        while col < to_col:
            out += "\t"
            col = (col // TAB + 1) * TAB
        return out or "\t" if to_col > from_col else ("\t" if style.startswith("\t") else " ")
    return " " * max(1, to_col - from_col) if style else ""


def _aligned(text: str, w: FieldWrite, name: str) -> str:
    """``name`` plus the whitespace before ``=`` that keeps ``=`` where the addr line had it."""
    eq = text.find("=", w.anchor.end, w.value_span.start)
    if eq < 0:
        return name
    ws = text[w.anchor.end:eq]
    line_start = text.rfind("\n", 0, w.anchor.start) + 1
    if "\n" in ws or not ws:
        return name + ws
    start_col = _column(text, line_start, w.anchor.start)
    eq_col = _column(text, line_start, eq)
    end_col = start_col + len(name)
    if end_col >= eq_col:
        return name + ("\t" if ws.startswith("\t") and "\t" in ws else " ")
    return name + _padding(ws, end_col, eq_col)


def _rename_field(text: str, w: FieldWrite, name: str, value: str) -> Edit:
    """``addr<ws>=<ws>VALUE`` -> ``NAME<ws>=<ws>NEWVALUE``, keeping the column of ``=``."""
    eq = text.find("=", w.anchor.end, w.value_span.start)
    after = text[eq + 1:w.value_span.start] if eq >= 0 else " "
    if "\n" in after:  # the value was wrapped onto the next line; it fits on one now
        after = " "
    return Edit(w.anchor.start, w.value_span.end, _aligned(text, w, name) + "=" + after + value)


def insert_statement_after(text: str, w: FieldWrite, statement: str) -> Edit:
    """A new statement on its own line after the one holding ``w``, same indentation."""
    nl = newline_of(text, w.item_span.start)
    return Edit(w.item_span.end, w.item_span.end, nl + _indent(text, w.item_span.start) + statement)


def insert_lines_after(text: str, span_end: int, at: int, lines: list[str]) -> Edit:
    """Lines after the line ending at ``span_end``, indented like the line holding ``at``."""
    nl = newline_of(text, at)
    indent = _indent(text, at)
    return Edit(span_end, span_end, "".join(nl + indent + line for line in lines))


_TRAILING_COMMENT = re.compile(r"[ \t]*(/\*(?:(?!\*/).)*\*/[ \t]*|//.*)")


def _insert_offset(text: str, w: FieldWrite, value: str) -> Edit:
    nl = newline_of(text, w.item_span.start)
    eq = text.find("=", w.anchor.end, w.value_span.start)
    after = text[eq + 1:w.value_span.start] if eq >= 0 else " "
    anchor_to_eq = _aligned(text, w, "offset")[len("offset"):] + "=" + ("" if "\n" in after else after) if eq >= 0 \
        else " = "
    end = w.item_span.end
    line_end = text.find("\n", end) if text.find("\n", end) >= 0 else len(text)
    line_end -= text[line_end - 1:line_end] == "\r"
    rest_of_line = text[end:line_end]
    # the item ends its line, or only a comment follows it: the new item gets a line of its own,
    # after that comment (which stays with the line it explains)
    own_line = not rest_of_line.strip() or bool(_TRAILING_COMMENT.fullmatch(rest_of_line))
    at = end if not rest_of_line.strip() else line_end
    if w.designated:
        has_comma = text[w.value_span.end:end].strip() == ","
        item = text[w.item_span.start:w.anchor.start] + "offset" + anchor_to_eq + value  # ".kp.offset = ..."
        indent = _indent(text, w.item_span.start)
        if has_comma:
            return Edit(at, at, nl + indent + item + ",") if own_line else Edit(end, end, " " + item + ",")
        own_line = own_line and not rest_of_line.strip()
        return Edit(w.value_span.end, w.value_span.end, "," + (nl + indent if own_line else " ") + item)
    prefix = text[w.item_span.start:w.anchor.start]  # "kps[i]." or "rp->kp."
    stmt = prefix + "offset" + anchor_to_eq + value + ";"
    if own_line:
        return Edit(at, at, nl + _indent(text, w.item_span.start) + stmt)
    return Edit(end, end, " " + stmt)


def _dependent_checks(text: str, model: ProbeModel, w: FieldWrite) -> list[Edit] | Refusal:
    """Reads of this probe's addr between the write and its registration, in the same function."""
    regs = [r.anchor.start for r in model.registrations if r.function == w.function and r.anchor.start > w.anchor.start]
    until = min(regs) if regs else None
    edits: list[Edit] = []
    for use in model.addr_uses:
        if use.function != w.function or not w.function or use.anchor.start <= w.anchor.start:
            continue
        if until is not None and use.anchor.start > until:
            continue
        if not same_probe(use.probe, w.probe):
            continue
        if use.check is not None and use.removable:
            if not _statement_of_its_own(text, use.check.start):
                return Refusal(_NO_BRACES)
            edits.append(remove_span(text, use.check.start, use.check.end))
            continue
        return Refusal(
            f"{w.probe}.addr is read before registration (offset {use.anchor.start}); after the migration it is "
            "NULL until register_kprobe() runs, so that code must be changed by hand")
    return edits


def remove_write(text: str, model: ProbeModel, w: FieldWrite) -> Plan | Refusal:
    """Remove an ``addr`` item or statement next to a ``symbol_name`` (the conflict fix)."""
    if w.macro or w.fallback or w.item_span.end <= w.item_span.start:
        return Refusal("the write is built by a macro or sits in code that could not be parsed")
    if not w.designated and not _statement_of_its_own(text, w.item_span.start):
        return Refusal(_NO_BRACES)  # removing it would hand the if/loop the next statement
    dep = _dependent_checks(text, model, w)
    if isinstance(dep, Refusal):
        return dep
    plan = Plan([remove_span(text, w.item_span.start, w.item_span.end), *dep])
    plan.explanation.append(f"removed the .addr write: {w.probe} already has .symbol_name, and register_kprobe() "
                            "rejects a probe with both (-EINVAL)")
    return plan


def apply(text: str, edits: list[Edit]) -> str:
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos:
            raise ValueError("overlapping edits")
        out.append(text[pos:e.start])
        out.append(e.text)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def overlaps(a: list[Edit], b: list[Edit]) -> bool:
    return any(x.start < y.end and y.start < x.end or x.start == y.start for x in a for y in b)
