'''bpf-attach-addr: a BPF or perf kprobe attached at a raw address from user space.

Flags BCC's ``attach_kprobe(event=0xffffffff81363fb1)``, libbpf's
``bpf_program__attach_kprobe_opts(prog, NULL, &opts)`` with ``opts.offset`` holding an absolute
address (in C or through ctypes), libbcc's ``bpf_attach_kprobe()`` with no function name, and
``perf_event_attr`` set-ups with ``kprobe_addr``/``config2`` and no ``kprobe_func``/``config1``.
Fixable with ``fix --symbols MAP``: the function name plus the residual offset.
'''

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import Hit, ProbeModel, Severity
from migrator.core.model import AddrSite

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM502"
NAME = "bpf-attach-addr"
SEVERITY = Severity.ERROR
PRIORITY = 30
EXAMPLE_SUFFIX = ".c"
SUMMARY = "BPF/perf kprobe attached at a raw kernel address"
WHAT = """\
Checks for BPF and perf kprobes attached at a raw address from user space: BCC's
`attach_kprobe(event=0xffffffff81363fb1)`, libbpf's `bpf_program__attach_kprobe_opts(prog, NULL,
&opts)` with `opts.offset` holding an absolute address (in C or through ctypes), libbcc's
`bpf_attach_kprobe()` with no function name, and `perf_event_attr` set-ups with
`kprobe_addr`/`config2` and no `kprobe_func`/`config1`."""
WHY = """\
The perf kprobe PMU takes a function name in kprobe_func (config1) and an offset in probe_offset
(config2), and reads config2 as an absolute kprobe_addr only "when kprobe_func == NULL"
(include/uapi/linux/perf_event.h; perf_kprobe_init() in kernel/trace/trace_event_perf.c; the PMU
exists since Linux 4.17, commit 65074d43fc77). libbpf passes func_name as config1 and opts.offset as
config2 (perf_event_open_probe() in tools/lib/bpf/libbpf.c), so a NULL func_name turns the offset
into an absolute address. An address copied from System.map is right for one build booted without
KASLR only; anywhere else the attach fails or probes the wrong instruction. Pass the function name
and the offset inside it: the kernel resolves the name when the probe is created. A non-zero offset
is still specific to the build it was measured on."""
EXAMPLE = """\
#include <bpf/libbpf.h>
int attach(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_kprobe_opts, opts);
	opts.offset = 0xffffffff81363fb1;
	return libbpf_get_error(bpf_program__attach_kprobe_opts(prog, NULL, &opts));
}
"""
USE_INSTEAD = """\
#include <bpf/libbpf.h>
int attach(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_kprobe_opts, opts);
	opts.offset = 0x11;
	return libbpf_get_error(bpf_program__attach_kprobe_opts(prog, "do_sys_openat2", &opts));
}
"""
FIX = """\
With a symbol map, when the address is a constant: the function name plus the residual offset."""
FIX_SAFETY = """\
Refuses addresses computed at run time, call shapes it cannot edit in place, a return probe that
would not land on a function entry, and an address the map cannot vouch for (outside the kernel text
it describes, in module space it has no symbols for, past the end of its symbol or only after a
linker marker, or resolving to a name that occurs more than once in it)."""
REFERENCES = (
    "include/uapi/linux/perf_event.h: kprobe_func/config1, kprobe_addr/probe_offset/config2 (Linux 6.12)",
    "kernel/trace/trace_event_perf.c: perf_kprobe_init()",
    "tools/lib/bpf/libbpf.c: bpf_program__attach_kprobe_opts(), perf_event_open_probe()",
)


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for s in model.attach_addrs:
        what = f"{s.address:#x}" if s.address is not None else f"an address computed at run time ({s.text})"
        hits.append(Hit(s.anchor.start, s.anchor.end, (
            f"{s.api} attaches at {what}; the address breaks under KASLR and on any other build: "
            "pass the function name and a relative offset"), subject=s))
    return hits


def fix(s: AddrSite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.sites import fix_site

    return fix_site(s, ctx.symbols)
