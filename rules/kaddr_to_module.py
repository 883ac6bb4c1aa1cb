"""kaddr-to-module: user space sending a module a kernel address read from the symbol table."""

from __future__ import annotations

from migrator.core.findings import Hit, Severity
from migrator.core.model import ProbeModel
from migrator.core.names import CONTEXT_USERSPACE

CODE = "PM508"
NAME = "kaddr-to-module"
SEVERITY = Severity.WARNING
PRIORITY = 30
APPLIES_TO = frozenset({CONTEXT_USERSPACE})  # the user-space half of a probe module
SUMMARY = "user-space C sending a module an address field over ioctl() after reading /proc/kallsyms"
WHAT = """\
Checks user-space C that reads /proc/kallsyms or System.map and talks to a module's own device
node with ioctl(): an address field of the message it sends (`msg.address = base;`,
`req->kaddr = a;`) carries what the tool read, so that the module can relocate offsets or probe
by address. Anchored at the value written into the field."""
WHY = """\
This moves hand-rolled symbol resolution into user space: the kernel's load address or a
function's address read from /proc/kallsyms (all zeros without CAP_SYSLOG under kptr_restrict:
kallsyms_show_value() in kernel/ksyms_common.c, Linux 6.12), handed to a module that adds its
precomputed offsets (as SystemTap's runtime once did with `_stext`). The module then probes
addresses of one boot and one build. register_kprobe() resolves `.symbol_name` + `.offset` in the
running kernel (_kprobe_addr() in kernel/kprobes.c): send the module the symbol's name and offset."""
EXAMPLE = """\
#include <stdio.h>
#include <fcntl.h>
#include <sys/ioctl.h>
struct reloc { char name[64]; unsigned long long address; };
static unsigned long long base_of(void)
{
	unsigned long long a = 0;
	FILE *f = fopen("/proc/kallsyms", "r");
	if (f) { fscanf(f, "%llx", &a); fclose(f); }
	return a;
}
static int send_base(int fd, unsigned long long base)
{
	struct reloc r = { "_stext", 0 };
	r.address = base;
	return ioctl(fd, 0x4001, &r);
}
int main(void)
{
	return send_base(open("/dev/trc_ctl", O_RDWR), base_of());
}
"""
USE_INSTEAD = """\
#include <fcntl.h>
#include <sys/ioctl.h>
struct probe_req { char symbol[128]; unsigned long offset; };
int main(void)
{
	struct probe_req q = { "vfs_write", 0 };
	return ioctl(open("/dev/trc_ctl", O_RDWR), 0x4002, &q);
}
"""
FIX = """\
Never: the message format is the tool's and its module's protocol; send a name and an offset."""
FIX_SAFETY = """\
No automatic fix."""
REFERENCES = (
    "kernel/ksyms_common.c: kallsyms_show_value() (Linux 6.12)",
    "kernel/kprobes.c: _kprobe_addr()",
)

MESSAGE = ("{field} carries an address this tool read from the kernel's symbol table to a module over ioctl(): "
           "one boot's and one build's address; send the symbol's name (and offset) and let the kernel resolve it")


def check(model: ProbeModel) -> list[Hit]:
    return [Hit(f.anchor.start, f.anchor.end, MESSAGE.format(field=f.name)) for f in model.module_feeds]
