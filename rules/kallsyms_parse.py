"""kallsyms-parse: code that reads /proc/kallsyms or System.map to find addresses."""

from migrator.check.rulekit import Hit, ProbeModel, Severity

CODE = "PM303"
NAME = "kallsyms-parse"
SEVERITY = Severity.WARNING
PRIORITY = 10
SUMMARY = "symbol addresses parsed from /proc/kallsyms or System.map"
RATIONALE = """\
Parsing /proc/kallsyms or a System.map file re-implements the kernel's symbol lookup with none of
its guarantees: System.map describes the build, not the booted (KASLR-shifted) kernel, Debian
ships only a stub of it, /proc/kallsyms shows zeros unless kptr_restrict allows, and names occur
more than once. Kprobes, tracefs kprobe_events, perf and libbpf all accept a symbol name plus an
offset and resolve it in the running kernel."""
BAD = """\
#include <linux/fs.h>
static int __init m_init(void)
{
	struct file *f = filp_open("/proc/kallsyms", O_RDONLY, 0);
	return IS_ERR(f) ? PTR_ERR(f) : 0;
}
"""
GOOD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "vfs_read" };
"""


NO_FIX = "replace the parsing by symbol names by hand"  # fix refuses with this


def check(model: ProbeModel) -> list[Hit]:
    return [
        Hit(p.anchor.start, p.anchor.end, (
            f"reads {p.name} to find symbol addresses; probe APIs take a symbol name and resolve it "
            "in the running kernel, so use .symbol_name (or SYM+OFF) instead"
        ))
        for p in model.kallsyms_paths
    ]
