"""Initializer lists: the probe fields a designated or positional initializer writes, at any depth
of nested structs and arrays (``{ [2] = { .kp.addr = X } }`` writes ``name[2].kp.addr``).
"""

from __future__ import annotations

from typing import Any

from pycparser import c_ast

from migrator.core.names import HANDLER_FIELDS, KLP_OLD_NAME
from migrator.frontends.c.declare import DeclarationWalk, kprobe_cast
from migrator.frontends.c.facts import Facts, Func, Locate, Write
from migrator.frontends.c.types import KRETPROBE, PROBE_FIELDS, CType, is_kprobe


class InitializerWalk(DeclarationWalk):
    """Probe-field writes in initializer lists; the walker builds on it for the rest."""

    def __init__(self, facts: Facts) -> None:
        super().__init__(facts)
        # if/else arms the walk is inside: (-id(if node), arm). Writes in different arms of one
        # if never happen together (same shape as #if branches, negative keys keep them apart).
        # The walker enters and leaves them; every write records them.
        self.arms: list[tuple[int, int]] = []

    def initializer(self, init: Any, t: CType | None, key: str, fn: Func | None, locate: Locate,
                    macro: str | None, outer: CType | None = None) -> None:
        """Walk ``init``, the initializer of ``key`` of type ``t`` (a member of ``outer``)."""
        if not isinstance(init, c_ast.InitList):
            return
        if t is not None and t[0] == "array":
            self._array(init, t[1], key, fn, locate, macro)
        else:
            self._struct(init, t, key, fn, locate, macro, outer)

    def _array(self, init: Any, elem: CType | None, key: str, fn: Func | None, locate: Locate,
               macro: str | None) -> None:
        idx = 0
        for item in init.exprs:
            label: object = idx
            if isinstance(item, c_ast.NamedInitializer) and item.name:
                # in an array, the first designator is an index: [3] or [ENUM_VALUE]
                first = item.name[0]
                first = getattr(first, "expr", first) if type(first).__name__ == "ArrayDesignator" else first
                if isinstance(first, c_ast.Constant):
                    try:
                        idx = label = int(first.value, 0)
                    except ValueError:
                        label = "*"
                else:
                    label = getattr(first, "name", "*")
                if len(item.name) > 1:
                    rest = c_ast.NamedInitializer(item.name[1:], item.expr, item.coord)
                    item = c_ast.InitList([rest], item.coord)
                else:
                    item = item.expr
            self.initializer(item, elem, f"{key}[{label}]", fn, locate, macro)
            idx += 1

    def _struct(self, init: Any, t: CType | None, key: str, fn: Func | None, locate: Locate,
                macro: str | None, outer: CType | None) -> None:
        order = self.t.member_order(t)
        pos = 0
        for item in init.exprs:
            if isinstance(item, c_ast.NamedInitializer):
                cur_t, cur_key, parent = t, key, outer
                names = [d for d in item.name if isinstance(d, c_ast.ID)]
                if len(names) != len(item.name):
                    continue
                for d in names[:-1]:
                    parent = cur_t
                    cur_t = self.t.member(cur_t, d.name)
                    cur_key += "." + d.name
                last = names[-1]
                if last.name in HANDLER_FIELDS:
                    self.f.handled.add(cur_key)
                if last.name == KLP_OLD_NAME and isinstance(item.expr, c_ast.Constant) and item.expr.type == "string":
                    self.f.klp_old_names.append((cur_key, item.expr.value.strip('"'), locate(item.expr)))
                if last.name in PROBE_FIELDS and (is_kprobe(cur_t) or (cur_t is None or not self.t.known_struct(cur_t)) and kprobe_cast(item.expr)):
                    self.f.writes.append(Write(last.name, locate(last), cur_key, item.expr, fn, locate, True, macro,
                                               tuple(self.arms), parent == KRETPROBE))
                else:
                    self.initializer(item.expr, self.t.member(cur_t, last.name), cur_key + "." + last.name, fn, locate,
                                     macro, cur_t)
                if last.name in order:
                    pos = order.index(last.name) + 1
            else:
                member = order[pos] if pos < len(order) else ""
                self.initializer(item, self.t.member(t, member) if member else None, f"{key}.{member}", fn, locate, macro)
                pos += 1
