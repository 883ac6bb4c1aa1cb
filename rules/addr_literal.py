"""addr-literal: a kprobe placed at a hard-coded kernel address.

Flags ``kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;`` and the same through an object-like
macro (``#define TARGET 0x...``) or a constant. Fixable with ``fix --symbols MAP``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import LITERAL, FieldWrite, Hit, ProbeModel, Severity, addr_hit, hex_or

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM101"
NAME = "addr-literal"
SEVERITY = Severity.ERROR
PRIORITY = 40
SUMMARY = "kprobe address hard-coded as an integer constant"
RATIONALE = """\
A kernel address copied from System.map or /proc/kallsyms is only right for one build of one
kernel booted without KASLR. With KASLR (default on x86 since 4.12) the kernel text moves at every
boot and register_kprobe() fails with -ENOENT or, worse, lands inside another function; a rebuilt
kernel moves every function. The kprobes API resolves the address itself: set .symbol_name (and
.offset) and register_kprobe() looks the symbol up with kallsyms_lookup_name() at registration
(kernel/kprobes.c, _kprobe_addr()), in every kernel since 2.6.19. The resolved address is written
back to .addr, so code that reads kp.addr after registration keeps working."""
BAD = """\
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
	return register_kprobe(&kp);
}
"""
GOOD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "kernel_clone" };
static int __init m_init(void)
{
	return register_kprobe(&kp);
}
"""


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
