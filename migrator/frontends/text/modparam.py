"""Module parameters given a kernel address by a loader script.

``insmod mod.ko NAME=VALUE ...`` / ``modprobe mod NAME=VALUE ...`` where VALUE is a kernel address:
a literal in the kernel's half of the address space (``0xffffffff81363fb1``), or a shell variable
(``$A``, ``${A}``, ``0x$A``) whose assignment in the script reads a symbol file (/proc/kallsyms,
System.map). A number such as ``offset=0x10`` or a name is not an address.
"""

from __future__ import annotations

import re

from migrator.core import model as M
from migrator.core import names

_LOADER_RE = re.compile(r"(?<![\w-])(?:" + "|".join(names.MODULE_LOADERS) + r")(?![\w-])")
_PARAM_RE = re.compile(r"""(?<=\s)\w+=["']?((0[xX])?(?:\$\{?(\w+)\}?|[0-9a-fA-F]+\b))""")
_KERNEL_LITERAL_RE = re.compile(r"0[xX]f{4}[0-9a-fA-F]{12}$")
_SYMBOL_FILE_RE = re.compile(re.escape(names.KALLSYMS_WORD) + "|" + re.escape(names.SYSTEM_MAP))


def find(text: str, commands: list[tuple[int, int]], model: M.ProbeModel) -> None:
    if not any(w in text for w in names.MODULE_LOADERS):
        return
    from_symbols: set[str] | None = None
    for start, end in commands:
        cmd = text[start:end]
        at = _LOADER_RE.search(cmd)
        if at is None or cmd[:at.start()].count('"') % 2 or cmd[:at.start()].count("'") % 2:
            continue
        for m in _PARAM_RE.finditer(cmd, at.end()):
            value, variable = m.group(1), m.group(3)
            if variable:
                if from_symbols is None:
                    from_symbols = _variables_from_symbol_files(text)
                if variable not in from_symbols:
                    continue
            elif not _KERNEL_LITERAL_RE.match(value):
                continue
            model.modparam_addrs.append(M.Located(M.Span(start + m.start(1), start + m.end(1)), variable, value))


def _variables_from_symbol_files(text: str) -> set[str]:
    """Variables assigned (anywhere in the script) from a line that reads a symbol file."""
    out = set()
    for m in re.finditer(r"(?m)^[ \t]*(?:export[ \t]+|local[ \t]+|readonly[ \t]+)?([A-Za-z_]\w*)=(.*)$", text):
        if _SYMBOL_FILE_RE.search(m.group(2)):
            out.add(m.group(1))
    return out
