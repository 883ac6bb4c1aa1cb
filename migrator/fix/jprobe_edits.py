"""The edits of a jprobe -> kprobe migration (``rules/jprobe.py`` decides whether it is safe).

Every edit replaces an exact span of the original text (``core/jprobe_facts.py`` says where each
piece is); comments and strings are never touched. The handler keeps its name and body: its
signature becomes a kprobe pre_handler's, and each former parameter is declared first thing in
the body from ``regs_get_kernel_argument()``, which reads the argument registers saved in
``pt_regs`` at the probed function's entry.
"""

from __future__ import annotations

from migrator.core import names
from migrator.core.findings import Edit
from migrator.core.jprobe_facts import JprobeCode, JprobeHandler, KpBlock
from migrator.core.model import Span

# arch/x86/include/asm/ptrace.h, regs_get_kernel_argument(): argument_offs[] on x86-64
X86_64_ARGUMENT_REGISTERS = ("di", "si", "dx", "cx", "r8", "r9")
PROBE_PARAM_NAMES = ("p", "kp", "probe")
REGS_PARAM_NAMES = ("regs", "kregs")


def free_names(h: JprobeHandler) -> tuple[str, str] | None:
    """The names of the new parameters: ``p``/``regs`` unless the handler already uses them."""
    probe = next((n for n in PROBE_PARAM_NAMES if n not in h.words), None)
    regs = next((n for n in REGS_PARAM_NAMES if n not in h.words), None)
    return (probe, regs) if probe and regs else None


def _line_start(text: str, at: int) -> int:
    return text.rfind("\n", 0, at) + 1


def _line_end(text: str, at: int) -> int:
    """After the newline of the line holding ``at``."""
    le = text.find("\n", at)
    return len(text) if le < 0 else le + 1


def _whole_line(text: str, span: Span) -> Edit:
    return Edit(_line_start(text, span.start), _line_end(text, span.end), "")


def _alone(text: str, span: Span) -> bool:
    ls, le = _line_start(text, span.start), _line_end(text, span.end)
    return not text[ls:span.start].strip() and not text[span.end:le].strip()


def handler_edits(text: str, h: JprobeHandler, probe: str, regs: str) -> tuple[list[Edit], list[str]]:
    """The handler's new signature, argument declarations and returns; and the patch body's lines."""
    edits = _return_type(text, h)
    edits += [Edit(s.start, s.end, "") for s in h.asmlinkage]
    edits.append(Edit(h.params.start, h.params.end, f"struct kprobe *{probe}, struct pt_regs *{regs}"))
    lines, told, unused = [], [], []
    for n, param in enumerate(h.param_list):
        if param.name not in h.used:  # declaring it would only add a -Wunused-variable warning
            unused.append(param.name)
            continue
        lines.append(f"\t{param.text} = ({param.type_text}){names.REGS_GET_KERNEL_ARGUMENT}({regs}, {n});\n")
        told.append(f"{param.name} from argument {n} (regs->{X86_64_ARGUMENT_REGISTERS[n]})")
    if lines and text[h.body.start + 1:_line_end(text, h.body.start)].strip():  # "{ code..." on one line
        edits.append(Edit(h.body.start + 1, h.body.start + 1, "".join(" " + line.strip() for line in lines)))
    elif lines:
        after_brace = _line_end(text, h.body.start)
        next_line = text[after_brace:_line_end(text, after_brace)]
        if next_line.strip() and not h.first_is_declaration:
            lines.append("\n")
        edits.append(Edit(after_brace, after_brace, "".join(lines)))
    for span, deletable in h.jprobe_returns:
        edits.append(_whole_line(text, span) if deletable else Edit(span.start, span.end, "return 0;"))
    edits += [Edit(s.start, s.end, "return 0;") for s, value in h.returns if value != "0"]
    if not h.ends_with_return:
        close = h.body.end - 1
        if not text[_line_start(text, close):close].strip():
            edits.append(Edit(_line_start(text, close), _line_start(text, close), "\treturn 0;\n"))
        else:
            edits.append(Edit(close, close, " return 0; "))
    summary = f"{h.name}(): a kprobe pre_handler now"
    summary += ("; " + ", ".join(told) if told else "")
    summary += (f"; unused, not declared: {', '.join(unused)}" if unused else "") + "; jprobe_return() dropped, returns 0"
    return edits, [summary]


def _return_type(text: str, h: JprobeHandler) -> list[Edit]:
    if not h.return_type:
        return [Edit(h.anchor.start, h.anchor.start, "int ")]
    first, rest = h.return_type[0], h.return_type[1:]
    # "struct filename *jgetname(": the '*' touches the name, "int" must not
    word = "int " if h.return_type[-1].end == h.anchor.start else "int"
    if all(not text[a.end:b.start].strip() for a, b in zip(h.return_type, rest, strict=False)):
        return [Edit(first.start, h.return_type[-1].end, word)]  # "unsigned long" -> "int"
    return [Edit(first.start, first.end, "int")] + [Edit(s.start, _skip_blanks(text, s.end), "") for s in rest]


def _skip_blanks(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t":
        at += 1
    return at


def object_edits(text: str, code: JprobeCode, handlers: set[str]) -> list[Edit]:
    """struct jprobe -> struct kprobe, calls, ``.kp`` members, ``entry`` -> ``pre_handler``."""
    edits = [Edit(s.start, s.end, names.KPROBE) for s in code.type_words]
    edits += [Edit(s.start, s.end, new) for s, new in code.calls]
    edits += [Edit(s.start, s.end, "") for s in code.kp_members]
    for e in code.entries:
        edits.append(_renamed_member(text, e.member))
        if e.value is not None and e.handler in handlers and text[e.value.start:e.value.end] != e.handler:
            edits.append(Edit(e.value.start, e.value.end, e.handler))
    for b in code.kp_blocks:
        edits += _flatten(text, b)
    return edits


def _column(text: str, at: int) -> int:
    """The visual column of ``at`` (tabs every 8), as an editor shows it."""
    col = 0
    for ch in text[_line_start(text, at):at]:
        col = (col // 8 + 1) * 8 if ch == "\t" else col + 1
    return col


def _renamed_member(text: str, member: Span) -> Edit:
    """``entry`` -> ``pre_handler``; where tabs align the ``=`` after it, they keep it aligned."""
    j = member.end
    while j < len(text) and text[j] in " \t":
        j += 1
    if "\t" not in text[member.end:j] or not text.startswith("=", j):
        return Edit(member.start, member.end, names.PRE_HANDLER)
    target, col, tabs = _column(text, j), _column(text, member.start) + len(names.PRE_HANDLER), 0
    while col < target:
        col, tabs = (col // 8 + 1) * 8, tabs + 1
    return Edit(member.start, j, names.PRE_HANDLER + "\t" * (tabs if col == target and tabs else 1))


def flattenable(text: str, b: KpBlock) -> bool:
    one_line = "\n" not in text[b.opening.start:b.closing.end]
    return one_line or (_alone(text, b.opening) and _alone(text, b.closing))


def _flatten(text: str, b: KpBlock) -> list[Edit]:
    """``.kp = { ... },`` -> its items, at the indentation of ``.kp``."""
    comma = text[b.closing.start:b.closing.end].endswith(",")
    inner = text[b.inner.start:b.inner.end]
    if "\n" not in text[b.opening.start:b.closing.end]:
        items = inner.strip()
        if comma and not items.endswith(","):
            items += ","
        return [Edit(b.opening.start, b.closing.end, items)]
    indent = text[_line_start(text, b.opening.start):b.opening.start]
    edits = [_whole_line(text, b.opening), _whole_line(text, b.closing)]
    at = _line_end(text, b.opening.end)
    while at < _line_start(text, b.closing.start):
        body = at + len(text[at:_line_end(text, at)]) - len(text[at:_line_end(text, at)].lstrip(" \t"))
        if text[body:_line_end(text, at)].strip():
            edits.append(Edit(at, body, indent))
        at = _line_end(text, at)
    last = len(inner.rstrip())
    if comma and not inner.rstrip().endswith(","):
        edits.append(Edit(b.inner.start + last, b.inner.start + last, ","))
    return edits


def guarded(text: str, edits: list[Edit], code: JprobeCode) -> list[Edit] | str:
    """The same migration kept beside the jprobe code: each changed handler, declaration or line
    becomes ``#if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 20, 0)`` new ``#else`` old ``#endif``.
    A string says why it cannot be done."""
    since = ", ".join(map(str, names.REGS_GET_KERNEL_ARGUMENT_SINCE))
    wholes = [(_line_start(text, (h.return_type or [h.anchor])[0].start), _line_end(text, h.body.end))
              for h in code.handlers]
    wholes += [(_line_start(text, d.start), _line_end(text, d.end)) for d in code.declarations]
    regions: list[list[int]] = []
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        a, b = next(((ws, we) for ws, we in wholes if ws <= e.start and e.end <= we),
                    (_line_start(text, e.start), _line_end(text, max(e.start, e.end - 1))))
        if text[max(0, a - 2):a].rstrip("\n").endswith("\\") or text[a:b].rstrip("\n").endswith("\\"):
            return "a jprobe edit falls inside a macro definition"
        if regions and a < regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], b)
        else:
            regions.append([a, b])
    out = []
    for a, b in regions:
        inner = [Edit(e.start - a, e.end - a, e.text) for e in edits if a <= e.start and e.end <= b]
        old = text[a:b]
        new = _apply(old, inner)
        out.append(Edit(a, b, f"#if LINUX_VERSION_CODE >= KERNEL_VERSION({since}, 0)\n{new}#else\n{old}#endif\n"))
    if not code.has_version_header:
        at = _after_last_include(text)
        out.insert(0, Edit(at, at, "#include <linux/version.h>\n"))
    return out


def _apply(text: str, edits: list[Edit]) -> str:
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:e.start] + e.text + text[e.end:]
    return text


def _after_last_include(text: str) -> int:
    at = 0
    for line_start in (i + 1 for i, c in enumerate(text) if c == "\n"):
        if text.startswith("#include", line_start):
            at = _line_end(text, line_start)
    return at
