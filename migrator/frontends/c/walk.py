"""Walk a parsed C file into raw facts (``facts.py``): statements and expressions, with the
declaration and initializer walks it builds on (``declare.py``, ``initializers.py``).

Nothing is classified here; ``record`` and the stages it calls turn these facts into the probe
model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycparser import c_ast

from migrator.core import names
from migrator.frontends.c.facts import AddrRead, AddrUseEvent, Call, Facts, Func, Locate, Write, probe_key, strip
from migrator.frontends.c.initializers import InitializerWalk
from migrator.frontends.c.types import KRETPROBE, PROBE_FIELDS, is_jprobe, pointee

# Statements whose children are statements or expressions, walked each as what it is.
_NESTING = (c_ast.While, c_ast.DoWhile, c_ast.For, c_ast.Switch, c_ast.Case, c_ast.Default, c_ast.Label,
            c_ast.TernaryOp)
_STATEMENT_CHILDREN = (c_ast.Compound, c_ast.If, c_ast.While, c_ast.DoWhile, c_ast.For, c_ast.Switch, c_ast.Case,
                       c_ast.Default, c_ast.Label, c_ast.Return, c_ast.Decl, c_ast.DeclList)


class Walker(InitializerWalk):
    """Pass 2: global declarations and function bodies become facts. A call of a probe-building
    macro is handed to ``on_macro``, which expands and walks it later."""

    def __init__(self, facts: Facts, probe_macros: set[str], on_macro: Callable[[Any, Func | None, Locate], None]) -> None:
        super().__init__(facts)
        self.probe_macros = probe_macros
        self.on_macro = on_macro
        # Block scopes of the function being walked: local name -> unique probe identity.
        self.scopes: list[dict[str, str]] = []
        self.scope_count = 0

    def key(self, node: Any) -> str:
        """Identity of the object ``node`` designates; locals are told apart by their block."""
        return probe_key(node, self._resolve)

    def _resolve(self, name: str) -> str:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return name

    def _declare_local(self, fn: Func, name: str) -> None:
        self.scope_count += 1
        if self.scopes:
            self.scopes[-1][name] = f"{fn.name}#{self.scope_count}:{name}"

    # -- pass 2: global declarations and function bodies ----------------------------------------
    def global_decl(self, node: Any, locate: Locate, macro: str | None = None) -> None:
        if not isinstance(node, c_ast.Decl) or not node.name:
            return
        ctype = self.t.ctype(node.type)
        if self._is_definition(node) and is_jprobe(ctype):
            self.f.jprobes.append((locate(node), node.name))
        if node.init is not None:
            self.initializer(node.init, ctype, node.name, None, locate, macro)
            self.expr(node.init, None, locate, macro)

    def _is_definition(self, node: Any) -> bool:
        return "extern" not in (node.storage or []) and not isinstance(node.type, c_ast.FuncDecl)

    def function(self, fn: Func, locate: Locate, macro: str | None = None) -> None:
        self.scopes = [{}]
        for name, t in fn.params.items():
            fn.locals.setdefault(name, t)
            self._declare_local(fn, name)
        self.stmt(fn.node.body, fn, locate, macro)
        self.scopes = []

    # -- statements -----------------------------------------------------------------------------
    def stmt(self, node: Any, fn: Func | None, locate: Locate, macro: str | None) -> None:
        if node is None:
            return
        if isinstance(node, c_ast.Decl):
            self._local_decl(node, fn, locate, macro)
        elif isinstance(node, c_ast.Return):
            self._return(node, fn, locate, macro)
        elif isinstance(node, c_ast.Compound):
            self.scopes.append({})
            for item in node.block_items or []:
                self.stmt(item, fn, locate, macro)
            self.scopes.pop()
        elif isinstance(node, c_ast.If):
            self._if(node, fn, locate, macro)
        elif isinstance(node, _NESTING):
            for _name, child in node.children():
                if isinstance(child, _STATEMENT_CHILDREN):
                    self.stmt(child, fn, locate, macro)
                else:
                    self.expr(child, fn, locate, macro)
        elif isinstance(node, c_ast.DeclList):
            for d in node.decls:
                self.stmt(d, fn, locate, macro)
        else:
            self.expr(node, fn, locate, macro)

    def _local_decl(self, node: Any, fn: Func | None, locate: Locate, macro: str | None) -> None:
        ctype = self.t.ctype(node.type)
        self._register_structs(node.type)
        if fn is not None and node.name:
            fn.locals[node.name] = ctype
            if "static" in (node.storage or []):
                fn.static_locals.add(node.name)
            self._declare_local(fn, node.name)
            if self._is_definition(node) and is_jprobe(ctype):
                self.f.jprobes.append((locate(node), node.name))
            if node.init is not None:
                fn.assigns.setdefault(node.name, []).append((locate(node), node.init, locate))
                self._addr_read_target(node.init, node.name, locate)
            else:
                self.f.local_decls.append((fn, node.name, locate(node)))
        if node.init is not None:
            name = self._resolve(node.name) if node.name else "?"
            self.initializer(node.init, ctype, name, fn, locate, macro)
            self.expr(node.init, fn, locate, macro)

    def _return(self, node: Any, fn: Func | None, locate: Locate, macro: str | None) -> None:
        if fn is not None and node.expr is not None:
            fn.returns.append(node.expr)
            self._addr_read_target(node.expr, "", locate)
        self.expr(node.expr, fn, locate, macro)

    def _if(self, node: Any, fn: Func | None, locate: Locate, macro: str | None) -> None:
        first_use = len(self.f.addr_uses)
        self.expr(node.cond, fn, locate, macro)
        for use in self.f.addr_uses[first_use:]:
            use.check_start = locate(node)
            use.removable = node.iffalse is None and _is_null_test(node.cond)
        tested = _null_tested_name(node.cond)
        if tested and node.iffalse is None and fn is not None:
            self.f.local_checks.append((fn, tested, locate(node)))
        unset = _symbol_unset_arm(node.cond)
        if unset is not None:  # "if (!kp.symbol_name) kp.addr = ...": the addr is a fallback, never both
            ref, arm = unset
            self.f.symbol_unset_arms[(-id(node), arm)] = self.key(ref.name)
        for arm, child in ((0, node.iftrue), (1, node.iffalse)):
            self.arms.append((-id(node), arm))
            self.stmt(child, fn, locate, macro)
            self.arms.pop()

    # -- expressions ----------------------------------------------------------------------------
    def expr(self, node: Any, fn: Func | None, locate: Locate, macro: str | None) -> None:
        if node is None:
            return
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, c_ast.Assignment):
                self._assignment(n, fn, locate, macro)
            elif isinstance(n, c_ast.FuncCall):
                self._call(n, fn, locate, macro)
            elif isinstance(n, c_ast.ID):
                self.f.id_refs.append((n.name, locate(n), fn))
            elif isinstance(n, c_ast.StructRef) and n.field.name == "addr":
                self.f.addr_uses.append(AddrUseEvent(self.key(n.name), locate(n.field), fn))
            elif isinstance(n, c_ast.Compound):  # statement expression
                self.stmt(n, fn, locate, macro)
                continue
            elif isinstance(n, c_ast.CompoundLiteral):
                self.initializer(n.init, self.t.ctype(n.type), "?", fn, locate, macro)
            for _name, child in n.children():
                if isinstance(n, c_ast.FuncCall) and _name == "name" and isinstance(child, c_ast.ID):
                    continue  # the callee is recorded as a call, not as a reference
                if isinstance(n, c_ast.StructRef) and _name == "field":
                    continue
                if isinstance(n, c_ast.NamedInitializer) and _name.startswith("name"):
                    continue
                stack.append(child)

    def _call(self, n: Any, fn: Func | None, locate: Locate, macro: str | None) -> None:
        callee = n.name
        if isinstance(callee, c_ast.ID):
            if callee.name in self.probe_macros:
                self.on_macro(n, fn, locate)
            if callee.name.startswith("register_") and n.args is not None and n.args.exprs:
                self.f.registrations.append((callee.name, locate(callee), self.key(n.args.exprs[0]), fn))
            self.f.calls.append(Call(callee.name, n, locate(callee), fn, locate, macro))
        elif isinstance(callee, c_ast.UnaryOp) and callee.op == "*" and isinstance(callee.expr, c_ast.ID):
            self.f.calls.append(Call(callee.expr.name, n, locate(callee.expr), fn, locate, macro))
        elif isinstance(strip(callee), c_ast.StructRef):  # through a field: named ".field", whatever the object
            field_id = strip(callee).field
            self.f.calls.append(Call("." + field_id.name, n, locate(field_id), fn, locate, macro))
            if field_id.name == "addr":  # ((lookup_t)kp.addr)("name"): the probe's address called in place
                self.f.addr_reads.append(AddrRead(self.key(strip(callee).name), locate(field_id), ""))

    def _assignment(self, n: Any, fn: Func | None, locate: Locate, macro: str | None) -> None:
        lv = n.lvalue
        if n.op == "=" and isinstance(lv, c_ast.ID) and fn is not None:
            fn.assigns.setdefault(lv.name, []).append((locate(lv), n.rvalue, locate))
        if n.op == "=" and isinstance(lv, c_ast.UnaryOp) and lv.op == "*" and isinstance(lv.expr, c_ast.ID) \
                and fn is not None and lv.expr.name in fn.params:
            self._addr_read_target(n.rvalue, lv.expr.name, locate)  # passed out: ``*out = kp.addr``
        if n.op == "=" and isinstance(lv, c_ast.ID) and fn is not None and (ip := _ip_read(n.rvalue, fn, self.f.globals)) is not None:
            self.f.ip_reads.append((lv.name, locate(ip), fn))  # (a macro-made header leaves regs undeclared)
        if n.op == "=" and isinstance(lv, (c_ast.ID, c_ast.StructRef)):
            # targets by plain name: calls through them are matched by name
            self._addr_read_target(n.rvalue, probe_key(lv), locate)
            self.f.fn_ptr_assigns.append((probe_key(lv), n.rvalue, fn))
        if n.op == "=" and isinstance(lv, c_ast.StructRef) and lv.field.name in names.HANDLER_FIELDS:
            self.f.handled.add(self.key(lv.name))
        if n.op == "=" and isinstance(lv, c_ast.StructRef) and lv.field.name in PROBE_FIELDS:
            if self._is_probe_access(lv, n.rvalue, fn):
                base = self.key(lv.name)
                kret = False
                if isinstance(lv.name, c_ast.StructRef) and lv.name.field.name == "kp":
                    outer = self.type_of(lv.name.name, fn)
                    kret = (pointee(outer) if lv.name.type == "->" else outer) == KRETPROBE
                self.f.writes.append(Write(lv.field.name, locate(lv.field), base, n.rvalue, fn, locate, False, macro,
                                           tuple(self.arms), kret))

    def _addr_read_target(self, value: Any, target: str, locate: Locate) -> None:
        v = strip(value)
        if isinstance(v, c_ast.BinaryOp) and v.op in ("+", "-"):  # ``(void *)kp.addr - OFFSET``: still harvested
            v = strip(v.left)
        if isinstance(v, c_ast.StructRef) and v.field.name == "addr":
            self.f.addr_reads.append(AddrRead(self.key(v.name), locate(v.field), target))
        elif isinstance(v, c_ast.FuncCall) and isinstance(v.name, c_ast.ID) and v.args is not None:
            # a helper that returns the addr of the probe it is given: ``where = probe_address(&kp)``
            getter = self.f.functions.get(v.name.name)
            i = _addr_getter_param(getter) if getter is not None else None
            if i is not None and i < len(v.args.exprs):
                self.f.addr_reads.append(AddrRead(self.key(v.args.exprs[i]), locate(v.name), target))


def _ip_read(value: Any, fn: Func, globals_: dict[str, Any]) -> Any:
    """The node naming the instruction pointer when ``value`` is a handler's ``regs->ip``
    (``regs->ip - 1``, ``--regs->ip``, ``instruction_pointer(regs)``), else None."""
    v = strip(value)
    if isinstance(v, c_ast.BinaryOp) and v.op in ("+", "-") and isinstance(strip(v.right), c_ast.Constant):
        v = strip(v.left)
    if isinstance(v, c_ast.UnaryOp) and v.op in ("--", "++", "p--", "p++"):
        v = strip(v.expr)
    if isinstance(v, c_ast.StructRef) and v.type == "->" and v.field.name == names.PT_REGS_IP_FIELD and isinstance(v.name, c_ast.ID) \
            and (v.name.name in fn.params or v.name.name not in fn.locals and v.name.name not in globals_):
        return v.field
    if isinstance(v, c_ast.FuncCall) and isinstance(v.name, c_ast.ID) and v.name.name == names.INSTRUCTION_POINTER \
            and v.args is not None and len(v.args.exprs) == 1:
        return v.name
    return None


def _addr_getter_param(fn: Func) -> int | None:
    """The index of the parameter whose ``->addr`` the function returns, if it returns one."""
    params = list(fn.params)
    for r in fn.returns:
        r = strip(r)
        if isinstance(r, c_ast.StructRef) and r.field.name == "addr" and isinstance(r.name, c_ast.ID) \
                and r.name.name in params:
            return params.index(r.name.name)
    return None


def _null_tested_name(cond: Any) -> str | None:
    """``v`` in ``!v``, ``v == NULL``, ``v == 0``, ``NULL == v``."""
    if isinstance(cond, c_ast.UnaryOp) and cond.op == "!" and isinstance(strip(cond.expr), c_ast.ID):
        return str(strip(cond.expr).name)
    other = _null_compared(cond)
    return str(other.name) if isinstance(other, c_ast.ID) else None


def _symbol_unset_arm(cond: Any) -> tuple[Any, int] | None:
    """(the ``x.symbol_name`` node, the arm where it is NULL) for ``!x.symbol_name``,
    ``x.symbol_name == NULL`` (arm 0), ``x.symbol_name``, ``x.symbol_name != NULL`` (arm 1)."""
    c = strip(cond)
    negated = isinstance(c, c_ast.UnaryOp) and c.op == "!"
    if negated:
        c = strip(c.expr)
    elif isinstance(c, c_ast.BinaryOp) and c.op in ("==", "!="):
        other = _null_compared(c, ("==", "!="))
        if other is None:
            return None
        negated, c = c.op == "==", other
    if isinstance(c, c_ast.StructRef) and c.field.name == "symbol_name":
        return c, 0 if negated else 1
    return None


def _is_null_test(cond: Any) -> bool:
    """``!x.addr``, ``x.addr == NULL``, ``NULL == x.addr``, ``x.addr == 0``."""
    if isinstance(cond, c_ast.UnaryOp) and cond.op == "!":
        return isinstance(strip(cond.expr), c_ast.StructRef)
    return isinstance(_null_compared(cond), c_ast.StructRef)


def _null_compared(cond: Any, ops: tuple[str, ...] = ("==",)) -> Any:
    """The other side of a comparison (one of ``ops``) with NULL or 0, else None."""
    if not (isinstance(cond, c_ast.BinaryOp) and cond.op in ops):
        return None
    others = [x for x in (strip(cond.left), strip(cond.right)) if not _is_null(x)]
    return others[0] if len(others) == 1 else None


def _is_null(x: Any) -> bool:
    return isinstance(x, c_ast.ID) and x.name == "NULL" or isinstance(x, c_ast.Constant) and x.value == "0"
