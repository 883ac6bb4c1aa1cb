"""What the boot tests share (test_boot.py, test_crossbuild.py): the corpus's map, the relocation of
its hard-coded addresses to the kernel under test, and the command line. The fixtures that boot
(kver, kernel, booted_map, corpus) are in conftest.py, session-wide: one boot dumps the map for all."""

from __future__ import annotations

import bisect
import os
import pathlib
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass

from conftest import CORPUS, ROOT

from migrator.fix.symbols import SymbolMap, load

(CORPUS_MAP,) = (CORPUS / "maps").glob("debian-*.kallsyms.gz")  # the map the corpus's addresses come from
CORPUS_KVER = CORPUS_MAP.name[len("debian-"):-len(".kallsyms.gz")]
KERNEL_MODULE_DIRS = ("a", "b", "blind", "c")  # the corpus's kernel modules (other dirs hold user-space loaders)


def cli(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "migrator", *args], cwd=cwd or ROOT, capture_output=True,
                          timeout=1800)


_ADDRESS_RE = re.compile(rb"(?<!\w)(0[xX])?([fF]{8}8[0-9a-fA-F]{7})(?![0-9a-fA-F])")


class Relocation:
    """Moves the kernel text addresses hard-coded for one kernel (``src``, a symbol map) to the same
    symbol+offset in another (``dst``): what a module's author would have written for that kernel."""

    def __init__(self, src: SymbolMap, dst: SymbolMap) -> None:
        self.src = src
        self.src_addresses = [s.address for s in src.text]
        self.src_by_name = self._by_name(src)
        self.dst_by_name = self._by_name(dst)

    @staticmethod
    def _by_name(smap: SymbolMap) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for s in smap.text:
            out.setdefault(s.name, []).append(s.address)
        return out

    def address(self, a: int) -> int | None:
        i = bisect.bisect_right(self.src_addresses, a) - 1
        if i < 0:
            return None
        at = self.src_addresses[i]
        first = bisect.bisect_left(self.src_addresses, at)
        for s in sorted(self.src.text[first:i + 1], key=lambda s: s.name):  # the aliases at that address
            here, there = self.src_by_name[s.name], self.dst_by_name.get(s.name, [])
            if len(here) == len(there):  # a static name that occurs n times: the same one of the n
                return there[here.index(at)] + (a - at)
        return None

    def source(self, data: bytes) -> tuple[bytes, list[str]]:
        """``data`` with every address moved, and the addresses that could not be."""
        missing: list[str] = []

        def move(m: re.Match[bytes]) -> bytes:
            old = int(m.group(2), 16)
            new = self.address(old)
            if new is None:
                missing.append(f"{old:#x}")
                return m.group(0)
            digits = f"{new:016x}"
            return (m.group(1) or b"") + (digits.upper() if m.group(2).isupper() else digits).encode()

        return _ADDRESS_RE.sub(move, data), missing


@dataclass
class Corpus:
    """The corpus's kernel modules with their addresses moved to the kernel under test."""

    dir: pathlib.Path  # <dir>/<corpus dir>/X.c and X.c.fixed, as in corpus/
    contents: dict[str, tuple[bytes, bytes]]  # path under dir -> (original, expected migration)
    dropped: dict[str, str]  # module -> why its addresses could not be moved (it is left out)


def relocated_corpus(booted_map: pathlib.Path, out: pathlib.Path) -> Corpus:
    """The corpus's kernel modules (and their expected migrations) with their addresses moved to the
    kernel ``booted_map`` was dumped from, written under ``out``."""
    relocation = Relocation(load(str(CORPUS_MAP)), load(str(booted_map)))
    contents: dict[str, tuple[bytes, bytes]] = {}
    unmoved: dict[str, list[str]] = {}  # file name -> addresses left as they were
    for d in KERNEL_MODULE_DIRS:
        (out / d).mkdir()
        for p in sorted((CORPUS / d).iterdir()):
            if p.suffix not in (".c", ".h"):
                continue
            fixed = p.with_name(p.name + ".fixed")
            old, missing = relocation.source(p.read_bytes())
            new, missing_fixed = relocation.source(fixed.read_bytes()) if fixed.exists() else (old, [])
            (out / d / p.name).write_bytes(old)
            if fixed.exists():
                (out / d / fixed.name).write_bytes(new)
            contents[str(out / d / p.name)] = (old, new)
            if missing or missing_fixed:
                unmoved[p.name] = sorted(set(missing + missing_fixed))
    dropped = {}
    for path, (old, _new) in contents.items():
        name = os.path.basename(path)
        for culprit in [name, *(i.decode() for i in re.findall(rb'#\s*include\s*"([^"]+)"', old))]:
            if culprit in unmoved and name.endswith(".c"):
                dropped[name[:-2]] = (f"{', '.join(unmoved[culprit])} in {culprit} has no counterpart in "
                                      f"{booted_map.name}")
    for name, why in dropped.items():
        warnings.warn(f"corpus module {name} left out of the boot tests: {why}", stacklevel=1)
    contents = {p: c for p, c in contents.items() if os.path.basename(p)[:-2] not in dropped}
    return Corpus(out, contents, dropped)
