"""relocation-helper: a function that maps module/section + offset to an address by hand."""

from migrator.check.rulekit import Hit, ProbeModel, Severity
from migrator.core.names import CONTEXT_MODULE

CODE = "PM201"
NAME = "relocation-helper"
SEVERITY = Severity.WARNING
PRIORITY = 10
APPLIES_TO = frozenset({CONTEXT_MODULE})  # about modules: built-in code may call what modules cannot
SUMMARY = "hand-rolled relocation of module/section offsets to addresses"
WHAT = """\
Checks for functions that turn a module or section plus an offset into an address by hand: adding
to `mod->core_layout.base`, `module_core`, a section address from sect_attrs or `_stext`, or
looking names up in a table compiled into the module."""
WHY = """\
Such a helper re-implements kallsyms and the module loader, and breaks when the layout changes:
Linux 6.4 replaced `core_layout` with struct module_memory (include/linux/module.h, commit
ac3b43283923), -ffunction-sections splits .text, and KASLR moves the base. register_kprobe() takes
"symbol" or "module:symbol" plus `.offset` and does the lookup itself (_kprobe_addr() in
kernel/kprobes.c, __module_kallsyms_lookup_name() in kernel/module/kallsyms.c). Once no probe needs
the helper, delete it."""
EXAMPLE = """\
#include <linux/module.h>
#include <linux/kprobes.h>
static unsigned long my_relocate(struct module *mod, unsigned long offset)
{
	return (unsigned long)mod->core_layout.base + offset;
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "ext4:ext4_file_open" };
"""
FIX = """\
Never: once its callers (reported as addr-relocated) locate their probes by `.symbol_name`, the
helper is deleted by hand."""
FIX_SAFETY = """\
No automatic fix: whether anything else still uses the helper is not something the tool can
decide."""
REFERENCES = (
    "kernel/kprobes.c: _kprobe_addr() (Linux 6.12)",
    "kernel/module/kallsyms.c: __module_kallsyms_lookup_name()",
    "include/linux/module.h: struct module_memory (Linux 6.4, commit ac3b43283923)",
)


MESSAGE = ("{name}() relocates offsets to addresses by hand; kprobes resolve \"module:symbol\" + "
           ".offset themselves: switch its callers to .symbol_name and remove it")


NO_FIX = "remove the helper by hand once no probe uses it"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    # every function of the file that computes the address it returns (its shapes say how)
    return [Hit(f.anchor.start, f.anchor.end, MESSAGE.format(name=f.name)) for f in model.address_functions]
