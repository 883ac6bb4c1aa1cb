"""What the guest reports, read back on the host: the kprobes list lines, the registrations traced
while loading, and per module what insmod, the workload and rmmod did."""

from __future__ import annotations

import base64
import gzip
import re
from dataclasses import dataclass, field

_PROBE_RE = re.compile(r"^(?P<addr>[0-9a-fA-F]+)\s+(?P<kind>[kr])\s+(?P<where>\S+)\s*(?P<rest>.*)$")
_OOPS_RE = re.compile(r"(BUG:|Oops|general protection fault|Kernel panic|WARNING: CPU|RIP: )")


@dataclass(frozen=True)
class Probe:
    """One line of /sys/kernel/debug/kprobes/list:
    ``<addr>  <k|r>  <sym>+0x<off>  <module of the probed code> [GONE][DISABLED][OPTIMIZED][FTRACE]``."""

    raw: str
    address: str = ""
    kind: str = ""
    where: str = ""
    module: str = ""
    flags: tuple[str, ...] = ()

    @property
    def place(self) -> tuple[str, str, str, str]:
        return (self.address, self.kind, self.where, self.module) if self.kind else (self.raw, "", "", "")

    @classmethod
    def parse(cls, line: str) -> Probe:
        line = line.strip()
        m = _PROBE_RE.match(line)
        if not m:
            return cls(line)
        rest = m.group("rest")
        flags = tuple(re.findall(r"\[([A-Z]+)\]", rest))
        words = re.sub(r"\[[A-Z]+\]", " ", rest).split()
        return cls(line, m.group("addr").lower(), m.group("kind"), m.group("where"),
                   words[0] if words else "", flags)


_TRACE_RE = re.compile(r"resolved: \((?P<caller>[\w.]+)\S* <- _kprobe_addr\) ret=(?P<ret>\S+) at=(?P<at>\S+)"
                       r"(?: \[(?P<module>[\w-]+)\])?")


@dataclass(frozen=True)
class Registration:
    """One address the kernel resolved for a kprobe registration (a trace event on the return of
    _kprobe_addr()): who asked (register_kprobe, or the entry check of register_kretprobe), the
    address, and where that is as symbol+offset."""

    caller: str
    address: str
    where: str
    module: str = ""  # the module of the code at that address, if not the kernel

    @classmethod
    def parse(cls, line: str) -> Registration | None:
        m = _TRACE_RE.search(line)
        if m is None:
            return None
        where = m.group("at").split("/", 1)[0]  # drop the symbol size of %pS
        return cls(m.group("caller"), m.group("ret").lower(), where, m.group("module") or "")

@dataclass
class ModuleRun:
    gid: str
    insmod_rc: int | None = None
    rmmod_rc: int | None = None
    probes: dict[str, list[Probe]] = field(default_factory=dict)  # phase (pre/load/work) -> list
    log: list[str] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # what insmod printed
    started_at: float = 0.0  # guest uptime
    seconds: float = 0.0  # from insmod to the end of rmmod and the log dump
    finished: bool = False
    crashed: str | None = None  # why the guest never finished this module

    def added(self, phase: str) -> list[Probe]:
        """Probes present after ``phase`` that were not there before insmod (as a multiset)."""
        before = [p.place for p in self.probes.get("pre", [])]
        out = []
        for p in self.probes.get(phase, []):
            if p.place in before:  # (flags such as [OPTIMIZED] may change in between)
                before.remove(p.place)
            else:
                out.append(p)
        return out

    @property
    def oops(self) -> bool:
        return any(_OOPS_RE.search(line) for line in self.log)


@dataclass
class BootResult:
    kernel: str
    kaslr: bool
    accel: str = ""
    boots: int = 0
    wall: float = 0.0
    info: dict[str, str] = field(default_factory=dict)
    runs: dict[str, ModuleRun] = field(default_factory=dict)
    kallsyms: bytes | None = None
    console: list[str] = field(default_factory=list)  # the tail of the kernel console of a failed boot
    complete: bool = False

    @property
    def ready(self) -> float:
        """Seconds from kernel start to the guest's init being ready to load modules."""
        return _float(self.info.get("ready", ""))

    @property
    def text_address(self) -> int | None:
        words = self.info.get("text", "").split()
        try:
            return int(words[0], 16) if words else None
        except ValueError:
            return None


def parse_report(text: str, result: BootResult) -> None:
    """Read the ``PM ...`` lines of one boot into ``result`` (runs are added or updated)."""
    encoded: list[str] = []
    in_kallsyms = False
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if in_kallsyms:
            if line == "PM KALLSYMS end":
                in_kallsyms = False
            else:
                encoded.append(line.strip())
            continue
        if not line.startswith("PM "):
            continue
        parts = line.split(" ", 3)
        tag = parts[1] if len(parts) > 1 else ""
        if tag == "RESTART":
            result.info["restart"] = parts[2] if len(parts) > 2 else ""
        elif tag == "DONE":
            result.complete = True
            result.info["done"] = parts[2] if len(parts) > 2 else ""
        elif tag == "BOOT" and len(parts) >= 3:
            result.info[parts[2]] = parts[3] if len(parts) > 3 else ""
        elif tag == "KALLSYMS" and parts[2:3] == ["begin"]:
            in_kallsyms = True
        elif tag in ("MOD", "KP", "LOG", "TR", "ERR") and len(parts) >= 3:
            run = result.runs.setdefault(parts[2], ModuleRun(parts[2]))
            rest = parts[3] if len(parts) > 3 else ""
            if tag == "MOD":
                word, _, value = rest.partition(" ")
                if word == "insmod" and value.strip().lstrip("-").isdigit():
                    run.insmod_rc = int(value)
                elif word == "rmmod" and value.strip().lstrip("-").isdigit():
                    run.rmmod_rc = int(value)
                elif word == "begin":
                    run.started_at = _float(value)
                elif word == "end":
                    run.finished = True
                    run.seconds = max(0.0, _float(value) - run.started_at)
            elif tag == "KP":
                phase, _, probe = rest.partition(" ")
                bucket = run.probes.setdefault(phase, [])
                if probe.strip() != "-":
                    bucket.append(Probe.parse(probe))
            elif tag == "ERR":
                run.errors.append(rest)
            elif tag == "TR":
                reg = Registration.parse(rest)
                if reg is not None:
                    run.registrations.append(reg)
            else:
                run.log.append(rest)
    if encoded:
        try:
            result.kallsyms = gzip.decompress(base64.b64decode("".join(encoded)))
        except (ValueError, OSError, EOFError) as e:
            result.info["kallsyms-error"] = str(e)


def _float(text: str) -> float:
    try:
        return float(text.split()[0])
    except (ValueError, IndexError):
        return 0.0
