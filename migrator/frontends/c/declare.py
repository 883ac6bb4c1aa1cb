"""Pass 1 of the walk, declarations, and what they tell the rest of it: the type of an expression,
and whether a field write is a probe's.
"""

from __future__ import annotations

from typing import Any

from pycparser import c_ast

from migrator.core import names as _names
from migrator.frontends.c.facts import Facts, Func
from migrator.frontends.c.types import CType, is_kprobe, pointee


class DeclarationWalk:
    """Records the structs, typedefs, globals and functions of a file in its facts and reads them
    back; the initializer walk and the walker build on it."""

    def __init__(self, facts: Facts) -> None:
        self.f = facts
        self.t = facts.types

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
        return kprobe_cast(value)


def kprobe_cast(value: Any) -> bool:
    """``(kprobe_opcode_t *)...``: the author says this is a probe address."""
    while isinstance(value, c_ast.Cast):
        names = getattr(getattr(getattr(value.to_type, "type", None), "type", None), "type", None)
        if isinstance(names, c_ast.IdentifierType) and _names.PROBE_ADDRESS_TYPE in names.names:
            return True
        value = value.expr
    return False
