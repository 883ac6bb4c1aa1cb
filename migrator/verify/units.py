"""What ``verify --boot`` builds: the modules ``fix`` changes, grouped by directory, with both versions
of every file they may include."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from migrator.verify.debkernel import BootError

if TYPE_CHECKING:
    from migrator.check.engine import Options
    from migrator.fix.symbols import SymbolMap

_INCLUDE_RE = re.compile(rb'^\s*#\s*include\s*"([^"]+)"', re.M)
# a kernel module at all, not a user-space loader that sits next to one
_MODULE_RE = re.compile(rb"\b(module_init|init_module|MODULE_LICENSE)\b")


@dataclass
class Unit:
    """The changed modules of one directory, with both versions of every file they may include."""

    directory: str
    modules: list[str]  # paths of the .c files, one module each
    before: dict[str, bytes]  # file name -> content
    after: dict[str, bytes]
    skipped: list[str] = field(default_factory=list)  # changed .c files that are not kernel modules


def units_from_contents(contents: dict[str, tuple[bytes, bytes]]) -> list[Unit]:
    """``contents``: path -> (original, migrated) of every .c/.h file considered. A .c file is a module
    to verify when it changed or includes (by ``#include "x.h"``) a header of its directory that changed,
    and is a kernel module at all (module_init, init_module or MODULE_LICENSE: not a user-space loader)."""
    by_dir: dict[str, dict[str, tuple[bytes, bytes]]] = {}
    for path, pair in contents.items():
        by_dir.setdefault(os.path.dirname(path) or ".", {})[os.path.basename(path)] = pair
    units = []
    for directory, files in sorted(by_dir.items()):
        changed_headers = {n for n, (old, new) in files.items() if n.endswith(".h") and old != new}
        mods: list[str] = []
        skipped: list[str] = []
        for name, (old, new) in sorted(files.items()):
            if not name.endswith(".c"):
                continue
            includes = {os.path.basename(i.decode(errors="replace")) for i in _INCLUDE_RE.findall(old)}
            if old != new or includes & changed_headers:
                (mods if _MODULE_RE.search(old) else skipped).append(os.path.join(directory, name))
        if mods or skipped:
            units.append(Unit(directory, mods, {n: o for n, (o, _n) in files.items()},
                              {n: m for n, (_o, m) in files.items()}, skipped))
    return units


def units_from_fix(paths: list[str], opts: Options, symbols: SymbolMap | None) -> list[Unit]:
    """Run ``fix`` (in memory) over ``paths`` and collect what it changes. Every .c/.h file of a
    directory that holds a changed file is taken along, so local includes resolve on both sides."""
    from migrator.check.discover import walk
    from migrator.fix.fixer import fix_bytes

    contents: dict[str, tuple[bytes, bytes]] = {}
    for item in walk(paths, opts.exclude):
        if isinstance(item, tuple):
            raise BootError(f"{item[0]}: {item[1]}")
        with open(item.path, "rb") as fh:
            data = fh.read()
        ff = fix_bytes(item.path, data, opts, symbols)
        contents[item.path] = (data, ff.new if ff.changed and ff.new is not None else data)
    dirs = {os.path.dirname(p) or "." for p, (o, n) in contents.items() if o != n}
    for d in dirs:  # headers the walk did not pick up (no probe triggers) are still includable
        for name in os.listdir(d):
            p = os.path.join(d, name)
            if name.endswith((".c", ".h")) and p not in contents and os.path.isfile(p):
                with open(p, "rb") as fh:
                    data = fh.read()
                contents[p] = (data, data)
    return units_from_contents({p: c for p, c in contents.items() if (os.path.dirname(p) or ".") in dirs})

