"""kallsyms-lookup-use: other uses of kallsyms_lookup_name (unexported since Linux 5.7)."""

from migrator.check.rulekit import Hit, ProbeModel, Severity

CODE = "PM302"
NAME = "kallsyms-lookup-use"
SEVERITY = Severity.ERROR
PRIORITY = 10
SUMMARY = "kallsyms_lookup_name() used by a module"
WHAT = """\
Checks for uses of kallsyms_lookup_name() that do not locate a probe: calls, its address taken,
calls through a wrapper or through a harvested pointer."""
WHY = """\
kallsyms_lookup_name() has not been exported to modules since Linux 5.7 (commit 0bd476e6c671;
kernel/kallsyms.c of Linux 6.12 has no EXPORT_SYMBOL for it): a module that calls it fails at
modpost ("kallsyms_lookup_name" undefined!) or at insmod (Unknown symbol). Calling it through a
pointer harvested with a kprobe works around the export policy rather than with it. For probes,
`.symbol_name` does the lookup (_kprobe_addr() in kernel/kprobes.c); for other needs use an
exported interface: a tracepoint, an ftrace hook by name, an exported symbol."""
EXAMPLE = """\
#include <linux/kallsyms.h>
static unsigned long **table;
static int __init m_init(void)
{
	table = (unsigned long **)kallsyms_lookup_name("sys_call_table");
	return 0;
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "__x64_sys_openat" };
"""
FIX = """\
Never: the replacement depends on what the address is used for."""
FIX_SAFETY = """\
No automatic fix."""
REFERENCES = (
    "commit 0bd476e6c671: kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol() (Linux 5.7)",
    "kernel/kallsyms.c: kallsyms_lookup_name() (Linux 6.12: not exported)",
)


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for u in model.kallsyms_uses:
        how = "its address is taken" if u.detail else f"{u.name}() is called"
        via = "" if u.name == "kallsyms_lookup_name" else " (a wrapper or harvested pointer)"
        hits.append(Hit(u.anchor.start, u.anchor.end, (
            f"kallsyms_lookup_name is not exported to modules since Linux 5.7, but {how} here{via}; "
            "use .symbol_name for probes or an exported interface"
        )))
    return hits
