"""Attach calls in Python that place a kprobe by address.

- BCC's ``attach_kprobe(event=<number>)`` / ``attach_kretprobe``;
- libbpf's ``bpf_program__attach_kprobe_opts`` through ctypes with no function name and an
  absolute ``opts.offset``; libbcc's ``bpf_attach_kprobe`` likewise;
- perf ``kprobe_addr``/``config2`` set with no ``kprobe_func``/``config1``.
"""

from __future__ import annotations

import ast

from migrator.core import model as M
from migrator.frontends.python.pyfile import PyFile, callee
from migrator.frontends.text import tracefs


def call(f: PyFile, node: ast.Call) -> None:
    """An attach call by address: BCC, libbpf or libbcc through ctypes."""
    name = callee(node)
    if name in ("attach_kprobe", "attach_kretprobe"):
        _bcc_attach(f, node, name == "attach_kretprobe")
    elif name == "bpf_program__attach_kprobe_opts" and len(node.args) >= 3:
        _libbpf(f, node)
    elif name == "bpf_attach_kprobe" and len(node.args) >= 5:
        _libbcc(f, node)


def _bcc_attach(f: PyFile, node: ast.Call, kret: bool) -> None:
    event = next((kw.value for kw in node.keywords if kw.arg == "event"), node.args[0] if node.args else None)
    if event is None:
        return
    number, computed = address_of(f, event)
    if number is None and not computed:
        return
    a, b = f.span(event)
    span = M.Span(a, b)
    f.model.attach_addrs.append(M.AddrSite(
        span, M.BCC_ATTACH_KRETPROBE if kret else M.BCC_ATTACH_KPROBE, number, f.text[a:b], kret,
        origin=M.LITERAL if number is not None else M.COMPUTED, address_span=span,
        variable=event.id if isinstance(event, ast.Name) else "",
        offset_given=any(kw.arg == "event_off" for kw in node.keywords)))


def address_of(f: PyFile, e: ast.AST) -> tuple[int | None, bool]:
    """(constant address, computed address) of an event= value; (None, False) for a name."""
    if isinstance(e, ast.Constant):
        if isinstance(e.value, bool):
            return None, False
        if isinstance(e.value, int):
            return (e.value, False) if e.value else (None, False)
        if isinstance(e.value, (str, bytes)):
            s = e.value.decode("latin-1") if isinstance(e.value, bytes) else e.value
            if tracefs.NUMBER_RE.fullmatch(s):
                return tracefs.location_kind(s)[0], False
        return None, False
    if isinstance(e, ast.Call) and callee(e) in ("int", "hex"):
        return None, True
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Mod) and isinstance(e.left, ast.Constant) \
            and isinstance(e.left.value, (str, bytes)):
        s = e.left.value.decode("latin-1") if isinstance(e.left.value, bytes) else e.left.value
        return None, bool(tracefs.PLACEHOLDER_RE.fullmatch(s))
    if isinstance(e, ast.JoinedStr):
        consts = "".join(v.value for v in e.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        fmt = [v for v in e.values if isinstance(v, ast.FormattedValue)]
        return None, consts in ("0x", "0X") or any(
            isinstance(fv.format_spec, ast.JoinedStr) and "x" in ast.unparse(fv.format_spec) for fv in fmt)
    if isinstance(e, ast.Name):
        values = [n.value for n in f.nodes if isinstance(n, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == e.id for t in n.targets)]
        if not values:
            return None, False
        # "addr = 0" (or None) before the loop that finds it is a placeholder, not a value
        got = [address_of(f, v) for v in values if not isinstance(v, ast.Name) and not (
            isinstance(v, ast.Constant) and v.value in (0, None) and not isinstance(v.value, bool))]
        if got and all(g[0] is not None or g[1] for g in got):
            nums = {g[0] for g in got}
            return (nums.pop() if len(nums) == 1 else None), True
        if any(isinstance(v, ast.BinOp) and not isinstance(v.op, ast.Mod) for v in values):
            return None, True
    return None, False


def _opts_var(arg: ast.AST) -> str | None:
    if isinstance(arg, ast.Call) and callee(arg) in ("byref", "pointer", "addressof") and arg.args:
        arg = arg.args[0]
    return arg.id if isinstance(arg, ast.Name) else None


def _libbpf(f: PyFile, node: ast.Call) -> None:
    if not _no_name(node.args[1]):
        return
    opts = _opts_var(node.args[2])
    if opts is None:
        return
    value: ast.AST | None = None
    kret = False
    for n in f.scope_nodes(node):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == opts:
                    if t.attr == "offset":
                        value = n.value
                    elif t.attr == "retprobe":
                        kret = _truthy(n.value)
            if any(isinstance(t, ast.Name) and t.id == opts for t in n.targets) and isinstance(n.value, ast.Call):
                for kw in n.value.keywords:
                    if kw.arg == "offset":
                        value = kw.value
                    elif kw.arg == "retprobe":
                        kret = _truthy(kw.value)
    if value is None:
        return
    _name_and_offset(f, node.args[1], value, kret, M.LIBBPF_OPTS_CTYPES)


def _libbcc(f: PyFile, node: ast.Call) -> None:
    if not _no_name(node.args[3]):
        return
    t = node.args[1]
    kret = (isinstance(t, ast.Constant) and t.value == 1) or "RET" in ast.unparse(t).upper()
    _name_and_offset(f, node.args[3], node.args[4], kret, M.LIBBCC_ATTACH_CTYPES)


def _name_and_offset(f: PyFile, name_arg: ast.AST, value: ast.AST, kret: bool, form: str) -> None:
    """A call with an empty name argument and an address where the offset goes."""
    a, b = f.span(value)
    span = M.Span(a, b)
    site = M.AddrSite(span, form, None, f.text[a:b], kret, origin=M.COMPUTED, address_span=span,
                      name_span=M.Span(*f.span(name_arg)))
    if isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool):
        if not value.value:
            return
        site.address, site.origin = value.value, M.LITERAL
    else:  # not an integer literal (a string is converted at run time)
        site.address, computed = address_of(f, value)
        if site.address is None and not computed and not isinstance(value, ast.Name):
            return
        if isinstance(value, ast.Name):
            site.variable = value.id
            site.origin = M.LITERAL if site.address is not None else M.COMPUTED
    f.model.attach_addrs.append(site)


def perf_assign(f: PyFile, node: ast.Assign) -> None:
    """``attr.kprobe_addr = <number>`` (or config2) on an object that never gets a kprobe_func/config1."""
    if not f.perf:
        return
    for t in node.targets:
        if not (isinstance(t, ast.Attribute) and t.attr in ("kprobe_addr", "config2")):
            continue
        v = node.value
        if not (isinstance(v, ast.Constant) and isinstance(v.value, int) and v.value):
            continue
        obj = ast.unparse(t.value)
        named = any(isinstance(n, ast.Assign) and any(
            isinstance(x, ast.Attribute) and x.attr in ("kprobe_func", "config1", "uprobe_path")
            and ast.unparse(x.value) == obj for x in n.targets) and _truthy(n.value) for n in f.nodes)
        if named:
            continue
        a, b = f.span(v)
        f.model.attach_addrs.append(M.AddrSite(M.Span(a, b), M.PERF_ATTR_PYTHON, v.value, f.text[a:b],
                                               address_span=M.Span(a, b)))


def _no_name(e: ast.AST) -> bool:
    return isinstance(e, ast.Constant) and (e.value is None or e.value in (b"", "", 0)) and not isinstance(e.value, bool)


def _truthy(e: ast.AST) -> bool:
    return not (isinstance(e, ast.Constant) and not e.value)
