"""addr-literal: a kprobe placed at a hard-coded kernel address.

Flags ``kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;`` and the same through an object-like
macro (``#define TARGET 0x...``) or a constant. Fixable with ``fix --symbols MAP``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import LITERAL, FieldWrite, Hit, ProbeModel, Severity, addr_hit, hex_or
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM101"
NAME = "addr-literal"
SEVERITY = Severity.ERROR
PRIORITY = 40
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
SUMMARY = "kprobe address hard-coded as an integer constant"
WHAT = """\
Checks for kprobes whose `.addr` is an integer constant: a kernel address written directly
(`kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;`), through an object-like macro
(`#define TARGET 0x...`) or through a constant."""
WHY = """\
A kernel address copied from System.map or /proc/kallsyms is right for one build of one kernel,
booted without KASLR. KASLR (RANDOMIZE_BASE, `default y` on x86 in arch/x86/Kconfig) moves the
kernel text at every boot, and any rebuild moves functions. A stale address does not fail safely:
register_kprobe() returns -EINVAL when it is not kernel or module text (check_kprobe_address_safe()
in kernel/kprobes.c), -EILSEQ on x86 when it is not on an instruction boundary (can_probe() in
arch/x86/kernel/kprobes/core.c), and otherwise probes whatever instruction of whatever function is
there now.

With `.symbol_name` set, register_kprobe() finds the location itself: _kprobe_addr()
(kernel/kprobes.c, Linux 6.12) looks the name up with kprobe_lookup_name() (kallsyms_lookup_name()
unless the architecture overrides it) in the running kernel, then folds name + `.offset` exactly as
it folds a given `.addr` (kallsyms_lookup_size_offset(), then arch_adjust_kprobe_addr()). An
unknown name fails cleanly with -ENOENT. The resolved address is written back to `.addr`, so code
that reads `kp.addr` after registration keeps working.

By name, offset 0 at a function entry is right on every build that has the function. A non-zero
`.offset` survives KASLR and the function moving, but it is specific to the build it was measured
on: check it again whenever the function's code may have changed."""
EXAMPLE = """\
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
	return register_kprobe(&kp);
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
With a symbol map: `probe-migrator fix --symbols MAP` (System.map, a /proc/kallsyms dump or nm
output of the kernel the address came from) rewrites `.addr` to `.symbol_name` plus `.offset`."""
FIX_SAFETY = """\
Refuses without a map, and when the map cannot vouch for the address: it is outside the kernel text
the map describes, in module space the map has no symbols for, past the end of its symbol or only
after a linker marker, or its symbol name occurs more than once in the map (register_kprobe() would
take the first). Also refuses when a kretprobe would not land on a function entry, or when a comment
or macro name next to the address names another function than the map does: the map is then probably
not the kernel the address came from. Like every rewrite of an address, it refuses when the probe is
built by a function-like macro, the code around it could not be parsed, the branch only builds for
kernels before 2.6.19 (no `.symbol_name`), the probe gets its address in more than one place, or
`.addr` is read before registration (after the rewrite it is NULL until register_kprobe() runs).

The fix keeps the probe where it was on the kernel of the map and makes it survive KASLR; a non-zero
offset it computes is exactly as build-specific as the address was."""
REFERENCES = (
    "kernel/kprobes.c: _kprobe_addr(), register_kprobe(), check_kprobe_address_safe() (Linux 6.12)",
    "arch/x86/kernel/kprobes/core.c: arch_adjust_kprobe_addr(), can_probe(), arch_prepare_kprobe()",
    "arch/x86/Kconfig: RANDOMIZE_BASE (default y)",
    "Documentation/trace/kprobes.rst: register_kprobe, notes on symbol_name and offset",
)


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for w in model.addr_writes:
        if w.addr is None or w.addr.kind != LITERAL:
            continue
        value = hex_or(w.addr.number, w.text)
        how = f" through {w.addr.macro}" if w.addr.macro else ""
        hits.append(addr_hit(w, (
            f"kprobe address hard-coded as {value}{how}; it breaks under KASLR and on any other build: "
            "set .symbol_name (and .offset) and let register_kprobe() resolve it"
        )))
    return hits


def fix(w: FieldWrite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.kit import Refusal, resolved

    if w.addr is None or w.addr.number is None:  # token-level finding whose constant is not an integer
        return Refusal("the address is not an integer constant the rewriter can read")
    how = f"the hard-coded address (through {w.addr.macro})" if w.addr.macro else "the hard-coded address"
    return resolved(ctx, w, w.addr.number, how)
