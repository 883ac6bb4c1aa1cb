"""sprint-symbol-scan: a symbol found by name by walking addresses through a reverse lookup."""

from migrator.check.rulekit import Hit, ProbeModel, Severity
from migrator.core.names import CONTEXT_MODULE

CODE = "PM306"
NAME = "sprint-symbol-scan"
SEVERITY = Severity.ERROR
PRIORITY = 10
APPLIES_TO = frozenset({CONTEXT_MODULE})  # about modules: built-in code may call what modules cannot
SUMMARY = "symbol addresses found by scanning with sprint_symbol() or lookup_symbol_name()"
WHAT = """\
Checks for functions that call sprint_symbol() or lookup_symbol_name() in a loop over addresses and
compare the names they print: a hand-made kallsyms_lookup_name() built from the reverse lookup."""
WHY = """\
sprint_symbol() (kernel/kallsyms.c) is exported to print an address as "name+off/size"; it was
never meant to find the address of a name. Walking addresses until a wanted name appears rebuilds
kallsyms_lookup_name(), which Linux 5.7 unexported on purpose (commit 0bd476e6c671), and does it by
guessing: the walk steps by the printed offsets from an arbitrary exported function, depends on the
layout of the kernel image (function order, alignment padding, CFI/IBT stubs, KASLR of the whole
text) and can read past the text it started in. It finds nothing, or the wrong function, on the next
kernel. For probes, `.symbol_name` does the lookup inside register_kprobe() (_kprobe_addr() in
kernel/kprobes.c)."""
EXAMPLE = """\
#include <linux/kallsyms.h>
#include <linux/string.h>
static unsigned long find(const char *want)
{
	char buf[KSYM_SYMBOL_LEN];
	unsigned long pc = (unsigned long)sprint_symbol;
	int i;

	for (i = 0; i < 100000; i++, pc++) {
		sprint_symbol(buf, pc);
		if (!strncmp(buf, want, strlen(want)))
			return pc;
	}
	return 0;
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "do_sys_openat2" };
"""
FIX = """\
Never: the scan is removed by hand once nothing needs the addresses it finds."""
FIX_SAFETY = """\
No automatic fix."""
REFERENCES = (
    "kernel/kallsyms.c: sprint_symbol(), lookup_symbol_name() (Linux 6.12)",
    "commit 0bd476e6c671: kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol() (Linux 5.7)",
)

MESSAGE = ("{function}() scans addresses with {callee}() until a name matches: a hand-made "
           "kallsyms_lookup_name (unexported since Linux 5.7) that depends on the kernel image's layout; "
           "use .symbol_name for probes or an exported interface")
NO_FIX = "replace the scan by hand; its callers need another interface"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    return [Hit(s.anchor.start, s.anchor.end, MESSAGE.format(function=s.function, callee=s.callee))
            for s in model.symbol_scans]
