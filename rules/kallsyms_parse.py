"""kallsyms-parse: code that reads /proc/kallsyms or System.map to find addresses."""

from migrator.check.rulekit import Hit, ProbeModel, Severity, reads_for_probes
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

CODE = "PM303"
NAME = "kallsyms-parse"
SEVERITY = Severity.WARNING
PRIORITY = 10
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
SUMMARY = "symbol addresses parsed from /proc/kallsyms or System.map"
WHAT = """\
Checks for code that reads /proc/kallsyms or a System.map file to find symbol addresses."""
WHY = """\
Parsing /proc/kallsyms or System.map re-implements the kernel's symbol lookup with none of its
guarantees. System.map describes the build, not the booted, KASLR-shifted kernel. /proc/kallsyms
prints every address as 0 unless kallsyms_show_value() allows the reader to see them (kptr_restrict
and CAP_SYSLOG; kernel/ksyms_common.c and s_show() in kernel/kallsyms.c, Linux 6.12). Names occur
more than once. Kprobes (`.symbol_name`), tracefs kprobe_events (`SYM+offs`), perf and libbpf all
take a symbol name plus an offset and resolve it in the running kernel."""
EXAMPLE = """\
#include <linux/fs.h>
static int __init m_init(void)
{
	struct file *f = filp_open("/proc/kallsyms", O_RDONLY, 0);
	return IS_ERR(f) ? PTR_ERR(f) : 0;
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "vfs_read" };
"""
FIX = """\
Never: the parser is removed by hand once nothing needs the addresses it finds."""
FIX_SAFETY = """\
No automatic fix."""
REFERENCES = (
    "kernel/ksyms_common.c: kallsyms_show_value() (Linux 6.12)",
    "kernel/kallsyms.c: s_show()",
    "kernel/kprobes.c: _kprobe_addr()",
)


NO_FIX = "replace the parsing by symbol names by hand"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    if not reads_for_probes(model):
        return []  # a symbolizer (perf, bpftool, a script printing names): no probe to place
    return [
        Hit(p.anchor.start, p.anchor.end, (
            f"reads {p.name} to find symbol addresses; probe APIs take a symbol name and resolve it "
            "in the running kernel, so use .symbol_name (or SYM+OFF) instead"
        ))
        for p in model.kallsyms_paths
    ]
