"""Token-level rules for constructs the parser could not take: report, never fix.

Only unmistakable shapes count: an ``addr`` write whose value is cast to ``kprobe_opcode_t *``
or that sits on a ``.kp``/kprobe initializer, a ``kallsyms_lookup_name`` call, a ``struct jprobe``
definition.
"""

from __future__ import annotations

from typing import Any

from migrator.core import model as M
from migrator.core import names
from migrator.frontends.c.brackets import expression_end
from migrator.frontends.c.lex import Lexed, Token

KALLSYMS = names.KALLSYMS_LOOKUP


def _number(text: str) -> int | None:
    """The value of a C integer constant (the address rules print it)."""
    s = text.rstrip("uUlL")
    try:
        return int(s, 8) if len(s) > 1 and s[0] == "0" and s[1].isdigit() else int(s, 0)
    except ValueError:
        return None


def scan(model: M.ProbeModel, lexed: Lexed, toks: list[Token], facts: Any) -> None:
    in_probe_decl = any(t.value in names.PROBE_STRUCTS for t in toks[:4])
    consumed: set[int] = set()
    n = len(toks)
    for i, t in enumerate(toks):
        if t.value == "addr" and 0 < i < n - 1 and toks[i - 1].value in (".", "->") and toks[i + 1].value == "=":
            j = expression_end(toks, i + 2)
            value = toks[i + 2:j]
            values = [v.value for v in value]
            on_kp = i >= 3 and toks[i - 2].value == "kp"
            designated = toks[i - 1].value == "." and (i < 2 or toks[i - 2].value in ("{", ","))
            if not (names.PROBE_ADDRESS_TYPE in values or on_kp or designated and in_probe_decl):
                continue
            kind = None
            number = None
            if KALLSYMS in values:
                kind = M.COMPUTED if "+" in values or "-" in values else M.KALLSYMS
                consumed.update(id(v) for v in value if v.value == KALLSYMS)
            else:
                nums = [v for v in value if v.kind == "num"]
                others = [v for v in value if v.kind == "id" and v.value not in (names.PROBE_ADDRESS_TYPE, "void", "unsigned", "long")]
                if len(nums) == 1 and not others:
                    kind = M.LITERAL
                    number = _number(nums[0].value)
            if kind is None or not value:
                continue
            span = M.Span(value[0].start, value[-1].end)
            model.addr_writes.append(M.FieldWrite(
                field="addr", anchor=M.Span(t.start, t.end), probe="?", value_span=span, item_span=span,
                designated=designated, branch_path=lexed.branch_path(t.start), text=lexed.text[span.start:span.end],
                addr=M.AddrValue(kind, text=lexed.text[span.start:span.end], number=number), fallback=True,
            ))
        elif t.value == KALLSYMS and id(t) not in consumed and i + 1 < n and toks[i + 1].value == "(":
            model.kallsyms_refs.append(M.KallsymsRef(M.Span(t.start, t.end), t.value, fallback=True))
        elif t.value == names.JPROBE and i > 0 and toks[i - 1].value == "struct" and i + 2 < n \
                and toks[i + 1].kind == "id" and toks[i + 2].value in ("=", ";", "[") \
                and not (i > 1 and toks[i - 2].value == "extern"):
            model.jprobes.append(M.Located(M.Span(toks[i + 1].start, toks[i + 1].end), toks[i + 1].value, fallback=True))
