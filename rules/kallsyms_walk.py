"""kallsyms-walk: the whole symbol table walked to find addresses by name."""

from migrator.check.rulekit import Hit, ProbeModel, Severity
from migrator.core.model import KALLSYMS_UNEXPORTED_IN
from migrator.core.names import CONTEXT_MODULE, KALLSYMS_MATCH_WALK, KALLSYMS_WALKS

CODE = "PM304"
NAME = "kallsyms-walk"
SEVERITY = Severity.ERROR
PRIORITY = 10
APPLIES_TO = frozenset({CONTEXT_MODULE})  # about modules: built-in code may call what modules cannot
SUMMARY = "kallsyms_on_each_symbol() or module_kallsyms_on_each_symbol() used by a module"
WHAT = """\
Checks for calls of kallsyms_on_each_symbol(), module_kallsyms_on_each_symbol() and
kallsyms_on_each_match_symbol(), for their address taken (`walk = &kallsyms_on_each_symbol;`,
called later through the pointer), and for calls of the module's own name for one of them defined
elsewhere or resolved at run time (`kallsyms_on_each_symbol_fn(cb, &ctx)`,
`diag_kallsyms_on_each_symbol(...)`): a callback that compares each name with the one it wants is
a hand-made kallsyms_lookup_name()."""
WHY = """\
Linux 5.7 unexported kallsyms_on_each_symbol() together with kallsyms_lookup_name() (commit
0bd476e6c671) so that modules could not resolve unexported symbols; kernel/kallsyms.c and
kernel/module/kallsyms.c of Linux 6.12 export neither it nor module_kallsyms_on_each_symbol(). A
module calling them fails at modpost or insmod (Unknown symbol), and one that reaches them another
way works around the export policy. kallsyms_on_each_match_symbol() (kernel/kallsyms.c, added in
Linux 6.1 for livepatch and ftrace) was never exported. For probes, `.symbol_name` does the lookup inside
register_kprobe() (_kprobe_addr() in kernel/kprobes.c)."""
EXAMPLE = """\
#include <linux/kallsyms.h>
#include <linux/string.h>
static unsigned long found;
static int match(void *data, const char *name, unsigned long addr)
{
	if (strcmp(name, data))
		return 0;
	found = addr;
	return 1;
}
static int __init m_init(void)
{
	kallsyms_on_each_symbol(match, "sys_call_table");
	return found ? 0 : -ENOENT;
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "__x64_sys_openat" };
"""
FIX = """\
Never: what the walk finds is used for something a human has to replace."""
FIX_SAFETY = """\
No automatic fix."""
REFERENCES = (
    "commit 0bd476e6c671: kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol() (Linux 5.7)",
    "kernel/kallsyms.c: kallsyms_on_each_symbol() (Linux 6.12: not exported)",
    "kernel/module/kallsyms.c: module_kallsyms_on_each_symbol() (Linux 6.12: not exported)",
    "kernel/kallsyms.c: kallsyms_on_each_match_symbol() (Linux 6.12: not exported)",
)

MESSAGE = ("{callee}() walks the kernel's symbol table, which is not exported to modules{since}; "
           "use .symbol_name for probes or an exported interface")
BEFORE_5_7 = "; kept at low severity because this code only builds for kernels before 5.7, which still export it"
NO_FIX = "needs an exported interface instead; not a probe address"  # fix refuses with this


TAKEN = ("the address of {callee}() is taken here: it walks the kernel's symbol table, which is not exported to "
         "modules{since}; use .symbol_name for probes or an exported interface")
STAND_IN = ("{callee}() is the module's name for a walk of the kernel's symbol table (kallsyms_on_each_symbol), "
            "which is not exported to modules{since}; use .symbol_name for probes or an exported interface")


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for r in model.kallsyms_walks:
        never = KALLSYMS_MATCH_WALK in r.callee  # the kernel's, or the module's name for it
        since = " (it never was)" if never else " since Linux 5.7"
        # kallsyms_on_each_symbol_fn(...): the module's own name for the walk
        template = TAKEN if r.address_taken else MESSAGE if r.callee in KALLSYMS_WALKS else STAND_IN
        message = template.format(callee=r.callee, since=since)
        if r.versions.only_before(KALLSYMS_UNEXPORTED_IN) and not never:
            hits.append(Hit(r.anchor.start, r.anchor.end, message + BEFORE_5_7, Severity.INFO))
        else:
            hits.append(Hit(r.anchor.start, r.anchor.end, message))
    return hits
