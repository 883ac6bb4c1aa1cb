"""jprobe: a ``struct jprobe`` (the API was disabled in Linux 4.15 and removed in 4.19)."""

from migrator.check.rulekit import Hit, ProbeModel, Severity

CODE = "PM401"
NAME = "jprobe"
SEVERITY = Severity.ERROR
PRIORITY = 10
SUMMARY = "struct jprobe: API disabled in Linux 4.15, removed in 4.19"
WHAT = """\
Checks for `struct jprobe` objects."""
WHY = """\
Jprobes were disabled in Linux 4.15: register_jprobe() became a stub that returns -ENOSYS, so a
module that still builds loads, but its probe never registers. Later kernels removed struct jprobe,
jprobe_return() and the register/unregister functions from include/linux/kprobes.h (they are gone
in 4.19), so the module no longer builds. Linux 6.12 keeps only a note under "Deprecated Features"
in Documentation/trace/kprobes.rst.

A kprobe with a pre_handler at the function entry sees the same arguments in struct pt_regs
(regs_get_kernel_argument(), arch/x86/include/asm/ptrace.h); a kretprobe or an fprobe covers entry
plus return."""
EXAMPLE = """\
#include <linux/kprobes.h>
static long j_fork(unsigned long flags) { jprobe_return(); return 0; }
static struct jprobe jp = { .entry = j_fork, .kp = { .symbol_name = "_do_fork" } };
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static int pre(struct kprobe *p, struct pt_regs *regs) { return 0; }
static struct kprobe kp = { .symbol_name = "kernel_clone", .pre_handler = pre };
"""
FIX = """\
Never: the handler has to be rewritten by hand."""
FIX_SAFETY = """\
No automatic fix: a jprobe handler receives the probed function's arguments as C parameters; a
kprobe handler reads them from pt_regs, which depends on the architecture's calling convention."""
REFERENCES = (
    "include/linux/kprobes.h: struct jprobe, register_jprobe() (a -ENOSYS stub from 4.15, gone in 4.19)",
    "Documentation/trace/kprobes.rst: Deprecated Features (Linux 6.12)",
    "arch/x86/include/asm/ptrace.h: regs_get_kernel_argument()",
)


NO_FIX = "port the handler to a kprobe pre_handler or a kretprobe by hand"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    return [
        Hit(j.anchor.start, j.anchor.end, (
            f"jprobe {j.name}: the jprobe API was disabled in Linux 4.15 and later removed; use a kprobe with a pre_handler "
            "(arguments from pt_regs) or a kretprobe"
        ))
        for j in model.jprobes
    ]
