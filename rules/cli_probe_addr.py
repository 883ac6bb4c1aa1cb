'''cli-probe-addr: a tracer's command line given a kernel address as the probe location.

Flags ``lttng enable-event --kernel --probe=0x...`` / ``--location=0x...``, ``perf probe --add 0x...``
and ``bpftrace -e 'kprobe:0x...'`` in shell scripts, with the address written out or expanded from a
variable (``0x$ADDR``, usually read from /proc/kallsyms or System.map a few lines above).
'''

from __future__ import annotations

from migrator.core.findings import Hit, Severity
from migrator.core.model import ProbeModel
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

CODE = "PM503"
NAME = "cli-probe-addr"
SEVERITY = Severity.WARNING
PRIORITY = 30
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
EXAMPLE_SUFFIX = ".sh"
SUMMARY = "tracer command line (lttng, perf probe, bpftrace) placing a kprobe at an address"
WHAT = """\
Checks shell scripts for tracer command lines whose probe location is an address: lttng's
`--probe=0x...`/`--location=0x...`/`--function=0x...`, `perf probe [--add] 0x...` and bpftrace's
`kprobe:0x...`/`kretprobe:0x...`, written out or expanded from a variable (`0x$ADDR`)."""
WHY = """\
Every one of these tools ends in the kernel's kprobe by address: lttng-modules fills `kp.addr` when
the location is numeric (lttng_kprobes_register_event(), src/probes/lttng-kprobes.c, lttng-modules
2.13), perf probe writes `p:probe/... 0xADDR` to kprobe_events (convert_to_probe_trace_events(),
tools/perf/util/probe-event.c, Linux 6.12) and bpftrace attaches by address only with `--unsafe`
(bpftrace 0.20, src/attached_probe.cpp: "address must be ... aligned with the instruction"). An
address is right for one build booted without KASLR only; on any other the probe fails to register
or probes another instruction. Each tool resolves a symbol name (and `SYM+OFF`) in the running kernel
itself, which is what the address was read for."""
EXAMPLE = """\
#!/bin/sh
A=$(awk '$3 == "do_sys_openat2" { print $1 }' /proc/kallsyms)
perf probe --add "0x$A"
"""
USE_INSTEAD = """\
#!/bin/sh
perf probe --add do_sys_openat2
"""
FIX = """\
Never: give the tool the function name (or `SYM+OFF`) that the address was looked up for."""
FIX_SAFETY = """\
No automatic fix: the name the address stands for is in the script's logic, not at the site."""
NO_FIX = "give the tool the symbol name (SYM+OFF) the address was looked up for"
REFERENCES = (
    "tools/perf/util/probe-event.c: convert_to_probe_trace_events() (Linux 6.12)",
    "kernel/trace/trace_kprobe.c: __trace_kprobe_create() (Linux 6.12)",
    "lttng-modules src/probes/lttng-kprobes.c: lttng_kprobes_register_event() (2.13)",
    "bpftrace man page: kprobe probes, --unsafe (0.20)",
)

MESSAGE = ("{tool} places a kprobe at the address {text}; the address breaks under KASLR and on any other "
           "build: give {tool} the symbol name (SYM+OFF) and let it resolve it")


def check(model: ProbeModel) -> list[Hit]:
    return [Hit(s.anchor.start, s.anchor.end, MESSAGE.format(tool=s.name, text=s.detail), subject=s)
            for s in model.cli_probe_addrs]
