"""Where an address written to a probe comes from: its origin, followed through casts, local
variables, object-like macros, constant globals, calls and arithmetic.

The origin is a fact about the value (a literal, a kallsyms lookup, a function designator, the
result of a function that relocates, run-time arithmetic, NULL); which rule reports it, with
what message and fix, the rules decide. Nothing is parsed here: skipped declarations and macro
bodies were parsed before (``resolve.py``).
"""

from __future__ import annotations

import re
from typing import Any

from pycparser import c_ast

from migrator.core import model as M
from migrator.frontends.c.facts import Func, Locate, probe_key, strip
from migrator.frontends.c.kallsyms import KallsymsNames, string_value
from migrator.frontends.c.shapes import KALLSYMS, MODULE_BASE_NAMES, RELOCATE_RE, TEXT_BASES, names_in, parse_int
from migrator.frontends.c.unit import Unit

MAX_DEPTH = 6  # variables and macros followed before a value counts as computed


class Origins:
    """The origin of each written address; records which kallsyms calls those values consume."""

    def __init__(self, u: Unit, names: KallsymsNames) -> None:
        self.u = u
        self.f = u.facts
        self.names = names
        self.defined = u.defined_functions()
        self.consumed: set[int] = set()  # id() of kallsyms call nodes whose value is written to addr
        self.locate: Locate = lambda node: 0

    def of(self, node: Any, fn: Func | None, at: int, locate: Locate) -> M.AddrValue:
        self.locate = locate
        return self.classify(node, fn, at, 0)

    def classify(self, node: Any, fn: Func | None, at: int, depth: int) -> M.AddrValue:
        v = strip(node)
        if depth > MAX_DEPTH:
            return M.AddrValue(M.COMPUTED)
        if isinstance(v, c_ast.Constant):
            n = parse_int(v.value)
            if n == 0:
                return M.AddrValue(M.NULL)
            return M.AddrValue(M.LITERAL, number=n) if n is not None else M.AddrValue(M.COMPUTED)
        if isinstance(v, c_ast.ID):
            return self._identifier(v.name, fn, at, depth)
        if isinstance(v, c_ast.UnaryOp) and v.op == "&":
            inner = strip(v.expr)
            if isinstance(inner, c_ast.ID) and not self._is_variable(inner.name, fn):
                return M.AddrValue(M.FUNCTION_REF, symbol=inner.name, local_function=inner.name in self.defined)
            return M.AddrValue(M.COMPUTED)
        if isinstance(v, c_ast.FuncCall) and isinstance(v.name, c_ast.ID):
            return self._call(v, fn)
        if isinstance(v, c_ast.FuncCall) and self._lookup_through_cast(strip(v.name)):
            return self._call(v, fn, KALLSYMS)  # ((kln_t)kp.addr)("name"), ((kln_t)lookup)("name")
        if isinstance(v, c_ast.BinaryOp) and v.op in ("+", "-"):
            return self._arith(v, fn, at, depth)
        if isinstance(v, c_ast.TernaryOp):  # c ? own_func : own_label: the module's own code either way
            arms = [self.classify(x, fn, at, depth + 1) for x in (v.iftrue, v.iffalse)]
            if all(a.kind == M.FUNCTION_REF and a.local_function for a in arms):
                return arms[0]
        return M.AddrValue(M.COMPUTED)

    def _identifier(self, name: str, fn: Func | None, at: int, depth: int) -> M.AddrValue:
        if name == "NULL":
            return M.AddrValue(M.NULL)
        if fn is not None and (name in fn.locals or name in fn.assigns):
            return self._local(name, fn, at, depth)
        m = self.u.lexed.macros.get(name)
        if m is not None and m.params is None:
            got = self._macro_value(name, m.body, fn, at, depth)
            got.macro = name
            return got
        if self._is_function(name, fn):
            return M.AddrValue(M.FUNCTION_REF, symbol=name, local_function=name in self.defined)
        if name in self.f.globals and re.search(r"(?m)^\s*\"\s*" + re.escape(name) + r":", self.u.src.text):
            # extern const char label[]; defined by the file's own inline asm ("label:\n"): its own code
            return M.AddrValue(M.FUNCTION_REF, symbol=name, local_function=True)
        if name in self.f.globals:
            init = self.f.global_inits.get(name)
            t = self.f.globals[name]
            if init is not None and isinstance(strip(init), c_ast.Constant) and t is not None and t[0] != "ptr":
                got = self.classify(init, None, at, depth + 1)
                if got.kind == M.LITERAL:
                    got.macro = name
                    return got
            return M.AddrValue(M.COMPUTED)
        if re.match(r"^[A-Z_][A-Z0-9_]*$", name):
            return M.AddrValue(M.COMPUTED)
        return M.AddrValue(M.FUNCTION_REF, symbol=name)

    def _local(self, name: str, fn: Func, at: int, depth: int) -> M.AddrValue:
        """A local variable: the value of its last assignment before ``at``."""
        earlier = [(off, val, loc) for off, val, loc in fn.assigns.get(name, []) if off < at]
        if not earlier:
            return M.AddrValue(M.COMPUTED)
        off, val, loc = max(earlier, key=lambda x: x[0])
        outer, self.locate = self.locate, loc
        got = self.classify(val, fn, off, depth + 1)
        self.locate = outer
        if got.kind not in (M.COMPUTED, M.NULL):
            if got.kind == M.KALLSYMS:  # lookups tried one after another into the same local
                self._consume_fallbacks(earlier)
            got.via, got.via_at = name, off
            return got
        return M.AddrValue(M.COMPUTED, via=name)

    def _consume_fallbacks(self, assigns: list[tuple[int, Any, Locate]]) -> None:
        lookups = self.names.callable_lookups()
        for _off, val, _loc in assigns:
            v = strip(val)
            if isinstance(v, c_ast.FuncCall) and isinstance(v.name, c_ast.ID) and v.name.name in lookups:
                self.consumed.add(id(v))

    def _macro_value(self, name: str, body: str, fn: Func | None, at: int, depth: int) -> M.AddrValue:
        n = parse_int(body)
        if n is not None:
            return M.AddrValue(M.LITERAL, number=n) if n else M.AddrValue(M.NULL)
        expr = self.u.macro_exprs.get(name)
        if expr is None:  # a body that is not an expression
            return M.AddrValue(M.COMPUTED)
        return self.classify(expr, fn, at, depth + 1)

    def static_storage(self, node: Any, fn: Func | None) -> bool:
        """Does the object a name expression reads from outlive the probe (static storage)?"""
        v = strip(node)
        if isinstance(v, c_ast.Constant):
            return v.type == "string"
        while isinstance(v, (c_ast.ArrayRef, c_ast.StructRef)):
            v = strip(v.name)
        if not isinstance(v, c_ast.ID):
            return False
        if fn is not None and v.name in fn.locals:
            return v.name in fn.static_locals
        return v.name in self.f.globals

    def _is_variable(self, name: str, fn: Func | None) -> bool:
        return fn is not None and name in fn.locals or name in self.f.globals

    def _is_function(self, name: str, fn: Func | None) -> bool:
        if fn is not None and name in fn.locals:
            return False
        return name in self.defined or name in self.f.functions or name in self.f.declared_functions

    def _lookup_through_cast(self, callee: Any) -> bool:
        """A call of kallsyms_lookup_name through a cast: of a lookup's name, or of the address of a
        probe placed on it."""
        if isinstance(callee, c_ast.ID):
            return callee.name in self.names.callable_lookups()
        if isinstance(callee, c_ast.StructRef) and callee.field.name == "addr":
            key = probe_key(callee.name)
            return any(t == key or t.rsplit(":", 1)[-1] == key for t in self.names.trick_probes)  # locals: "fn#N:kp"
        return False

    def _call(self, v: Any, fn: Func | None, name: str = "") -> M.AddrValue:
        name = name or v.name.name
        args = v.args.exprs if v.args is not None else []
        names = self.names
        if name in names.callable_lookups():
            self.consumed.add(id(v))
            sym = string_value(args[0]) if args else None
            name_expr = None if sym or not args else self._text(args[0])
            return M.AddrValue(M.KALLSYMS, symbol=sym, helper=None if name == KALLSYMS else name,
                               name_expr=name_expr, name_static=bool(args) and self.static_storage(args[0], fn))
        if name in names.relocators or name in names.parsers or RELOCATE_RE.search(name):
            by_name = name in names.parsers or name in names.table_lookups
            if by_name and len(args) == 1 and string_value(args[0]):
                # an in-module resolver asked for one name: that name is the probe's symbol
                return M.AddrValue(M.RELOCATED, helper=name, constant_args=True, symbol=string_value(args[0]))
            return M.AddrValue(M.RELOCATED, helper=name,
                               constant_args=all(isinstance(strip(a), c_ast.Constant) for a in args),
                               args=tuple(strip(a).value if isinstance(strip(a), c_ast.Constant) else "" for a in args),
                               arg_texts=tuple(self._text(a) for a in args))
        return M.AddrValue(M.COMPUTED, helper=name)

    def _text(self, node: Any) -> str:
        sp = self.u.tokens.node(node, self.locate)
        return self.u.src.text[sp.start:sp.end]

    def _arith(self, v: Any, fn: Func | None, at: int, depth: int) -> M.AddrValue:
        left, right = self.classify(v.left, fn, at, depth + 1), self.classify(v.right, fn, at, depth + 1)
        if names_in(v) & MODULE_BASE_NAMES or M.RELOCATED in (left.kind, right.kind):
            return M.AddrValue(M.RELOCATED, helper=left.helper or right.helper)
        const = right.number if right.kind == M.LITERAL else None
        sign = -1 if v.op == "-" else 1
        out = M.AddrValue(M.COMPUTED)
        if const is not None and left.kind == M.KALLSYMS:
            out.symbol, out.offset, out.helper = left.symbol, sign * const, left.helper
        elif const is not None and left.kind == M.FUNCTION_REF and left.symbol in TEXT_BASES:
            out.base, out.offset = left.symbol, sign * const
        elif const is not None and isinstance(strip(v.left), c_ast.ID) and strip(v.left).name in TEXT_BASES:
            out.base, out.offset = strip(v.left).name, sign * const
        return out
