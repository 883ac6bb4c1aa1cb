"""Symbol maps (System.map, /proc/kallsyms dumps with [module] entries, nm output) and the
resolution of a hard-coded address to symbol + offset, with the reasons a resolution is refused.

Resolution follows the kernel's own lookup: register_kprobe() resolves .symbol_name with
kallsyms_lookup_name(), which returns the *first* match, so a name that occurs more than once
in the map cannot be migrated safely (kernel/kprobes.c, _kprobe_addr()).
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import os
import re
import zlib
from dataclasses import dataclass, field

from migrator.core import names

TEXT_TYPES = frozenset("tTwW")
GLOBAL_RANK = {"T": 0, "W": 1, "w": 1, "t": 2}
# section boundaries the linker defines (__kprobes_text_end, __entry_text_start, _etext): an address
# past one of them with no function symbol in between is in no function the map knows
LINKER_MARKER_RE = re.compile(names.LINKER_MARKER_PATTERN)
CLONE_RE = re.compile(r"\.(isra|constprop|part|cold|llvm)\.?\d*")
_LINE_RE = re.compile(r"^\s*([0-9a-fA-F]+)\s+([A-Za-z?])\s+(\S+)(?:\s+\[(\S+)\])?\s*$")
# the kernel's banner (/proc/version, linux_banner), e.g. kept as a comment at the top of a dump
_BANNER_RE = re.compile(r"Linux version (\d+\.\d+\S*)")
_BUILD_RE = re.compile(r"\s(#\d+\b.*?)\s*$")  # "#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)"
# a kernel release in a file name: System.map-6.1.0-57-amd64, debian-6.1.0-56-amd64.kallsyms.gz
_RELEASE_RE = re.compile(r"(?<![\w.])(\d+\.\d+(?:\.\d+)*(?:[-+~][0-9A-Za-z_.+~-]*)?)")
_MAP_SUFFIXES = (".gz", ".txt", ".map", ".kallsyms", ".syms", ".nm")


class MapError(ValueError):
    pass


@dataclass(frozen=True)
class Symbol:
    address: int
    kind: str  # nm/kallsyms type letter
    name: str
    module: str | None = None

    @property
    def qualified(self) -> str:
        """The name register_kprobe() accepts: "sym" or "module:sym"."""
        return f"{self.module}:{self.name}" if self.module else self.name


@dataclass
class Resolution:
    symbol: Symbol | None
    offset: int = 0
    refused: str | None = None  # why the address cannot be migrated
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.symbol is not None and self.refused is None


@dataclass
class SymbolMap:
    path: str
    text: list[Symbol]  # text symbols sorted by address
    names: dict[str, int]  # qualified name -> occurrences among text symbols
    markers: dict[str, int]  # _text, _stext, _etext, ... -> address
    has_modules: bool = False
    _addresses: list[int] = field(default_factory=list)
    sha256: str = ""  # of the map's (uncompressed) contents
    banner_release: str | None = None  # from a "Linux version ..." line in the map
    build: str | None = None  # the banner's build string: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (...)"

    def __post_init__(self) -> None:
        self._addresses = [s.address for s in self.text]

    # -- identity: what names the map in a patch (never the local path) -------------------------
    @property
    def label(self) -> str:
        """The map as patch text names it: its file name, without the directory it sits in."""
        return os.path.basename(self.path) or self.path

    @property
    def release(self) -> str | None:
        """The kernel release the map is of: its banner, else the one its file name carries."""
        return self.banner_release or release_from_name(self.label)

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]

    @property
    def identity(self) -> str:
        """File name, kernel release and a short sha256: "System.map-6.1.0-57-amd64 (Linux
        6.1.0-57-amd64, sha256 0123456789ab)"."""
        parts = ([f"Linux {self.release}"] if self.release else []) + ([f"sha256 {self.short_hash}"] if self.sha256 else [])
        return f"{self.label} ({', '.join(parts)})" if parts else self.label

    # -- resolution ---------------------------------------------------------------------------
    def resolve(self, address: int) -> Resolution:
        i = bisect.bisect_right(self._addresses, address) - 1
        if i < 0:
            return Resolution(None, refused=f"{address:#x} is outside the kernel text described by {self.label}")
        at = self._addresses[i]
        candidates = [s for s in self.text[self._first(at):i + 1] if s.address == at]
        sym = min(candidates, key=_preference)
        offset = address - at
        kernel_text = self._in_kernel_text(address)
        if sym.module is None and not kernel_text:
            if address >= 0xFFFFFFFFC0000000 or self._in_module_space(address):
                return Resolution(None, refused=(
                    f"{address:#x} is in module space and {self.label} has no symbols of the module "
                    "that was loaded there; dump /proc/kallsyms with the module loaded"))
            return Resolution(None, refused=f"{address:#x} is outside the kernel text described by {self.label}")
        nxt = bisect.bisect_right(self._addresses, at)
        if nxt < len(self._addresses) and address >= self._addresses[nxt]:
            return Resolution(None, refused=f"{address:#x} runs past {sym.qualified}")
        if nxt >= len(self._addresses) and sym.module is None and "_etext" in self.markers \
                and address >= self.markers["_etext"]:
            return Resolution(None, refused=f"{address:#x} runs past {sym.qualified} (beyond _etext)")
        if offset and LINKER_MARKER_RE.match(sym.name):
            return Resolution(None, refused=(
                f"no function in {self.label} covers {address:#x}: the nearest symbol before it is the linker "
                f"marker {sym.qualified}, {offset:#x} bytes back"))
        if self.names.get(sym.qualified, 0) > 1:
            return Resolution(None, refused=(
                f"{sym.qualified} occurs {self.names[sym.qualified]} times in {self.label}; "
                "register_kprobe() would take the first one, which may not be this one"))
        res = Resolution(sym, offset)
        if CLONE_RE.search(sym.name):
            res.warnings.append(
                f"{sym.qualified} is a compiler clone name; it changes between builds of the kernel, "
                "so check it against the kernel you ship for")
        return res

    def address_of(self, name: str) -> int | None:
        if name in self.markers:
            return self.markers[name]
        for s in self.text:
            if s.qualified == name:
                return s.address
        return None

    def _first(self, at: int) -> int:
        return bisect.bisect_left(self._addresses, at)

    def _in_kernel_text(self, address: int) -> bool:
        lo = self.markers.get("_text", self.markers.get("_stext"))
        hi = self.markers.get("_etext")
        if lo is None or hi is None:
            return True  # a partial map (nm of one object): trust it
        lo_init, hi_init = self.markers.get("_sinittext"), self.markers.get("_einittext")
        if lo_init is not None and hi_init is not None and lo_init <= address < hi_init:
            return True
        return lo <= address < hi

    def _in_module_space(self, address: int) -> bool:
        hi = self.markers.get("_end", self.markers.get("_etext"))
        return hi is not None and address > hi and not self.has_modules


def _preference(s: Symbol) -> tuple[int, int, str]:
    """Aliases at one address: global over weak over local, then the plain name over
    __x64_sys_/SyS_/__-prefixed ones, then alphabetical (deterministic)."""
    decorated = s.name.startswith(("__", "SyS_", "sys_", "_")) or "." in s.name
    return (GLOBAL_RANK.get(s.kind, 3), int(decorated), s.name)


def release_from_name(name: str) -> str | None:
    """The kernel release in a map's file name, if it has one."""
    stem = name
    while stem.endswith(_MAP_SUFFIXES):
        stem = stem[: stem.rindex(".")]
    found = _RELEASE_RE.search(stem)
    return found.group(1).rstrip(".-_+~") if found else None


def load(path: str) -> SymbolMap:
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:  # type: ignore[operator]
            data = fh.read()
        lines = data.decode("utf-8", "replace").splitlines()
    except OSError as e:
        raise MapError(f"{path}: {e.strerror or e}") from e
    except (EOFError, zlib.error) as e:  # a truncated or corrupt .gz
        raise MapError(f"{path}: not a readable gzip file ({e})") from e
    text: list[Symbol] = []
    markers: dict[str, int] = {}
    bad = 0
    first_bad = ""
    has_modules = False
    release = build = None
    for number, line in enumerate(lines, 1):
        banner = _BANNER_RE.search(line) if release is None and "Linux version " in line else None
        if banner is not None:
            release = banner.group(1)
            built = _BUILD_RE.search(line, banner.end())
            build = built.group(1) if built else None
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE_RE.match(line)
        if not m:
            bad += 1
            first_bad = first_bad or f"line {number}: {line[:60]!r}"
            continue
        address = int(m.group(1), 16)
        kind, name, module = m.group(2), m.group(3), m.group(4)
        if name in ("_text", "_stext", "_etext", "_sinittext", "_einittext", "_end"):
            markers[name] = address
        if module:
            has_modules = True
        if kind in TEXT_TYPES and address:
            text.append(Symbol(address, kind, name, module))
    if not text:
        raise MapError(f"{path}: no text symbols found" + (f" (first unreadable {first_bad})" if first_bad else ""))
    if bad > len(text):
        raise MapError(f"{path}: does not look like a symbol map ({bad} unreadable lines, first at {first_bad})")
    text.sort(key=lambda s: (s.address, s.name))
    names: dict[str, int] = {}
    for s in text:
        names[s.qualified] = names.get(s.qualified, 0) + 1
    return SymbolMap(path, text, names, markers, has_modules, sha256=hashlib.sha256(data).hexdigest(),
                     banner_release=release, build=build)
