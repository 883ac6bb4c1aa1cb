"""Just enough C typing to tell a kprobe from a device struct.

Types are small tuples: ("struct", name), ("ptr", t), ("array", t), ("func", ret), ("base", name).
Struct members come from the file's own definitions plus the kernel's probe structs.
"""

from __future__ import annotations

from typing import Any

from pycparser import c_ast

from migrator.core import names

CType = tuple[Any, ...]

KPROBE: CType = ("struct", names.KPROBE)
KRETPROBE: CType = ("struct", names.KRETPROBE)
PROBE_FIELDS = names.PROBE_FIELDS

# The kernel's probe structs (include/linux/kprobes.h, Linux 6.12), as far as rules need them.
BUILTIN_MEMBERS: dict[str, dict[str, CType]] = {
    names.KPROBE: {
        "addr": ("ptr", ("base", names.PROBE_ADDRESS_TYPE)),
        "symbol_name": ("ptr", ("base", "char")),
        "offset": ("base", "unsigned int"),
        "pre_handler": ("ptr", ("func", ("base", "int"))),
        "post_handler": ("ptr", ("func", ("base", "void"))),
        "flags": ("base", "u32"),
    },
    names.KRETPROBE: {"kp": KPROBE, "maxactive": ("base", "int"), "data_size": ("base", "size_t")},
    names.JPROBE: {"kp": KPROBE, "entry": ("ptr", ("base", "void"))},
}


class TypeTable:
    def __init__(self) -> None:
        self.structs: dict[str, list[Any] | dict[str, CType]] = dict(BUILTIN_MEMBERS)  # type: ignore[arg-type]
        self.typedefs: dict[str, Any] = {}
        self._anon = 0
        self._resolving: set[str] = set()

    # -- building ---------------------------------------------------------------------------
    def add_struct(self, node: Any) -> str:
        name = node.name
        if not name:
            self._anon += 1
            name = f"<anon{self._anon}>"
            node.name = name  # later conversions of the same node find it again
        if node.decls is not None and name not in BUILTIN_MEMBERS:
            self.structs[name] = list(node.decls)
        return str(name)

    def add_typedef(self, name: str, type_node: Any) -> None:
        self.typedefs[name] = type_node

    # -- conversion -------------------------------------------------------------------------
    def ctype(self, node: Any) -> CType | None:
        if node is None:
            return None
        if isinstance(node, (c_ast.TypeDecl, c_ast.Typename, c_ast.Decl)):
            return self.ctype(node.type)
        if isinstance(node, c_ast.PtrDecl):
            inner = self.ctype(node.type)
            return ("ptr", inner)
        if isinstance(node, c_ast.ArrayDecl):
            return ("array", self.ctype(node.type))
        if isinstance(node, c_ast.FuncDecl):
            return ("func", self.ctype(node.type))
        if isinstance(node, (c_ast.Struct, c_ast.Union)):
            if node.decls is not None:
                return ("struct", self.add_struct(node))
            return ("struct", node.name)
        if isinstance(node, c_ast.IdentifierType):
            name = " ".join(node.names)
            if name in self.typedefs and name not in self._resolving:
                self._resolving.add(name)
                try:
                    return self.ctype(self.typedefs[name])
                finally:
                    self._resolving.discard(name)
            return ("base", name)
        if isinstance(node, c_ast.Enum):
            return ("base", "int")
        return None

    def member(self, t: CType | None, name: str) -> CType | None:
        if t is None or t[0] != "struct":
            return None
        members = self.structs.get(t[1])
        if members is None:
            return None
        if isinstance(members, dict):
            return members.get(name)
        for decl in members:
            if getattr(decl, "name", None) == name:
                return self.ctype(decl.type)
            # anonymous struct/union members: look inside
            if getattr(decl, "name", None) is None and isinstance(getattr(decl, "type", None), (c_ast.Struct, c_ast.Union, c_ast.TypeDecl)):
                inner = self.ctype(decl.type)
                found = self.member(inner, name)
                if found is not None:
                    return found
        return None

    def member_order(self, t: CType | None) -> list[str]:
        if t is None or t[0] != "struct":
            return []
        members = self.structs.get(t[1])
        if isinstance(members, dict):
            return list(members)
        return [getattr(d, "name", None) or "" for d in members or []]

    def known_struct(self, t: CType | None) -> bool:
        return t is not None and t[0] == "struct" and t[1] in self.structs


def is_kprobe(t: CType | None) -> bool:
    return t == KPROBE


def is_jprobe(t: CType | None) -> bool:
    while t is not None and t[0] == "array":
        t = t[1]
    return t == ("struct", names.JPROBE)


def pointee(t: CType | None) -> CType | None:
    if t is not None and t[0] in ("ptr", "array"):
        return t[1]  # type: ignore[no-any-return]
    return None
