"""kprobe-as-resolver: a kprobe registered only to read back the address of a name it was given."""

from migrator.check.rulekit import Hit, ProbeModel, Severity, probe_name
from migrator.core.names import CONTEXT_MODULE, KALLSYMS_LOOKUP

CODE = "PM305"
NAME = "kprobe-as-resolver"
SEVERITY = Severity.WARNING
PRIORITY = 20
APPLIES_TO = frozenset({CONTEXT_MODULE})  # about modules: built-in code may call what modules cannot
SUMMARY = "register_kprobe() used as a name-to-address service"
WHAT = """\
Checks for a kprobe whose `.symbol_name` is not a string literal (a parameter, a field) and whose
`.addr` is read back into a variable or returned: the probe is registered to look a name up, not
to trace it."""
WHY = """\
register_kprobe() resolves `.symbol_name` with kallsyms_lookup_name() and writes the result to
`.addr` (_kprobe_addr() and register_kprobe() in kernel/kprobes.c, Linux 6.12). A helper that
registers a probe on any name it is given and returns `.addr` is kallsyms_lookup_name() by another
road, which Linux 5.7 unexported on purpose (commit 0bd476e6c671). It also places a breakpoint on
each function it resolves, refuses names kprobes blacklist, and breaks when the policy is
tightened. What the address is then given to usually takes the name itself: ftrace filters by name
(ftrace_set_filter()), probes by `.symbol_name`."""
EXAMPLE = """\
#include <linux/kprobes.h>
static unsigned long addr_of(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	unsigned long where;

	if (register_kprobe(&kp) < 0)
		return 0;
	where = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return where;
}
"""
USE_INSTEAD = """\
#include <linux/ftrace.h>
static struct ftrace_ops ops;
static int hook(const char *name)
{
	return ftrace_set_filter(&ops, (unsigned char *)name, 0, 0);
}
"""
FIX = """\
Never: the callers of the helper need the name-based interface of what they do with the address."""
FIX_SAFETY = """\
No automatic fix."""
REFERENCES = (
    "kernel/kprobes.c: _kprobe_addr(), register_kprobe() (Linux 6.12)",
    "commit 0bd476e6c671: kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol() (Linux 5.7)",
    "kernel/trace/ftrace.c: ftrace_set_filter()",
)

MESSAGE = ("{probe} is registered on a name it is given and its .addr is read back: register_kprobe() used as "
           "kallsyms_lookup_name (unexported since Linux 5.7); pass the name to the interface that needs it")
NO_FIX = "replace the helper's callers by name-based interfaces by hand"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    by_name = {w.probe: w for w in model.symbol_writes
               if not w.is_null and w.string is None and w.text.strip() != KALLSYMS_LOOKUP}
    # a probe a caller hands to a helper to place on kallsyms_lookup_name is the trick's; a helper's own
    # probe placed on any name it is given stays a resolver, whatever one caller asks it for
    trick = {a.probe for a in model.symbol_arguments if a.string == KALLSYMS_LOOKUP and not a.own_probe}
    return [Hit(h.anchor.start, h.anchor.end, MESSAGE.format(probe=probe_name(by_name[h.probe])))
            for h in model.addr_harvests if h.probe in by_name and h.probe not in trick]
