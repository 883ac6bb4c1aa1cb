'''kprobe-multi-addrs: a kprobe_multi link attached by an array of kernel addresses.

Flags the value given to ``bpf_kprobe_multi_opts.addrs`` (``opts.addrs = where``, ``.addrs = where``
in ``LIBBPF_OPTS``) and to ``bpf_link_create_opts.kprobe_multi.addrs`` in user-space C loaders.
'''

from __future__ import annotations

from migrator.core.findings import Hit, Severity
from migrator.core.model import ProbeModel
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

CODE = "PM506"
NAME = "kprobe-multi-addrs"
SEVERITY = Severity.WARNING
PRIORITY = 30
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
SUMMARY = "kprobe_multi link attached by kernel addresses instead of symbol names"
WHAT = """\
Checks C loaders for kprobe_multi links given an array of addresses: `opts.addrs = where` on a
`bpf_kprobe_multi_opts` (also `.addrs = where` in its `LIBBPF_OPTS`) and
`opts.kprobe_multi.addrs = where` on a `bpf_link_create_opts`. Reading
`bpf_link_info.kprobe_multi.addrs` back is not attaching."""
WHY = """\
A kprobe_multi link (Linux 5.18) takes either symbol names or addresses: bpf_kprobe_multi_link_attach()
(kernel/trace/bpf_trace.c, Linux 6.12) uses `addrs` as given when `syms` is NULL, and the addresses
a loader fills in come from /proc/kallsyms or ftrace's available_filter_functions_addrs read at run
time, or worse from a file of another build. Read under kptr_restrict they are all zero; from
another build or boot they name other instructions, which fprobe registration refuses or hooks.
libbpf's own `syms` (or the `pattern` argument of bpf_program__attach_kprobe_multi_opts(),
tools/lib/bpf/libbpf.c) resolves names in the running kernel."""
EXAMPLE = """\
#include <bpf/libbpf.h>
int attach(struct bpf_program *prog, unsigned long *where, int n)
{
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts);
	opts.addrs = where;
	opts.cnt = n;
	return !bpf_program__attach_kprobe_multi_opts(prog, NULL, &opts);
}
"""
USE_INSTEAD = """\
#include <bpf/libbpf.h>
int attach(struct bpf_program *prog, const char **syms, int n)
{
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts);
	opts.syms = syms;
	opts.cnt = n;
	return !bpf_program__attach_kprobe_multi_opts(prog, NULL, &opts);
}
"""
FIX = """\
Never: the loader has to pass the names it looked the addresses up by (`syms`)."""
FIX_SAFETY = """\
No automatic fix: the names are in the loader's logic (the lookup), not at the site."""
NO_FIX = "pass the symbol names (opts.syms) the addresses were looked up by"
REFERENCES = (
    "kernel/trace/bpf_trace.c: bpf_kprobe_multi_link_attach() (Linux 6.12)",
    "tools/lib/bpf/libbpf.c: bpf_program__attach_kprobe_multi_opts() (Linux 6.12)",
    "include/uapi/linux/bpf.h: union bpf_attr, link_create.kprobe_multi (Linux 5.18+)",
)

MESSAGE = ("kprobe_multi link of {opts} attached by the addresses in {text}; the addresses break under KASLR, "
           "kptr_restrict and on any other build: pass the symbol names (syms) instead")


def check(model: ProbeModel) -> list[Hit]:
    return [Hit(s.anchor.start, s.anchor.end, MESSAGE.format(opts=s.name, text=s.detail), subject=s)
            for s in model.multi_addrs]
