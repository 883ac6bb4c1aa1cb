"""kallsyms-lookup-use: other uses of kallsyms_lookup_name (unexported since Linux 5.7)."""

from migrator.check.rulekit import Hit, ProbeModel, Severity
from migrator.core.model import KALLSYMS_UNEXPORTED_IN
from migrator.core.names import CONTEXT_MODULE, KALLSYMS_LOOKUP

CODE = "PM302"
NAME = "kallsyms-lookup-use"
SEVERITY = Severity.ERROR
PRIORITY = 10
APPLIES_TO = frozenset({CONTEXT_MODULE})  # about modules: built-in code may call what modules cannot
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


MESSAGE = ("kallsyms_lookup_name is not exported to modules since Linux 5.7, but {how} here{via}; "
           "use .symbol_name for probes or an exported interface")
BEFORE_5_7 = ("; kept at low severity because this code only builds for kernels before 5.7, which still export "
              "kallsyms_lookup_name")


NO_FIX = "needs an exported interface instead; not a probe address"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for r in model.kallsyms_refs:
        if r.feeds_probe_addr:  # the addr-* finding of that write covers it
            continue
        how = "its address is taken" if r.address_taken else f"{r.callee}() is called"
        via = "" if r.callee == KALLSYMS_LOOKUP else " (a wrapper or harvested pointer)"
        message = MESSAGE.format(how=how, via=via)
        if r.versions.only_before(KALLSYMS_UNEXPORTED_IN):
            hits.append(Hit(r.anchor.start, r.anchor.end, message + BEFORE_5_7, Severity.INFO))
        else:
            hits.append(Hit(r.anchor.start, r.anchor.end, message))
    return hits
