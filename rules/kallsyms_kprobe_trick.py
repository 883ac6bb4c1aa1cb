"""kallsyms-kprobe-trick: a kprobe on "kallsyms_lookup_name" registered to harvest its address."""

from migrator.check.rulekit import FieldWrite, Hit, ProbeModel, Severity, probe_name
from migrator.core.display import probe_display
from migrator.core.names import CONTEXT_MODULE, KALLSYMS_LOOKUP

CODE = "PM301"
NAME = "kallsyms-kprobe-trick"
SEVERITY = Severity.ERROR
PRIORITY = 80
APPLIES_TO = frozenset({CONTEXT_MODULE})  # about modules: built-in code may call what modules cannot
SUMMARY = "kprobe registered on kallsyms_lookup_name to harvest its address"
WHAT = """\
Checks for a kprobe on "kallsyms_lookup_name" that is registered only to read back its `.addr`,
which the module then calls as a function. The name may come through a macro or a helper's
parameter (`plant(&kp, "kallsyms_lookup_name", handler)`: reported at the string the caller wrote);
the address may be stored in a variable, a struct field or an out-parameter, returned by a helper
given the probe, or kept from `regs->ip` by the probe's handler. A probe on it declared with no
handler and registered nowhere in its file (a header) is declared for another file to harvest."""
WHY = """\
Linux 5.7 stopped exporting kallsyms_lookup_name() (commit 0bd476e6c671) so that modules could not
use it to reach unexported functions. register_kprobe() writes the resolved address back into
`.addr` (kernel/kprobes.c), so registering a kprobe on it and reading `.addr` gets the address
anyway, and the module then calls an unexported function through a pointer: it works around the
export policy rather than with it, and breaks with the next hardening of it.

For probes none of it is needed: `.symbol_name` does the lookup inside register_kprobe(). A kprobe
that only traces kallsyms_lookup_name (and never uses `.addr` as a function) is fine and is not
reported."""
EXAMPLE = """\
#include <linux/kprobes.h>
typedef unsigned long (*kln_t)(const char *);
static struct kprobe kln_kp = { .symbol_name = "kallsyms_lookup_name" };
static kln_t kln;
static int __init m_init(void)
{
	register_kprobe(&kln_kp);
	kln = (kln_t)kln_kp.addr;
	unregister_kprobe(&kln_kp);
	return 0;
}
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "kernel_clone" };
static int __init m_init(void)
{
	return register_kprobe(&kp);
}
"""
FIX = """\
Never: what the harvested pointer is used for needs a human decision."""
FIX_SAFETY = """\
No automatic fix: removing the trick removes a capability the module relies on; its uses are
reported as kallsyms-lookup-use (or addr-kallsyms when they locate probes)."""
REFERENCES = (
    "commit 0bd476e6c671: kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol() (Linux 5.7)",
    "kernel/kprobes.c: register_kprobe() (writes the resolved address back to .addr)",
)


MESSAGE = ("{probe} probes kallsyms_lookup_name only to harvest its address, circumventing its "
           "unexport in Linux 5.7; locate probes with .symbol_name and drop the harvested pointer")


NO_FIX = "drop the harvested pointer by hand; its callers need another interface"  # fix refuses with this


def _bare(model: ProbeModel, w: FieldWrite) -> bool:
    """A probe on kallsyms_lookup_name declared with no handler and registered nowhere in its file
    traces nothing there: it is declared (in a header) for another file to harvest."""
    return not w.function and w.probe not in model.probes_with_handlers \
        and not any(r.probe == w.probe for r in model.registrations)


RELATED_HARVEST = "the resolved address of kallsyms_lookup_name is read back from the probe here"


def check(model: ProbeModel) -> list[Hit]:
    # a probe placed on kallsyms_lookup_name whose addr is then kept (stored, cast or returned)
    harvested = {h.probe for h in model.addr_harvests}
    places = [(w.string_span, w.probe, probe_name(w)) for w in model.symbol_writes
              if w.string == KALLSYMS_LOOKUP and w.string_span is not None
              and (w.probe in harvested or _bare(model, w))]
    # the name passed to a helper that places the probe: plant(&kp, "kallsyms_lookup_name", handler)
    places += [(a.string_span, a.probe, probe_display(a.probe)) for a in model.symbol_arguments
               if a.string == KALLSYMS_LOOKUP and a.string_span is not None and a.probe in harvested]
    return [Hit(span.start, span.end, MESSAGE.format(probe=shown),
                related=[(h.anchor.start, h.anchor.end, RELATED_HARVEST) for h in model.addr_harvests if h.probe == probe])
            for span, probe, shown in places]
