"""The raw facts of a parsed C file, as the walk (``walk.py``) collects them: declarations,
probe-field writes, calls, reads.

Nothing is classified here; ``record`` and the stages it calls turn these facts into the probe
model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycparser import c_ast

from migrator.frontends.c.types import CType, TypeTable

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
    klp_old_names: list[tuple[str, str, int]] = field(default_factory=list)  # (klp_func, string, offset)
    handled: set[str] = field(default_factory=set)  # probes given a handler (pre_handler, handler, ...)
    # a handler keeping the probed instruction's address: (variable, offset of "ip", handler)
    ip_reads: list[tuple[str, int, Func]] = field(default_factory=list)
    jprobes: list[tuple[int, str]] = field(default_factory=list)
    fn_ptr_assigns: list[tuple[str, Any, Func | None]] = field(default_factory=list)
    addr_uses: list[AddrUseEvent] = field(default_factory=list)
    local_checks: list[tuple[Func, str, int]] = field(default_factory=list)  # if (!v) on a local v
    local_decls: list[tuple[Func, str, int]] = field(default_factory=list)  # "T v;" without initializer
    registrations: list[tuple[str, int, str, Func | None]] = field(default_factory=list)  # call, at, probe, fn
    # if/else arms where a probe's symbol_name tests NULL: (-id(if node), arm) -> probe
    symbol_unset_arms: dict[tuple[int, int], str] = field(default_factory=dict)


def strip(node: Any) -> Any:
    """The expression under its casts and unary pluses."""
    while isinstance(node, c_ast.Cast) or (isinstance(node, c_ast.UnaryOp) and node.op == "+"):
        node = node.expr
    return node


def probe_key(node: Any, resolve: Callable[[str], str] = str) -> str:
    """Identity of the object ``node`` designates: ``kp``, ``p->kp``, ``kps[2]``, ``kps[*]``
    (``resolve`` renames a variable, e.g. to tell apart locals of one name); "?" when none."""
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
