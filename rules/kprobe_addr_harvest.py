"""kprobe-addr-harvest: the address a kprobe declared elsewhere resolved, read back and called."""

from migrator.check.rulekit import Hit, ProbeModel, Severity
from migrator.core.names import CONTEXT_MODULE

CODE = "PM307"
NAME = "kprobe-addr-harvest"
SEVERITY = Severity.ERROR
PRIORITY = 20
APPLIES_TO = frozenset({CONTEXT_MODULE})  # about modules: built-in code may call what modules cannot
SUMMARY = "a kprobe's resolved .addr called as a function, the probe declared in another file"
WHAT = """\
Checks for a read of `.addr` of a kprobe that this file neither names nor places (its declaration,
with `.symbol_name`, is in a header or another file) into a variable that is then called as a
function: the other half of the kallsyms trick."""
WHY = """\
register_kprobe() writes the address it resolved for `.symbol_name` back into `.addr`
(kernel/kprobes.c, Linux 6.12). Calling that address as a function is the kallsyms trick
(usually on kallsyms_lookup_name(), unexported since Linux 5.7 by commit 0bd476e6c671): it reaches
a function the kernel does not export to modules, and breaks when the export policy is hardened.
When the probe is declared in a header the file that calls the address is where the workaround
lives."""
EXAMPLE = """\
#include <linux/kprobes.h>
extern struct kprobe lookup_kp;
typedef unsigned long (*lookup_t)(const char *);
static unsigned long find(const char *name)
{
	lookup_t lookup;

	register_kprobe(&lookup_kp);
	lookup = (lookup_t)lookup_kp.addr;
	unregister_kprobe(&lookup_kp);
	return lookup(name);
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "kernel_clone" };
"""
FIX = """\
Never: what the called function is used for needs a human decision."""
FIX_SAFETY = """\
No automatic fix."""
REFERENCES = (
    "kernel/kprobes.c: register_kprobe() (writes the resolved address back to .addr, Linux 6.12)",
    "commit 0bd476e6c671: kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol() (Linux 5.7)",
)

MESSAGE = ("the address a kprobe declared elsewhere resolved is read back into {target} and called: the "
           "kallsyms trick's harvest; call an exported interface instead")
NO_FIX = "replace the call through the harvested address by hand"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    placed = {w.probe for w in model.symbol_writes} | {w.probe for w in model.addr_writes} \
        | {a.probe for a in model.symbol_arguments}
    return [Hit(h.anchor.start, h.anchor.end, MESSAGE.format(target=h.target))
            for h in model.addr_harvests if h.called and h.target and h.probe not in placed]
