"""livepatch-resolver-trick: a livepatch on "kallsyms_lookup_name" enabled to harvest its address."""

from migrator.check.rulekit import Hit, ProbeModel, Severity
from migrator.core.names import CONTEXT_MODULE, KALLSYMS_LOOKUP, KLP_OLD_FUNC

CODE = "PM308"
NAME = "livepatch-resolver-trick"
SEVERITY = Severity.ERROR
PRIORITY = 80
APPLIES_TO = frozenset({CONTEXT_MODULE})  # about modules: built-in code may call what modules cannot
SUMMARY = "livepatch klp_func on kallsyms_lookup_name used to harvest its address"
WHAT = """\
Checks for a `struct klp_func` whose `.old_name` is "kallsyms_lookup_name" in a file that calls
through `.old_func`: the livepatch core resolved the name, and the module calls what it found."""
WHY = """\
klp_enable_patch() resolves every `.old_name` with the kernel's own symbol lookup and stores the
address in `.old_func` (klp_find_object_symbol() and klp_init_func() in kernel/livepatch/core.c,
Linux 6.12) before it decides whether the patch can apply. Enabling a patch that is meant to fail
harvests kallsyms_lookup_name(), which Linux 5.7 unexported on purpose (commit 0bd476e6c671): the
module then resolves any symbol through it, working around the export policy, and depends on the
order of livepatch's initialization."""
EXAMPLE = """\
#include <linux/livepatch.h>
typedef unsigned long (*kln_t)(const char *);
static unsigned long own_lookup(const char *name);
static struct klp_func funcs[] = {
	{ .old_name = "kallsyms_lookup_name", .new_func = own_lookup }, { }
};
static unsigned long own_lookup(const char *name)
{
	return ((kln_t)funcs[0].old_func)(name);
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "kernel_clone" };
"""
FIX = """\
Never: what the harvested pointer is used for needs a human decision."""
FIX_SAFETY = """\
No automatic fix: its uses are reported as kallsyms-lookup-use."""
REFERENCES = (
    "kernel/livepatch/core.c: klp_find_object_symbol(), klp_init_func() (Linux 6.12)",
    "commit 0bd476e6c671: kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol() (Linux 5.7)",
)

MESSAGE = ("livepatch resolves .old_name \"kallsyms_lookup_name\" into .old_func, which this file calls: "
           "kallsyms_lookup_name harvested around its unexport in Linux 5.7; use an exported interface")
NO_FIX = "drop the harvested pointer by hand; its callers need another interface"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    if not any(r.callee == "." + KLP_OLD_FUNC for r in model.kallsyms_refs):
        return []
    return [Hit(n.string_span.start, n.string_span.end, MESSAGE)
            for n in model.klp_old_names if n.string == KALLSYMS_LOOKUP]
