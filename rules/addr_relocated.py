"""addr-relocated: a kprobe address from a hand-rolled relocation or resolution helper.

Flags SystemTap's ``kp->u.kp.addr = (void *)_stp_module_relocate(module, section, offset)`` loop,
module base + offset arithmetic and in-module /proc/kallsyms parsers feeding ``addr``.
"""

from migrator.rulekit import RELOCATED, Hit, ProbeModel, Severity, addr_hit

CODE = "PM104"
NAME = "addr-relocated"
SEVERITY = Severity.ERROR
PRIORITY = 60
SUMMARY = "kprobe address computed by a hand-rolled relocation helper"
RATIONALE = """\
Relocating a section offset by hand re-implements what kallsyms and the module loader already do,
and gets it wrong as soon as the layout differs from the one the offset was measured on:
-ffunction-sections splits .text, linker stubs and alignment padding shift functions, KASLR moves
the base, and module layouts changed in 6.4 (struct module_memory). register_kprobe() resolves
"symbol_name" (or "module:symbol") plus .offset itself and checks that the result lies inside the
symbol (kernel/kprobes.c, _kprobe_addr()), so the relocation step can go."""
BAD = """\
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
	kp.addr = (void *)_stp_module_relocate("kernel", "_stext", 0x2a1b4);
	return register_kprobe(&kp);
}
"""
GOOD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "vfs_read", .offset = 0x14 };
static int __init m_init(void)
{
	return register_kprobe(&kp);
}
"""


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for w in model.addr_writes:
        if w.addr is None or w.addr.kind != RELOCATED:
            continue
        via = f" {w.addr.helper}()" if w.addr.helper else " a module base plus an offset"
        hits.append(addr_hit(w, (
            f"kprobe address computed by the hand-rolled relocation{via}; set .symbol_name "
            "(\"module:symbol\" for module code) and .offset and let register_kprobe() resolve it"
        )))
    return hits
