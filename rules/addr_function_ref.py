"""addr-function-ref: a kprobe address taken from a function designator (``f`` or ``&f``).

Fixable: ``&f`` becomes ``.symbol_name = "f"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.check.rulekit import FUNCTION_REF, FieldWrite, Hit, ProbeModel, Severity, addr_hit
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

if TYPE_CHECKING:
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM103"
NAME = "addr-function-ref"
SEVERITY = Severity.WARNING
PRIORITY = 50
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
SUMMARY = "kprobe address taken from a function designator"
WHAT = """\
Checks for kprobes whose `.addr` is a function designator: `.addr = (kprobe_opcode_t *)&vfs_read`,
or the function name without `&`."""
WHY = """\
Taking a kernel function's address links the module against that symbol. A static or unexported
function does not link: modpost reports it undefined, or insmod refuses it as an Unknown symbol.
`.symbol_name` is looked up in kallsyms when the probe is registered and needs no export.

For an exported function the two agree on x86: _kprobe_addr() (kernel/kprobes.c) folds a given
`.addr` exactly as it folds a looked-up name, and arch_adjust_kprobe_addr()
(arch/x86/kernel/kprobes/core.c) moves both past an ENDBR at +0. Under kCFI (CONFIG_CFI_CLANG,
built with -fsanitize=kcfi, see the top-level Makefile; kCFI replaced the older jump-table CFI in
Linux 6.1) `&f` is the function itself: the type hash sits in a `__cfi_f` preamble in front of it
(arch/x86/include/asm/cfi.h), and kprobes refuse that preamble (is_cfi_preamble_symbol() in
kernel/kprobes.c). With the jump-table CFI before it (arm64), `&f` could be a jump-table entry
rather than the function body.

They differ on powerpc, where only a name goes through the architecture's kprobe_lookup_name()
(arch/powerpc/kernel/kprobes.c): on ppc64 ELFv2 it moves a probe at offset 0 to the local entry
point that direct calls use, and on ELFv1, where `&f` is a function descriptor, it finds the code
(Documentation/trace/kprobes.rst: function descriptors "are handled transparently")."""
EXAMPLE = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .addr = (kprobe_opcode_t *)&vfs_read };
"""
USE_INSTEAD = """\
#include <linux/kprobes.h>
static struct kprobe kp = { .symbol_name = "vfs_read" };
"""
FIX = """\
Always, for a kernel function: `&f` becomes `.symbol_name = "f"`."""
FIX_SAFETY = """\
Refuses when the function is defined in the module itself: `&f` keeps an out-of-line copy of it,
while with a name only the compiler may inline it away, and a module function needs the
"module:function" form; mark it noinline and use KBUILD_MODNAME ":f" by hand. Also refuses when the
probe is built by a function-like macro, the code around it could not be parsed, the branch only
builds for kernels before 2.6.19 (no `.symbol_name`), the probe gets its address in more than one
place, or `.addr` is read before registration (after the rewrite it is NULL until register_kprobe()
runs)."""
REFERENCES = (
    "kernel/kprobes.c: _kprobe_addr(), is_cfi_preamble_symbol(), check_kprobe_address_safe() (Linux 6.12)",
    "arch/x86/kernel/kprobes/core.c: arch_adjust_kprobe_addr()",
    "arch/x86/include/asm/cfi.h: the kCFI and FineIBT function layouts",
    "Makefile: CC_FLAGS_CFI := -fsanitize=kcfi",
    "arch/powerpc/kernel/kprobes.c: kprobe_lookup_name()",
    "Documentation/trace/kprobes.rst: register_kprobe notes",
)


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for w in model.addr_writes:
        if w.addr is None or w.addr.kind != FUNCTION_REF:
            continue
        if w.addr.local_function and model.context != CONTEXT_MODULE:
            continue  # built-in code probing its own function: the linker resolves it, nothing to export
        sym = w.addr.symbol or "the function"
        if w.addr.local_function:  # the module's own function: it links; the name is still the better handle
            hit = addr_hit(w, (
                f"kprobe placed by address on {sym}, a function of this module: that needs no export, but the "
                f"compiler may inline or clone it; by name (KBUILD_MODNAME \":{sym}\", {sym} noinline) the probe "
                "is where kallsyms says"))
            hit.severity = Severity.INFO
            hits.append(hit)
            continue
        hits.append(addr_hit(w, (
            f"kprobe address taken from the function {sym}; it only links when {sym} is exported "
            f'and ties the module to that symbol: set .symbol_name = "{sym}"'
        )))
    return hits


def fix(w: FieldWrite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.kit import Plan, Refusal, c_string, migrate

    a = w.addr
    assert a is not None and a.symbol
    if a.local_function:
        return Refusal(f"{a.symbol}() is defined in this module: &{a.symbol} keeps it out of line, while by name the "
                       f"compiler may inline it away; mark it noinline and use KBUILD_MODNAME \":{a.symbol}\" by hand")
    plan = migrate(ctx.text, ctx.model, w, c_string(a.symbol), 0)
    if isinstance(plan, Plan):
        plan.explanation.insert(0, f"the address of {a.symbol} was taken at link time; .symbol_name is resolved by "
                                   "kallsyms at registration and names the function itself")
    return plan
