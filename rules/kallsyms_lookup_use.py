"""kallsyms-lookup-use: other uses of kallsyms_lookup_name (unexported since Linux 5.7)."""

from migrator.check.rulekit import Hit, ProbeModel, Severity

CODE = "PM302"
NAME = "kallsyms-lookup-use"
SEVERITY = Severity.ERROR
PRIORITY = 10
SUMMARY = "kallsyms_lookup_name() used by a module"
RATIONALE = """\
kallsyms_lookup_name() was unexported in Linux 5.7 (commit 0bd476e6c671): a module that calls it
fails at modpost ("kallsyms_lookup_name" undefined!) or at insmod (Unknown symbol). Calling it
through a pointer harvested with a kprobe works around the export policy rather than with it. For
probes, .symbol_name does the lookup; for other needs use an exported interface (a tracepoint, a
ftrace hook by name, an exported symbol)."""
BAD = """\
#include <linux/kallsyms.h>
static unsigned long **table;
static int __init m_init(void)
{
	table = (unsigned long **)kallsyms_lookup_name("sys_call_table");
	return 0;
}
"""
GOOD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "__x64_sys_openat" };
"""


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
