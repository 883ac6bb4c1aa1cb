"""Collect the raw facts of a parsed C file: declarations, probe-field writes, calls, reads.

Nothing is classified here; ``probes.py`` turns these events into the probe model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycparser import c_ast

from migrator.core import names as _names
from migrator.frontends.c.types import PROBE_FIELDS, CType, TypeTable, is_kprobe, pointee

KRETPROBE: CType = ("struct", "kretprobe")

Locate = Callable[[Any], int]  # node -> offset in the file


@dataclass
class Func:
    name: str
    node: Any = None
    params: dict[str, CType | None] = field(default_factory=dict)
    locals: dict[str, CType | None] = field(default_factory=dict)
    static_locals: set[str] = field(default_factory=set)
    # local name -> [(offset of the write, value node, locate)]
    assigns: dict[str, list[tuple[int, Any, Locate]]] = field(default_factory=dict)
    returns: list[Any] = field(default_factory=list)
    returns_void: bool = False


@dataclass
class Write:
    field: str
    anchor: int
    probe: str
    value: Any
    func: Func | None
    locate: Locate
    designated: bool
    macro: str | None = None
    arms: tuple[tuple[int, int], ...] = ()
    kretprobe: bool = False  # the kprobe embedded in a struct kretprobe (must sit at function entry)


@dataclass
class Call:
    name: str
    node: Any
    anchor: int
    func: Func | None
    locate: Locate
    macro: str | None = None


@dataclass
class AddrUseEvent:
    probe: str
    anchor: int
    func: Func | None
    check_start: int | None = None  # offset of the "if" whose condition this read is
    removable: bool = False


@dataclass
class AddrRead:
    probe: str
    anchor: int
    target: str | None  # variable the address is stored in ("" for a return/cast use)


@dataclass
class Facts:
    types: TypeTable = field(default_factory=TypeTable)
    globals: dict[str, CType | None] = field(default_factory=dict)
    global_inits: dict[str, Any] = field(default_factory=dict)
    functions: dict[str, Func] = field(default_factory=dict)
    declared_functions: set[str] = field(default_factory=set)
    writes: list[Write] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    id_refs: list[tuple[str, int, Func | None]] = field(default_factory=list)  # non-call uses
    addr_reads: list[AddrRead] = field(default_factory=list)
    jprobes: list[tuple[int, str]] = field(default_factory=list)
    fn_ptr_assigns: list[tuple[str, Any, Func | None]] = field(default_factory=list)
    addr_uses: list[AddrUseEvent] = field(default_factory=list)
    local_checks: list[tuple[Func, str, int]] = field(default_factory=list)  # if (!v) on a local v
    local_decls: list[tuple[Func, str, int]] = field(default_factory=list)  # "T v;" without initializer
    registrations: list[tuple[str, int, str, Func | None]] = field(default_factory=list)  # call, at, probe, fn


def strip(node: Any) -> Any:
    while isinstance(node, c_ast.Cast) or (isinstance(node, c_ast.UnaryOp) and node.op == "+"):
        node = node.expr
    return node


def probe_key(node: Any, resolve: Callable[[str], str] = str) -> str:
    node = strip(node)
    if isinstance(node, c_ast.ID):
        return resolve(node.name)
    if isinstance(node, c_ast.StructRef):
        return probe_key(node.name, resolve) + "." + node.field.name
    if isinstance(node, c_ast.ArrayRef):
        sub = node.subscript
        idx = sub.value if isinstance(sub, c_ast.Constant) else "*"
        return probe_key(node.name, resolve) + f"[{idx}]"
    if isinstance(node, c_ast.UnaryOp) and node.op in ("*", "&"):
        return probe_key(node.expr, resolve)
    return "?"


class Walker:
    def __init__(self, facts: Facts, probe_macros: set[str], on_macro: Callable[[Any, Func | None, Locate], None]) -> None:
        self.f = facts
        self.t = facts.types
        self.probe_macros = probe_macros
        self.on_macro = on_macro
        # if/else arms the walk is inside: (-id(if node), arm). Writes in different arms of one
        # if never happen together (same shape as #if branches, negative keys keep them apart).
        self.arms: list[tuple[int, int]] = []
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

    # -- declarations (pass 1) ----------------------------------------------------------------
    def declare(self, node: Any) -> None:
        t = self.t
        if isinstance(node, c_ast.Typedef):
            self._register_structs(node.type)
            t.add_typedef(node.name, node.type)
        elif isinstance(node, c_ast.Decl):
            self._register_structs(node.type)
            if node.name:
                if isinstance(node.type, c_ast.FuncDecl):
                    self.f.declared_functions.add(node.name)
                else:
                    self.f.globals[node.name] = t.ctype(node.type)
                    if node.init is not None:
                        self.f.global_inits[node.name] = node.init
        elif isinstance(node, c_ast.FuncDef):
            name = node.decl.name
            fn = Func(name, node)
            ftype = node.decl.type
            if isinstance(ftype, c_ast.FuncDecl):
                ret = t.ctype(ftype.type)
                fn.returns_void = ret == ("base", "void")
                for p in getattr(ftype.args, "params", None) or []:
                    if isinstance(p, c_ast.Decl) and p.name:
                        fn.params[p.name] = t.ctype(p.type)
            self.f.functions[name] = fn

    def _register_structs(self, node: Any) -> None:
        # Struct definitions may hide inside declarations: "static struct x { ... } y[4];"
        while node is not None:
            if isinstance(node, (c_ast.Struct, c_ast.Union)):
                if node.decls is not None:
                    self.t.add_struct(node)
                    for d in node.decls:
                        self._register_structs(getattr(d, "type", None))
                return
            node = getattr(node, "type", None)

    # -- bodies and initializers (pass 2) -----------------------------------------------------
    def global_decl(self, node: Any, locate: Locate, macro: str | None = None) -> None:
        if not isinstance(node, c_ast.Decl) or not node.name:
            return
        ctype = self.t.ctype(node.type)
        if self._is_definition(node) and self._jprobe(ctype):
            self.f.jprobes.append((locate(node), node.name))
        if node.init is not None:
            self.initializer(node.init, ctype, node.name, None, locate, macro)
            self.expr(node.init, None, locate, macro)

    def _is_definition(self, node: Any) -> bool:
        return "extern" not in (node.storage or []) and not isinstance(node.type, c_ast.FuncDecl)

    def _jprobe(self, t: CType | None) -> bool:
        from migrator.frontends.c.types import is_jprobe

        return is_jprobe(t)

    def function(self, fn: Func, locate: Locate, macro: str | None = None) -> None:
        self.scopes = [{}]
        for name, t in fn.params.items():
            fn.locals.setdefault(name, t)
            self._declare_local(fn, name)
        self.stmt(fn.node.body, fn, locate, macro)
        self.scopes = []

    def stmt(self, node: Any, fn: Func | None, locate: Locate, macro: str | None) -> None:
        if node is None:
            return
        if isinstance(node, c_ast.Decl):
            ctype = self.t.ctype(node.type)
            self._register_structs(node.type)
            if fn is not None and node.name:
                fn.locals[node.name] = ctype
                if "static" in (node.storage or []):
                    fn.static_locals.add(node.name)
                self._declare_local(fn, node.name)
                if self._is_definition(node) and self._jprobe(ctype):
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
            return
        if isinstance(node, c_ast.Return):
            if fn is not None and node.expr is not None:
                fn.returns.append(node.expr)
                self._addr_read_target(node.expr, "", locate)
            self.expr(node.expr, fn, locate, macro)
            return
        if isinstance(node, (c_ast.Compound,)):
            self.scopes.append({})
            for item in node.block_items or []:
                self.stmt(item, fn, locate, macro)
            self.scopes.pop()
            return
        if isinstance(node, c_ast.If):
            first_use = len(self.f.addr_uses)
            self.expr(node.cond, fn, locate, macro)
            for use in self.f.addr_uses[first_use:]:
                use.check_start = locate(node)
                use.removable = node.iffalse is None and _is_null_test(node.cond)
            tested = _null_tested_name(node.cond)
            if tested and node.iffalse is None and fn is not None:
                self.f.local_checks.append((fn, tested, locate(node)))
            for arm, child in ((0, node.iftrue), (1, node.iffalse)):
                self.arms.append((-id(node), arm))
                self.stmt(child, fn, locate, macro)
                self.arms.pop()
            return
        if isinstance(node, (c_ast.While, c_ast.DoWhile, c_ast.For, c_ast.Switch, c_ast.Case,
                             c_ast.Default, c_ast.Label, c_ast.TernaryOp)):
            for _name, child in node.children():
                if isinstance(child, (c_ast.Compound, c_ast.If, c_ast.While, c_ast.DoWhile, c_ast.For,
                                      c_ast.Switch, c_ast.Case, c_ast.Default, c_ast.Label, c_ast.Return,
                                      c_ast.Decl, c_ast.DeclList)):
                    self.stmt(child, fn, locate, macro)
                else:
                    self.expr(child, fn, locate, macro)
            return
        if isinstance(node, c_ast.DeclList):
            for d in node.decls:
                self.stmt(d, fn, locate, macro)
            return
        self.expr(node, fn, locate, macro)

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

    def _assignment(self, n: Any, fn: Func | None, locate: Locate, macro: str | None) -> None:
        lv = n.lvalue
        if n.op == "=" and isinstance(lv, c_ast.ID) and fn is not None:
            fn.assigns.setdefault(lv.name, []).append((locate(lv), n.rvalue, locate))
        if n.op == "=" and isinstance(lv, (c_ast.ID, c_ast.StructRef)):
            # targets by plain name: calls through them are matched by name
            self._addr_read_target(n.rvalue, probe_key(lv), locate)
            self.f.fn_ptr_assigns.append((probe_key(lv), n.rvalue, fn))
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
        if isinstance(v, c_ast.StructRef) and v.field.name == "addr":
            self.f.addr_reads.append(AddrRead(self.key(v.name), locate(v.field), target))

    # -- typing -------------------------------------------------------------------------------
    def type_of(self, node: Any, fn: Func | None) -> CType | None:
        t = self.t
        if isinstance(node, c_ast.ID):
            if fn is not None and node.name in fn.locals:
                return fn.locals[node.name]
            return self.f.globals.get(node.name)
        if isinstance(node, c_ast.StructRef):
            base = self.type_of(node.name, fn)
            if node.type == "->":
                base = pointee(base)
            return t.member(base, node.field.name)
        if isinstance(node, c_ast.ArrayRef):
            return pointee(self.type_of(node.name, fn))
        if isinstance(node, c_ast.UnaryOp):
            if node.op == "*":
                return pointee(self.type_of(node.expr, fn))
            if node.op == "&":
                inner = self.type_of(node.expr, fn)
                return ("ptr", inner) if inner is not None else None
            return None
        if isinstance(node, c_ast.Cast):
            return t.ctype(node.to_type)
        if isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID):
            if node.name.name == "container_of" and node.args and len(node.args.exprs) == 3:
                return ("ptr", t.ctype(node.args.exprs[1]))
            target = self.f.functions.get(node.name.name)
            if target is not None and isinstance(target.node.decl.type, c_ast.FuncDecl):
                return t.ctype(target.node.decl.type.type)
        return None

    def _is_probe_access(self, lv: Any, value: Any, fn: Func | None) -> bool:
        """Is ``lv`` (a StructRef of addr/symbol_name/offset) a field of a struct kprobe?"""
        base = self.type_of(lv.name, fn)
        if lv.type == "->":
            base = pointee(base)
        if base is not None:
            return is_kprobe(base)
        # Type not visible here: only the unmistakable shapes.
        inner = lv.name
        if isinstance(inner, c_ast.StructRef) and inner.field.name == "kp":
            return True
        return _kprobe_cast(value)

    # -- initializers -------------------------------------------------------------------------
    def initializer(self, init: Any, t: CType | None, key: str, fn: Func | None, locate: Locate,
                    macro: str | None, outer: CType | None = None) -> None:
        if not isinstance(init, c_ast.InitList):
            return
        if t is not None and t[0] == "array":
            elem = t[1]
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
            return
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
                if last.name in PROBE_FIELDS and (is_kprobe(cur_t) or (cur_t is None or not self.t.known_struct(cur_t)) and _kprobe_cast(item.expr)):
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


def _kprobe_cast(value: Any) -> bool:
    """``(kprobe_opcode_t *)...``: the author says this is a probe address."""
    while isinstance(value, c_ast.Cast):
        names = getattr(getattr(getattr(value.to_type, "type", None), "type", None), "type", None)
        if isinstance(names, c_ast.IdentifierType) and _names.PROBE_ADDRESS_TYPE in names.names:
            return True
        value = value.expr
    return False


def _null_tested_name(cond: Any) -> str | None:
    """``v`` in ``!v``, ``v == NULL``, ``v == 0``, ``NULL == v``."""
    if isinstance(cond, c_ast.UnaryOp) and cond.op == "!" and isinstance(strip(cond.expr), c_ast.ID):
        return str(strip(cond.expr).name)
    if isinstance(cond, c_ast.BinaryOp) and cond.op == "==":
        sides = [strip(cond.left), strip(cond.right)]
        ids = [x for x in sides if isinstance(x, c_ast.ID) and x.name != "NULL"]
        nulls = [x for x in sides if isinstance(x, c_ast.ID) and x.name == "NULL"
                 or isinstance(x, c_ast.Constant) and x.value == "0"]
        if len(ids) == 1 and len(nulls) == 1:
            return str(ids[0].name)
    return None


def _is_null_test(cond: Any) -> bool:
    """``!x.addr``, ``x.addr == NULL``, ``NULL == x.addr``, ``x.addr == 0``."""
    if isinstance(cond, c_ast.UnaryOp) and cond.op == "!":
        return isinstance(strip(cond.expr), c_ast.StructRef)
    if isinstance(cond, c_ast.BinaryOp) and cond.op == "==":
        sides = [strip(cond.left), strip(cond.right)]
        nulls = [x for x in sides if isinstance(x, c_ast.ID) and x.name == "NULL"
                 or isinstance(x, c_ast.Constant) and x.value == "0"]
        refs = [x for x in sides if isinstance(x, c_ast.StructRef)]
        return len(nulls) == 1 and len(refs) == 1
    return False
