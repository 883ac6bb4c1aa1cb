'''ftrace-addrs-parse: reading ftrace's available_filter_functions_addrs to find function addresses.

Flags the ``".../available_filter_functions_addrs"`` path string (or the object-like macro holding it,
at its use) in C loaders.
'''

from __future__ import annotations

from migrator.check.rulekit import Hit, ProbeModel, Severity, reads_for_probes
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

CODE = "PM309"
NAME = "ftrace-addrs-parse"
SEVERITY = Severity.WARNING
PRIORITY = 20
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
SUMMARY = "reads ftrace's available_filter_functions_addrs to find function addresses"
WHAT = """\
Checks C code for the path of tracefs's `available_filter_functions_addrs` (a string literal, or an
object-like macro at its use): a list of `ADDRESS NAME` lines read to turn names into addresses, as
/proc/kallsyms is (`kallsyms-parse`). As there, code outside a module is reported only where the
file also places probes (a KASLR scanner or a library resolving a caller's pattern reads it without
being a probe loader)."""
WHY = """\
The file (Linux 6.6, ftrace_avail_addrs_open(), kernel/trace/ftrace.c) exists so that tools can tell
which of several same-named functions ftrace can trace; a loader that reads it to get addresses and
then attaches by address (kprobe_multi `addrs`, a perf kprobe `config2`, a `p:` definition at
`0x...`) does by hand what every probe API does with a name, and shows zeros under kptr_restrict for
an unprivileged reader. Names (and `SYM+OFF`) are resolved by the kernel; where a name is not unique,
read the address in the running kernel at attach time and document why."""
EXAMPLE = """\
#include <stdio.h>
#include <bpf/libbpf.h>
#define ADDRS "/sys/kernel/tracing/available_filter_functions_addrs"
static unsigned long addrs[64];
/* a kprobe_multi link on the addresses read out of the list */
int attach(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts);
	FILE *f = fopen(ADDRS, "r");
	char name[128];
	size_t n = 0;

	while (f && n < 64 && fscanf(f, "%lx %127s", &addrs[n], name) == 2)
		n++;
	opts.addrs = addrs;
	opts.cnt = n;
	return bpf_program__attach_kprobe_multi_opts(prog, NULL, &opts) ? 0 : -1;
}
"""
USE_INSTEAD = """\
#include <stdio.h>
#include <bpf/libbpf.h>
#define FUNCS "/sys/kernel/tracing/available_filter_functions"
static const char *syms[64];
/* a kprobe_multi link on the names read out of the list */
int attach(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts);
	FILE *f = fopen(FUNCS, "r");
	char name[128];
	size_t n = 0;

	while (f && n < 64 && fscanf(f, "%127s", name) == 1)
		syms[n++] = strdup(name);
	opts.syms = syms;
	opts.cnt = n;
	return bpf_program__attach_kprobe_multi_opts(prog, NULL, &opts) ? 0 : -1;
}
"""
FIX = """\
Never: the code that uses the addresses has to take names instead."""
FIX_SAFETY = """\
No automatic fix: what the addresses feed is decided elsewhere in the program."""
NO_FIX = "attach by symbol name instead of reading addresses out of the list"
REFERENCES = (
    "kernel/trace/ftrace.c: ftrace_avail_addrs_open(), t_show() with FTRACE_ITER_ADDRS (Linux 6.6+)",
    "Documentation/trace/ftrace.rst: available_filter_functions_addrs",
)

MESSAGE = "reads {path} to find function addresses; attach by symbol name and let the kernel resolve it"


def check(model: ProbeModel) -> list[Hit]:
    if not reads_for_probes(model):
        return []  # a scanner or a library resolving a pattern at attach time: no probe placed here
    return [Hit(p.anchor.start, p.anchor.end, MESSAGE.format(path=p.name), subject=p) for p in model.ftrace_addr_paths]
