"""Functions of the file that return an address they compute, and how (facts for the rules).

``relocation-helper`` reports them; the origin of an address written to a probe is "relocated"
when it comes from one of them (``origins.py``).
"""

from __future__ import annotations

from typing import Any

from pycparser import c_ast

from migrator.core import model as M
from migrator.core import names as known
from migrator.frontends.c.facts import Func, strip
from migrator.frontends.c.shapes import MODULE_BASE_NAMES, RELOCATE_RE, TEXT_BASES, names_in
from migrator.frontends.c.types import TypeTable

ADDRESS_TYPES = frozenset((
    "unsigned long", "long unsigned int", "unsigned long int", "uintptr_t", "u64", "__u64", "uint64_t",
    "unsigned long long", known.PROBE_ADDRESS_TYPE, "ulong", "size_t", "phys_addr_t", "long",
))


def shapes_of(fn: Func, types: TypeTable, tables: set[str]) -> tuple[str, ...]:
    """How ``fn`` computes the address it returns; () when it returns none it computes."""
    decl = fn.node.decl
    if fn.returns_void or not fn.returns or not _returns_address(types, decl):
        return ()
    used = names_in(fn.node.body)
    values = [strip(r) for r in fn.returns]
    for r in list(values):  # "return addr;" where addr = helper(...)
        if isinstance(r, c_ast.ID):
            values.extend(strip(v) for _off, v, _loc in fn.assigns.get(r.name, []))
    returned = {v.name.name for v in values if isinstance(v, c_ast.FuncCall) and isinstance(v.name, c_ast.ID)}
    out = []
    if used & tables and fn.params:
        out.append(M.TABLE_LOOKUP)
    if any(RELOCATE_RE.search(n) for n in returned):
        out.append(M.WRAPS_RELOCATION)
    if RELOCATE_RE.search(fn.name) and _takes_names_or_module(decl):
        out.append(M.NAMED_RELOCATE)
    if used & MODULE_BASE_NAMES and _has_plus(fn.node.body):
        out.append(M.MODULE_BASE_PLUS)
    if used & TEXT_BASES and _adds(fn.node.body, TEXT_BASES, set(fn.params)):
        out.append(M.TEXT_BASE_PLUS_PARAMETER)
    return tuple(out)


def _returns_address(types: TypeTable, decl: Any) -> bool:
    """Does the function return something that can hold an address (not an int status)?"""
    ftype = getattr(decl, "type", None)
    if not isinstance(ftype, c_ast.FuncDecl):
        return False
    ret = types.ctype(ftype.type)
    return ret is not None and (ret[0] == "ptr" or ret[0] == "base" and ret[1] in ADDRESS_TYPES)


def _takes_names_or_module(decl: Any) -> bool:
    """Parameters like (const char *module, const char *section, ...) or (struct module *mod, ...)."""
    for p in getattr(decl.type.args, "params", None) or []:
        t = getattr(p, "type", None)
        if isinstance(t, c_ast.PtrDecl):
            inner = getattr(t.type, "type", None)
            if isinstance(inner, c_ast.IdentifierType) and "char" in inner.names:
                return True
            if isinstance(inner, c_ast.Struct) and inner.name == "module":
                return True
    return False


def _adds(node: Any, one: frozenset[str] | set[str], other: set[str]) -> bool:
    """Is there an addition (``a + b``, ``a - b``, ``a += b``) with a name of ``one`` on one side and
    a name of ``other`` on the other? (kallsyms' own bisection uses _etext and a parameter apart.)"""
    stack = [node]
    while stack:
        n = stack.pop()
        sides = None
        if isinstance(n, c_ast.BinaryOp) and n.op in ("+", "-"):
            sides = (n.left, n.right)
        elif isinstance(n, c_ast.Assignment) and n.op in ("+=", "-="):
            sides = (n.lvalue, n.rvalue)
        if sides is not None:
            a, b = names_in(sides[0]), names_in(sides[1])
            if a & one and b & other or b & one and a & other:
                return True
        stack.extend(child for _name, child in n.children())
    return False


def _has_plus(node: Any) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, c_ast.BinaryOp) and n.op in ("+", "-"):
            return True
        if isinstance(n, c_ast.Assignment) and n.op == "+=":
            return True
        stack.extend(child for _name, child in n.children())
    return False
