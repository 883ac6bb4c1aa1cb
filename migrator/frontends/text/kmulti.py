"""kprobe_multi links given addresses (C loaders).

libbpf's ``bpf_kprobe_multi_opts`` (``opts.addrs = where``, or ``.addrs = where`` in its
``LIBBPF_OPTS(...)``) and ``bpf_link_create_opts`` (``opts.kprobe_multi.addrs = where``): an array
of kernel addresses instead of ``syms``. Only objects declared with one of those option types count:
``bpf_link_info.kprobe_multi.addrs`` is an output buffer that the kernel fills.
"""

from __future__ import annotations

import re

from migrator.core import model as M
from migrator.core import names

_TYPES = "|".join(names.KPROBE_MULTI_OPTS)
_DECL_RE = re.compile(r"\bLIBBPF_OPTS\s*\(\s*(?:" + _TYPES + r")\s*,\s*(\w+)|\bstruct\s+(?:" + _TYPES + r")\s+(\w+)")
_ITEM_RE = re.compile(r"\.\s*addrs\s*=\s*([^,;)]+)")
_NULL = ("0", "NULL", "nullptr")
_OPTS_FIELD_RE = re.compile(r"\w+\s*(?:\.|->)\s*addrs")  # another options object's addrs


def scan(masked: str, model: M.ProbeModel) -> None:
    objects = set()
    for d in _DECL_RE.finditer(masked):
        name = d.group(1) or d.group(2)
        objects.add(name)
        if d.group(1):  # LIBBPF_OPTS(type, name, .addrs = where, ...)
            close = masked.find(";", d.end())
            for m in _ITEM_RE.finditer(masked, d.end(), close if close >= 0 else len(masked)):
                _site(model, m, name)
    if not objects:
        return
    write = re.compile(r"\b(" + "|".join(map(re.escape, sorted(objects)))
                       + r")\s*(?:\.|->)\s*(?:" + names.KPROBE_MULTI + r"\s*\.\s*)?addrs\s*=(?!=)\s*([^;]+);")
    for m in write.finditer(masked):
        if not _forwarded(masked, m.group(2).strip()):
            _site(model, m, m.group(1), 2)


def _forwarded(masked: str, value: str) -> bool:
    """Is the value the caller's own addrs passed on (libbpf copying its options into the link's)?"""
    if _OPTS_FIELD_RE.fullmatch(value):
        return True
    return bool(re.fullmatch(r"\w+", value)) and re.search(
        r"\b" + value + r"\s*=\s*OPTS_GET\s*\(\s*\w+\s*,\s*addrs\b", masked) is not None


def _site(model: M.ProbeModel, m: re.Match[str], name: str, group: int = 1) -> None:
    value = m.group(group).rstrip()
    if value in _NULL:
        return
    start = m.start(group)
    model.multi_addrs.append(M.Located(M.Span(start, start + len(value)), name, value))
