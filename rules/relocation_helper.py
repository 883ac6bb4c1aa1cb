"""relocation-helper: a function that maps module/section + offset to an address by hand."""

from migrator.check.rulekit import Hit, ProbeModel, Severity

CODE = "PM201"
NAME = "relocation-helper"
SEVERITY = Severity.WARNING
PRIORITY = 10
SUMMARY = "hand-rolled relocation of module/section offsets to addresses"
RATIONALE = """\
A helper that adds an offset to a module's base (mod->core_layout.base, module_core, a section
address from sect_attrs) or to _stext, or that looks names up in a table embedded in the module,
re-implements kallsyms and the module loader. It breaks when the layout changes: Linux 6.4
replaced core_layout with struct module_memory, -ffunction-sections splits .text, and KASLR moves
the base. register_kprobe() takes "symbol" or "module:symbol" plus .offset and does this lookup
itself (kernel/kprobes.c, _kprobe_addr()); once no probe needs it, delete the helper."""
BAD = """\
#include <linux/module.h>
#include <linux/kprobes.h>
static unsigned long my_relocate(struct module *mod, unsigned long offset)
{
	return (unsigned long)mod->core_layout.base + offset;
}
"""
GOOD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "ext4:ext4_file_open" };
"""


MESSAGE = ("{name}() relocates offsets to addresses by hand; kprobes resolve \"module:symbol\" + "
           ".offset themselves: switch its callers to .symbol_name and remove it")


NO_FIX = "remove the helper by hand once no probe uses it"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    # every function of the file that computes the address it returns (its shapes say how)
    return [Hit(f.anchor.start, f.anchor.end, MESSAGE.format(name=f.name)) for f in model.address_functions]
