"""jprobe: a ``struct jprobe`` (the API was disabled in Linux 4.15 and removed in 4.19)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from migrator.check.rulekit import Hit, ProbeModel, Severity
from migrator.core.model import Located
from migrator.core.names import (
    CONTEXT_BUILTIN,
    CONTEXT_MODULE,
    CONTEXT_USERSPACE,
    JPROBE,
    REGISTER_ARGUMENTS,
    REGS_GET_KERNEL_ARGUMENT_SINCE,
)

if TYPE_CHECKING:
    from migrator.core.jprobe_facts import JprobeCode
    from migrator.fix.kit import FixContext, Plan, Refusal

CODE = "PM401"
NAME = "jprobe"
SEVERITY = Severity.ERROR
PRIORITY = 10
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
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
Always, where the rewrite is mechanical: each jprobe becomes a kprobe on the same symbol and its
handler a pre_handler that reads its arguments with regs_get_kernel_argument(). `struct jprobe`
becomes `struct kprobe`, `.entry = h` becomes `.pre_handler = h`, `.kp = { ... }` and `.kp.` are
flattened, register/unregister_jprobe(s)() become the kprobe calls. The handler keeps its name and
body: its signature becomes `(struct kprobe *p, struct pt_regs *regs)`, each former parameter is
declared first thing in the body from `regs_get_kernel_argument(regs, N)` with a cast to its
type, jprobe_return() goes and the handler returns 0. An address the jprobe had stays an address:
the addr-* rules migrate it as on any kprobe."""
FIX_SAFETY = """\
The pre_handler runs where the jprobe's entry handler ran, at the probed function's first
instruction, before its prologue: the argument registers still hold the arguments, and
regs_get_kernel_argument() reads them from the pt_regs the int3 (or ftrace) saved. It returns
them as unsigned long; the cast gives each its declared type back. Refused, file unchanged, with
the reason: a handler shared by several jprobes, a handler that takes the address of a parameter
(a jprobe handler's parameters were a copy of the probed function's stack frame), more than 6
parameters (x86-64 passes 6 in registers), variadic, struct/union-by-value, array,
function-pointer, floating-point or unknown-typedef-by-value parameters, a handler with no
definition in the file, a preprocessor line inside a handler's signature, a positional initializer, a call of a *jprobe* helper not defined in the
file (it may expect a struct jprobe), a jprobe whose own kprobe is given a pre_handler
(register_jprobe() replaced it with its setjmp handler, kernel/kprobes.c of Linux 4.14: flattened,
that pre_handler would win over the entry handler), and code still built for kernels older than
4.20 (it compares LINUX_VERSION_CODE with such a version): regs_get_kernel_argument() appeared on
x86 in Linux 4.20 (arch/x86/include/asm/ptrace.h). The result needs Linux >= 4.20 and is
x86-64's register mapping: the patch body says which register each argument came from."""
REFERENCES = (
    "include/linux/kprobes.h: struct jprobe, register_jprobe() (a -ENOSYS stub from 4.15, then removed)",
    "Documentation/trace/kprobes.rst: Deprecated Features (Linux 6.12)",
    "arch/x86/include/asm/ptrace.h: regs_get_kernel_argument() (x86, since Linux 4.20)",
)
FIX_LAST = True  # after the address rules: their edits name `.kp.addr`, which this flattens

REFUSE_SHARED = "handler {h}() is shared by {n} jprobes; give each jprobe its own handler first"
REFUSE_ADDRESS = "handler {h}() takes the address of its parameter {p}; after the migration that is a local copy"
REFUSE_TOO_MANY = "handler {h}() has {n} parameters; x86-64 passes only {max} in registers"
REFUSE_PARAM = "handler {h}() has a {what} parameter ({text}), which regs_get_kernel_argument() cannot return"
REFUSE_NAMES = "handler {h}() already uses every name the new parameters could take (p, kp, probe / regs, kregs)"
REFUSE_OLD_KERNELS = ("the file is still built for kernels older than {since} (it tests KERNEL_VERSION({a}, {b}, ...)): "
                      "regs_get_kernel_argument() appeared on x86 in Linux {since}; keep the jprobe version for those "
                      "kernels by hand, or run fix --keep-old-kernels")
REFUSE_NO_HANDLER = "the handler of a jprobe is not defined in this file (or is not a plain function name)"
REFUSE_POSITIONAL = "a jprobe initialized without designators (or through &jp->kp); rewrite it with .kp/.entry first"
REFUSE_NOT_C = "only C sources are migrated"
REFUSE_DIRECTIVE = "handler {h}() has a preprocessor line inside its signature; the rewrite would drop it"
REFUSE_FOREIGN = ("{call}() is not defined in this file and may expect a struct jprobe (a registration helper "
                  "elsewhere): port it together with this file by hand")
REFUSE_KEPT = "this jprobe is only built for kernels before 4.20, where it stays as it is"
REFUSE_KP_PRE_HANDLER = ("the jprobe's kprobe gets a pre_handler of its own ({text}), which register_jprobe() replaced; "
                         "the kprobe would have two pre_handlers and keep the wrong one: remove it first")
_SHAPES = {"struct": "struct/union passed by value", "array": "array", "funcptr": "function-pointer",
           "float": "floating-point", "variadic": "variadic (...)", "unnamed": "unnamed"}


OLD_KERNELS_ONLY = ("jprobe {name}: only built for kernels before {since}, where a kprobe cannot read the arguments "
                    "with regs_get_kernel_argument(); jprobes work there before 4.15 only")


RELATED_REGISTRATION = "{call}() registers it here"


def check(model: ProbeModel) -> list[Hit]:
    since = (*REGS_GET_KERNEL_ARGUMENT_SINCE, 0)
    hits = [
        Hit(j.anchor.start, j.anchor.end, OLD_KERNELS_ONLY.format(name=j.name, since="4.20"), Severity.INFO, subject=j)
        if j.versions.only_before(since) else
        Hit(j.anchor.start, j.anchor.end, (
            f"jprobe {j.name}: the jprobe API was disabled in Linux 4.15 and later removed; use a kprobe with a pre_handler "
            "(arguments from pt_regs) or a kretprobe"
        ), subject=j)
        for j in model.jprobes
    ]
    jprobes = {j.name for j in model.jprobes}
    for hit in hits:  # the other half of the construct: where each jprobe is registered
        name = hit.subject.name if isinstance(hit.subject, Located) else ""
        hit.related = [(r.anchor.start, r.anchor.end, RELATED_REGISTRATION.format(call=r.call))
                       for r in model.registrations if JPROBE in r.call
                       and (r.probe == name or r.probe not in jprobes and len(jprobes) == 1 or r.call.endswith("s"))]
    return hits


def fix(subject: Located, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix.jprobe_edits import free_names, handler_edits, object_edits
    from migrator.fix.kit import Plan, Refusal

    code = ctx.model.jprobe_code
    if code is None or not ctx.model.path.endswith((".c", ".h")):
        return Refusal(REFUSE_NOT_C)
    if subject.versions.only_before((*REGS_GET_KERNEL_ARGUMENT_SINCE, 0)):
        return Refusal(REFUSE_KEPT)
    old_kernels = [v for v in code.kernel_versions_compared if v < REGS_GET_KERNEL_ARGUMENT_SINCE]
    why = _refusal(code, ctx.text, old_kernels_ok=ctx.keep_old_kernels)
    if why:
        return Refusal(why)
    edits, told = object_edits(ctx.text, code, {h.name for h in code.handlers}), []
    for h in code.handlers:
        free = free_names(h)
        if free is None:
            return Refusal(REFUSE_NAMES.format(h=h.name))
        more, lines = handler_edits(ctx.text, h, *free)
        edits += more
        told += lines
    explanation = ["jprobes -> kprobes: the handlers become pre_handlers reading the arguments with "
                   "regs_get_kernel_argument() (x86-64 registers; needs Linux >= 4.20)", *told]
    if old_kernels and ctx.keep_old_kernels:
        from migrator.fix.jprobe_edits import guarded

        kept = guarded(ctx.text, edits, code)
        if isinstance(kept, str):
            return Refusal(kept)
        edits = kept
        explanation.append("the jprobe code stays for kernels before 4.20, under #if LINUX_VERSION_CODE (--keep-old-kernels)")
    return Plan(edits, explanation, covers=[j for j in ctx.model.jprobes if j is not subject])


_KP_PRE_HANDLER = re.compile(r"(?:\.|->)\s*kp\s*\.\s*pre_handler\s*=(?!=)")  # x.kp.pre_handler = h;
_PRE_HANDLER_DESIGNATOR = re.compile(r"\.\s*pre_handler\s*=(?!=)")


def _kp_pre_handler(text: str, code: JprobeCode) -> str:
    """Where the jprobe's own kprobe is given a pre_handler (register_jprobe() overwrote it with its
    setjmp handler, so the entry handler ran; flattened, a second .pre_handler would win)."""
    for b in code.kp_blocks:  # (a commented-out one refuses too: rare, and refusing is safe)
        m = _PRE_HANDLER_DESIGNATOR.search(text, b.inner.start, b.inner.end)
        if m:
            return m.group(0).strip()
    m = _KP_PRE_HANDLER.search(text)
    return m.group(0).strip() if m else ""


def _refusal(code: JprobeCode, text: str, old_kernels_ok: bool = False) -> str:
    from migrator.fix.jprobe_edits import flattenable

    old = [v for v in code.kernel_versions_compared if v < REGS_GET_KERNEL_ARGUMENT_SINCE]
    if old and not old_kernels_ok:
        since = ".".join(map(str, REGS_GET_KERNEL_ARGUMENT_SINCE))
        return REFUSE_OLD_KERNELS.format(since=since, a=old[0][0], b=old[0][1])
    if code.positional or any(not flattenable(text, b) for b in code.kp_blocks):
        return REFUSE_POSITIONAL
    if code.foreign_calls:
        return REFUSE_FOREIGN.format(call=code.foreign_calls[0])
    own = _kp_pre_handler(text, code)
    if own:
        return REFUSE_KP_PRE_HANDLER.format(text=own)
    named = [e.handler for e in code.entries if e.value is not None]
    defined = {h.name for h in code.handlers}
    if not named or any(not n or n not in defined for n in named):
        return REFUSE_NO_HANDLER
    for h in code.handlers:
        if named.count(h.name) > 1:
            return REFUSE_SHARED.format(h=h.name, n=named.count(h.name))
        if h.directive_in_signature:
            return REFUSE_DIRECTIVE.format(h=h.name)
        if h.address_taken:
            return REFUSE_ADDRESS.format(h=h.name, p=sorted(h.address_taken)[0])
        if len(h.param_list) > REGISTER_ARGUMENTS:
            return REFUSE_TOO_MANY.format(h=h.name, n=len(h.param_list), max=REGISTER_ARGUMENTS)
        for param in h.param_list:
            what = _SHAPES.get(param.shape) or (
                f"{param.shape.split(':')[1]} (a typedef that may be a struct) by-value" if param.shape.startswith("typedef:")
                else "")
            if what:
                return REFUSE_PARAM.format(h=h.name, what=what, text=param.text)
    return ""
