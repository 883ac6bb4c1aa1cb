"""embedded-symbol-table: a static table of hard-coded kernel addresses with names."""

from migrator.check.rulekit import Hit, ProbeModel, Severity

CODE = "PM202"
NAME = "embedded-symbol-table"
SEVERITY = Severity.WARNING
PRIORITY = 10
SUMMARY = "kernel symbol table embedded in the module"
RATIONALE = """\
A copy of the kernel's symbol table compiled into a module (address/name pairs, as SystemTap
emits with -d kernel) is only valid for the exact build it was taken from, and is wrong after any
rebuild, under KASLR unless every entry is relocated, and with a different config. The running
kernel already has the authoritative table (kallsyms), and register_kprobe() consults it when
.symbol_name is set (kernel/kprobes.c, _kprobe_addr())."""
BAD = """\
#include <linux/kprobes.h>
struct sym { unsigned long addr; const char *name; };
static const struct sym kernel_syms[] = {
	{ 0x3669e0, "vfs_read" },
	{ 0x366b10, "vfs_write" },
};
"""
GOOD = """\
static const char *const probed[] = { "vfs_read", "vfs_write" };
"""


MESSAGE = ("{name} embeds kernel addresses with symbol names ({entries} entries); they are only right for "
           "one build: look symbols up by name at registration (.symbol_name) instead")
MIN_ENTRIES = 2  # one address/name pair is a constant with a comment, not a copy of the symbol table


NO_FIX = "remove the table by hand once no probe uses it"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    return [Hit(t.anchor.start, t.anchor.end, MESSAGE.format(name=t.name, entries=t.entries))
            for t in model.address_tables if t.entries >= MIN_ENTRIES]
