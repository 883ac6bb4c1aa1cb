"""embedded-symbol-table: a static table of hard-coded kernel addresses with names."""

from migrator.check.rulekit import Hit, ProbeModel, Severity
from migrator.core.names import CONTEXT_MODULE

CODE = "PM202"
NAME = "embedded-symbol-table"
SEVERITY = Severity.WARNING
PRIORITY = 10
APPLIES_TO = frozenset({CONTEXT_MODULE})  # about modules: built-in code may call what modules cannot
SUMMARY = "kernel symbol table embedded in the module"
WHAT = """\
Checks for static tables in a module that pair hard-coded kernel addresses with symbol names."""
WHY = """\
A copy of the kernel's symbol table compiled into a module is only valid for the exact build it
was taken from: it is wrong after any rebuild, under KASLR unless every entry is relocated at run
time, and with another configuration. The running kernel has the authoritative table (kallsyms),
and register_kprobe() consults it when `.symbol_name` is set (kprobe_lookup_name() from
_kprobe_addr(), kernel/kprobes.c, Linux 6.12)."""
EXAMPLE = """\
#include <linux/kprobes.h>
struct sym { unsigned long addr; const char *name; };
static const struct sym kernel_syms[] = {
	{ 0x3669e0, "vfs_read" },
	{ 0x366b10, "vfs_write" },
};
"""
USE_INSTEAD = """\
static const char *const probed[] = { "vfs_read", "vfs_write" };
"""
FIX = """\
Never: the table is data; remove it once the probes that used it are located by name."""
FIX_SAFETY = """\
No automatic fix: the code that reads the table is not something the tool can rewrite safely."""
REFERENCES = (
    "kernel/kprobes.c: kprobe_lookup_name(), _kprobe_addr() (Linux 6.12)",
    "kernel/kallsyms.c: kallsyms_lookup_name()",
)


MESSAGE = ("{name} embeds kernel addresses with symbol names ({entries} entries); they are only right for "
           "one build: look symbols up by name at registration (.symbol_name) instead")
MIN_ENTRIES = 2  # one address/name pair is a constant with a comment, not a copy of the symbol table


NO_FIX = "remove the table by hand once no probe uses it"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    return [Hit(t.anchor.start, t.anchor.end, MESSAGE.format(name=t.name, entries=t.entries))
            for t in model.address_tables if t.entries >= MIN_ENTRIES]
