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
RATIONALE = """\
The user-space kprobe interfaces take a function name and a relative offset, and fall back to an
absolute address only when no name is given: the perf kprobe PMU uses kprobe_func (config1) or,
when it is NULL, kprobe_addr (config2, sharing probe_offset) (include/uapi/linux/perf_event.h);
libbpf's bpf_program__attach_kprobe_opts() with a NULL func_name treats opts.offset as an absolute
address (tools/lib/bpf/libbpf.c); BCC's attach_kprobe(event=...) expects a symbol. A kernel
address copied from System.map is right for one build booted without KASLR only: with KASLR the
text moves at every boot and the attach fails or probes the wrong instruction. Pass the function
name and the offset inside it; the kernel resolves the name at attach time."""
BAD = """\
#include <bpf/libbpf.h>
int attach(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_kprobe_opts, opts);
	opts.offset = 0xffffffff81363fb1;
	return libbpf_get_error(bpf_program__attach_kprobe_opts(prog, NULL, &opts));
}
"""
GOOD = """\
#include <bpf/libbpf.h>
int attach(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_kprobe_opts, opts);
	opts.offset = 0x11;
	return libbpf_get_error(bpf_program__attach_kprobe_opts(prog, "do_sys_openat2", &opts));
}
"""


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
