"""What a file is, decided before its front end runs: a loadable module, built-in kernel code, the
kprobes/tracing implementation itself, or user space (``core/names.py`` CONTEXTS).

Rules apply where they mean something (a rule module's ``APPLIES_TO``): ``kallsyms_lookup_name`` is
unexported to modules only (built-in code calls it legally), and the kprobes core sets ``p->addr``
by design. Inside a Linux tree (a directory holding Kbuild, Kconfig, Makefile and MAINTAINERS) the
tree decides: the path (KPROBES_CORE_PATHS, tools/, scripts/), then the directory's Makefile/Kbuild
(``obj-y`` built in, ``obj-m`` a module, ``obj-$(CONFIG_X)`` by X's Kconfig type: tristate or bool).
Elsewhere the file's own markers do (``module_init``/``MODULE_LICENSE``, ``main()``, libc headers,
the language). ``--context`` forces one for every file.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from dataclasses import dataclass

from migrator.core import names

_C = (".c", ".h")
_MODULE_MARK = re.compile(rb"\b(?:" + b"|".join(m.encode() for m in names.MODULE_MARKERS) + rb")\b")
_MAIN = re.compile(rb"\bint\s+main\s*\(")
# headers no kernel module can include (Kbuild's include path has none of them): user-space C
_LIBC = re.compile(rb"^\s*#\s*include\s*<(?:stdio|stdlib|unistd|string|fcntl|errno|stdint|stdbool|inttypes|signal"
                   rb"|pthread|getopt|assert|ctype|dirent|poll|glib|gio/gio|bpf/libbpf|bpf/bpf|sys/\w+)\.h>", re.M)
_OBJ = re.compile(r"^\s*(obj-(?:y|m|\$\(CONFIG_(\w+)\))|(\w+)-(?:y|objs|\$\(CONFIG_(\w+)\)))\s*[+:]?=(.*)$", re.M)
_CONFIG = re.compile(r"^\s*(?:menu)?config\s+(\w+)\s*\n(?:\s*(?:#.*)?\n)*\s*(def_tristate|def_bool|tristate|bool)\b", re.M)


@dataclass(frozen=True)
class Context:
    kind: str
    reason: str


def decide(path: str, data: bytes, forced: str | None = None) -> Context:
    if forced:
        return Context(forced, "--context")
    directory = os.path.dirname(os.path.abspath(path))
    root = kernel_root(directory)
    if root is not None:
        return _in_tree(root, os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/"), data)
    if not path.endswith(_C):
        return Context(names.CONTEXT_USERSPACE, "not C")
    if not _MODULE_MARK.search(data) and (_MAIN.search(data) or _LIBC.search(data)):
        return Context(names.CONTEXT_USERSPACE, "main() or libc headers, no module markers")
    return Context(names.CONTEXT_MODULE, "C outside a kernel tree")


@functools.lru_cache(maxsize=4096)
def kernel_root(directory: str) -> str | None:
    """The Linux tree ``directory`` is in, if any."""
    if all(os.path.exists(os.path.join(directory, f)) for f in ("Kbuild", "Kconfig", "Makefile", "MAINTAINERS")):
        return directory
    parent = os.path.dirname(directory)
    return None if parent == directory else kernel_root(parent)


def _in_tree(root: str, rel: str, data: bytes) -> Context:
    if any(fnmatch.fnmatch(rel, p) for p in names.KPROBES_CORE_PATHS):
        return Context(names.CONTEXT_KPROBES_CORE, f"{rel}: the kprobes/tracing implementation or its tests")
    if rel.startswith(names.KERNEL_TREE_USERSPACE) or not rel.endswith(_C):
        return Context(names.CONTEXT_USERSPACE, f"{rel}: the kernel tree's user-space tools")
    stem = os.path.splitext(os.path.basename(rel))[0]
    how = _kbuild(root, os.path.dirname(rel), stem)
    if how is not None:
        return how
    if _MODULE_MARK.search(data):
        return Context(names.CONTEXT_MODULE, f"{rel}: not in its Makefile, has module markers")
    return Context(names.CONTEXT_BUILTIN, f"{rel}: kernel code, no module markers")


def _kbuild(root: str, rel_dir: str, stem: str) -> Context | None:
    """How the directory's Makefile/Kbuild builds ``stem.o``: obj-y, obj-m, obj-$(CONFIG_X)."""
    rules = _objects(os.path.join(root, rel_dir))
    target, seen = stem, set()
    while target in rules and target not in seen:
        seen.add(target)
        kind, config, parent = rules[target]
        if parent:  # a part of a composite object: how is that one built?
            target = parent
            continue
        if kind == "m":
            return Context(names.CONTEXT_MODULE, f"obj-m in {rel_dir}/Makefile")
        if kind == "y":
            return Context(names.CONTEXT_BUILTIN, f"obj-y in {rel_dir}/Makefile")
        typ = _config_type(root, rel_dir, config)
        if typ is None:
            return None
        built = names.CONTEXT_MODULE if "tristate" in typ else names.CONTEXT_BUILTIN
        return Context(built, f"CONFIG_{config} is {typ.replace('def_', '')} ({rel_dir}/Makefile)")
    return None


@functools.lru_cache(maxsize=1024)
def _objects(directory: str) -> dict[str, tuple[str, str, str]]:
    """object stem -> (y | m | config, CONFIG name, composite object it is part of)."""
    out: dict[str, tuple[str, str, str]] = {}
    for name in ("Makefile", "Kbuild"):
        try:
            with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as fh:
                text = fh.read().replace("\\\n", " ")
        except OSError:
            continue
        for m in _OBJ.finditer(text):
            lhs, config, composite, part_config, rhs = m.groups()
            for word in rhs.split():
                if not word.endswith(".o"):
                    continue
                stem = word[:-2]
                if composite:
                    out.setdefault(stem, ("", part_config or "", composite))
                elif config:
                    out.setdefault(stem, ("config", config, ""))
                else:
                    out.setdefault(stem, (lhs[-1], "", ""))
    return out


def _config_type(root: str, rel_dir: str, config: str) -> str | None:
    """The type of CONFIG_``config``: from the Kconfig files of the directory and its parents, then of
    the directories that define the core's symbols (cheap: a handful of files), else of the whole tree
    (reading every Kconfig file costs a third of a second per process)."""
    d = rel_dir
    while True:
        typ = _kconfig_of(os.path.join(root, d)).get(config)
        if typ is not None:
            return typ
        if not d or d == os.sep:
            break
        d = os.path.dirname(d)
    for home in names.KCONFIG_HOMES:  # where the core's symbols live (lib/Kconfig.debug, init/Kconfig, ...)
        typ = _kconfig_of(os.path.join(root, home)).get(config)
        if typ is not None:
            return typ
    return _config_types(root).get(config)


@functools.lru_cache(maxsize=1024)
def _kconfig_of(directory: str) -> dict[str, str]:
    types: dict[str, str] = {}
    try:
        files = [f for f in os.listdir(directory) if f.startswith("Kconfig")]
    except OSError:
        return types
    for f in files:
        try:
            with open(os.path.join(directory, f), encoding="utf-8", errors="replace") as fh:
                for m in _CONFIG.finditer(fh.read()):
                    types.setdefault(m.group(1), m.group(2))
        except OSError:
            continue
    return types


@functools.lru_cache(maxsize=8)
def _config_types(root: str) -> dict[str, str]:
    """Every Kconfig symbol of the tree and its type (read once, on the first obj-$(CONFIG_X))."""
    types: dict[str, str] = {}
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(".") and not (d == root and x in ("tools", "Documentation"))]
        for f in files:
            if f.startswith("Kconfig"):
                try:
                    with open(os.path.join(d, f), encoding="utf-8", errors="replace") as fh:
                        for m in _CONFIG.finditer(fh.read()):
                            types.setdefault(m.group(1), m.group(2))
                except OSError:
                    continue
    return types
