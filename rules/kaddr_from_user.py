"""kaddr-from-user: a function pointer set from an address user space passes in, then called."""

from migrator.check.rulekit import Hit, ProbeModel, Severity
from migrator.core.names import CONTEXT_MODULE

CODE = "PM310"
NAME = "kaddr-from-user"
SEVERITY = Severity.ERROR
PRIORITY = 10
APPLIES_TO = frozenset({CONTEXT_MODULE})  # a module working around what is not exported to it
SUMMARY = "a kernel address from outside (module parameter, sysctl/procfs write, -D on the build line) called as a function"
WHAT = """\
Checks for a function pointer that a module sets from a number given from outside (a numeric
module parameter, a value a write handler parses with kstrtoul()/sscanf(), or a macro the file
tests with #ifdef and the build's command line defines) and then calls:
the kallsyms_lookup_name() workaround done by hand, with the lookup moved to user space
(`grep kallsyms_lookup_name /proc/kallsyms`, then `insmod m.ko kln=0x...`). Like every C rule it
sees the files the prefilter reads: those that name kallsyms, System.map or a probe."""
WHY = """\
Linux 5.7 unexported kallsyms_lookup_name() (commit 0bd476e6c671) so that modules could not
resolve and call unexported functions; taking the address from user space does the same thing
around the export policy. The address is one boot's: it changes with KASLR and with every build,
and /proc/kallsyms shows 0 to readers without CAP_SYSLOG under kptr_restrict
(kallsyms_show_value() in kernel/ksyms_common.c, Linux 6.12), so a wrong or zero value is called
blindly. The module also calls whatever address the writer of the parameter or file chose. Probes
take `.symbol_name` (register_kprobe() resolves it: _kprobe_addr() in kernel/kprobes.c); other
needs take an exported interface."""
EXAMPLE = """\
#include <linux/module.h>
typedef unsigned long (*lookup_t)(const char *);
static unsigned long kln;
module_param(kln, ulong, 0);
MODULE_PARM_DESC(kln, "address of kallsyms_lookup_name, from /proc/kallsyms");
static lookup_t lookup;
static int __init m_init(void)
{
	lookup = (lookup_t)kln;
	return lookup("sys_call_table") ? 0 : -ENOENT;
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "do_sys_openat2" };
"""
FIX = """\
Never: what the module calls through the pointer needs an exported interface, chosen by a human."""
FIX_SAFETY = """\
No automatic fix."""
REFERENCES = (
    "commit 0bd476e6c671: kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol() (Linux 5.7)",
    "kernel/ksyms_common.c: kallsyms_show_value() (Linux 6.12)",
    "kernel/kprobes.c: _kprobe_addr()",
)

MESSAGE = ("function pointer {pointer} is set from {source}: a kernel address handed in from outside, which "
           "works around kallsyms_lookup_name()'s unexport (Linux 5.7) with one boot's address; use an exported "
           "interface, or .symbol_name for probes")
NO_FIX = "needs an exported interface instead; not a probe address"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    return [Hit(c.anchor.start, c.anchor.end, MESSAGE.format(pointer=c.name, source=c.detail))
            for c in model.user_addr_calls]
