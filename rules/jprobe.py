"""jprobe: a ``struct jprobe`` (the API was removed in Linux 4.15)."""

from migrator.check.rulekit import Hit, ProbeModel, Severity

CODE = "PM401"
NAME = "jprobe"
SEVERITY = Severity.ERROR
PRIORITY = 10
SUMMARY = "struct jprobe: API removed in Linux 4.15"
RATIONALE = """\
Jprobes were removed in Linux 4.15 (register_jprobe() and jprobe_return() are gone), so the module
does not build on any current kernel. A kprobe with a pre_handler reads the same arguments from
struct pt_regs (regs_get_kernel_argument()), and a kretprobe or fprobe covers entry plus return."""
BAD = """\
#include <linux/kprobes.h>
static long j_fork(unsigned long flags) { jprobe_return(); return 0; }
static struct jprobe jp = { .entry = j_fork, .kp = { .symbol_name = "_do_fork" } };
"""
GOOD = """\
#include <linux/kprobes.h>
static int pre(struct kprobe *p, struct pt_regs *regs) { return 0; }
static struct kprobe kp = { .symbol_name = "kernel_clone", .pre_handler = pre };
"""


NO_FIX = "port the handler to a kprobe pre_handler or a kretprobe by hand"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    return [
        Hit(j.anchor.start, j.anchor.end, (
            f"jprobe {j.name}: the jprobe API was removed in Linux 4.15; use a kprobe with a pre_handler "
            "(arguments from pt_regs) or a kretprobe"
        ))
        for j in model.jprobes
    ]
