'''bpf-attach-addr: a BPF or perf kprobe attached at a raw address from user space.

Flags BCC's ``attach_kprobe(event=0xffffffff81363fb1)``, libbpf's
``bpf_program__attach_kprobe_opts(prog, NULL, &opts)`` with ``opts.offset`` holding an absolute
address (in C or through ctypes), libbcc's ``bpf_attach_kprobe()`` with no function name, and
``perf_event_attr`` set-ups with ``kprobe_addr``/``config2`` and no ``kprobe_func``/``config1``.
Fixable with ``fix --symbols MAP``: the function name plus the residual offset.
'''

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.core.findings import Hit, Severity
from migrator.core.model import (
    BCC_ATTACH_KPROBE,
    BCC_ATTACH_KRETPROBE,
    LIBBCC_ATTACH_CTYPES,
    LIBBPF_OPTS_C,
    LIBBPF_OPTS_CTYPES,
    LITERAL,
    PERF_ATTR_C_ASSIGN,
    PERF_ATTR_C_INIT,
    PERF_ATTR_PYTHON,
    AddrSite,
    ProbeModel,
    Span,
)
from migrator.core.names import CONTEXT_BUILTIN, CONTEXT_MODULE, CONTEXT_USERSPACE

if TYPE_CHECKING:  # the fix machinery is imported by fix() only: a check run never loads it
    from migrator.fix.kit import FixContext
    from migrator.fix.resolution import Resolved
    from migrator.fix.rewrite import Plan, Refusal

CODE = "PM502"
NAME = "bpf-attach-addr"
SEVERITY = Severity.ERROR
PRIORITY = 30
APPLIES_TO = frozenset({CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_USERSPACE})  # not the kprobes core: it places probes by address by design
EXAMPLE_SUFFIX = ".c"
SUMMARY = "BPF/perf kprobe attached at a raw kernel address"
WHAT = """\
Checks for BPF and perf kprobes attached at a raw address from user space: BCC's
`attach_kprobe(event=0xffffffff81363fb1)`, libbpf's `bpf_program__attach_kprobe_opts(prog, NULL,
&opts)` with `opts.offset` holding an absolute address (in C or through ctypes), libbcc's
`bpf_attach_kprobe()` with no function name, and `perf_event_attr` set-ups with
`kprobe_addr`/`config2` and no `kprobe_func`/`config1`."""
WHY = """\
The perf kprobe PMU takes a function name in kprobe_func (config1) and an offset in probe_offset
(config2), and reads config2 as an absolute kprobe_addr only "when kprobe_func == NULL"
(include/uapi/linux/perf_event.h; perf_kprobe_init() in kernel/trace/trace_event_perf.c; the PMU
exists since Linux 4.17, commit 65074d43fc77). libbpf passes func_name as config1 and opts.offset as
config2 (perf_event_open_probe() in tools/lib/bpf/libbpf.c), so a NULL func_name turns the offset
into an absolute address. An address copied from System.map is right for one build booted without
KASLR only; anywhere else the attach fails or probes the wrong instruction. Pass the function name
and the offset inside it: the kernel resolves the name when the probe is created. A non-zero offset
is still specific to the build it was measured on."""
EXAMPLE = """\
#include <bpf/libbpf.h>
int attach(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_kprobe_opts, opts);
	opts.offset = 0xffffffff81363fb1;
	return libbpf_get_error(bpf_program__attach_kprobe_opts(prog, NULL, &opts));
}
"""
USE_INSTEAD = """\
#include <bpf/libbpf.h>
int attach(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_kprobe_opts, opts);
	opts.offset = 0x11;
	return libbpf_get_error(bpf_program__attach_kprobe_opts(prog, "do_sys_openat2", &opts));
}
"""
FIX = """\
With a symbol map, when the address is a constant: the function name plus the residual offset."""
FIX_SAFETY = """\
Refuses addresses computed at run time, call shapes it cannot edit in place, a return probe that
would not land on a function entry, and an address the map cannot vouch for (outside the kernel text
it describes, in module space it has no symbols for, past the end of its symbol or only after a
linker marker, or resolving to a name that occurs more than once in it)."""
REFERENCES = (
    "include/uapi/linux/perf_event.h: kprobe_func/config1, kprobe_addr/probe_offset/config2 (Linux 6.12)",
    "kernel/trace/trace_event_perf.c: perf_kprobe_init()",
    "tools/lib/bpf/libbpf.c: bpf_program__attach_kprobe_opts(), perf_event_open_probe()",
)


# -- what the rule says: every text once, with named placeholders -------------------------------
_PERF = "perf_event_attr kprobe by address (kprobe_addr/config2 with no kprobe_func)"
API = {
    BCC_ATTACH_KPROBE: "BCC attach_kprobe(event=...) with an address",
    BCC_ATTACH_KRETPROBE: "BCC attach_kretprobe(event=...) with an address",
    LIBBPF_OPTS_CTYPES: "libbpf bpf_program__attach_kprobe_opts() with no function name",
    LIBBCC_ATTACH_CTYPES: "libbcc bpf_attach_kprobe() with no function name",
    LIBBPF_OPTS_C: "bpf_program__attach_kprobe_opts() with no function name",
    PERF_ATTR_PYTHON: _PERF,
    PERF_ATTR_C_ASSIGN: _PERF,
    PERF_ATTR_C_INIT: _PERF,
}
MESSAGE = ("{api} attaches at {where}; the address breaks under KASLR and on any other build: "
           "pass the function name and a relative offset")
AT_ADDRESS = "{address:#x}"
AT_RUN_TIME = "an address computed at run time ({text})"
# the fix: edit templates
BCC_EVENT = '{prefix}"{name}"'  # event= becomes the name; prefix "b" when the literal was written b"..."
BCC_EVENT_OFF = ", event_off={off}"  # added after it when the offset is not zero
CTYPES_NAME = 'b"{name}"'  # the name argument through ctypes: a bytes object
C_NAME = '"{name}"'
OFFSET = "{off}"  # the address becomes the offset in the function
PERF_NAME_STATEMENT = '{target}{op}{name_field} = (__u64)(unsigned long)"{name}";\n{indent}'
PERF_NAME_ITEM = '.{name_field} = (__u64)(unsigned long)"{name}",{separator}'
PERF_FIELDS = {"kprobe_addr": ("kprobe_func", "probe_offset"), "config2": ("config1", "config2")}  # -> name, offset
# refusals
RUN_TIME_PYTHON = "the address is computed at run time; pass the function name (and a relative offset) instead"
RUN_TIME_LIBBPF = "the address is computed at run time; pass the function name and a relative offset instead"
RUN_TIME_PERF = "the address is computed at run time; set kprobe_func (config1) to the function name instead"
THROUGH_VARIABLE = "the address comes through a variable; pass the function name as event= (and event_off=) by hand"
OFFSET_GIVEN = "the call already has an event_off; merge the offsets by hand"
PERF_IN_PYTHON = ("set kprobe_func (config1) to a pointer to the function name and probe_offset (config2) to the "
                  "offset by hand")
RUN_TIME_ONLY = "the address is only known at run time; use the symbol name instead"

BCC = (BCC_ATTACH_KPROBE, BCC_ATTACH_KRETPROBE)
CTYPES = (LIBBPF_OPTS_CTYPES, LIBBCC_ATTACH_CTYPES)
PERF_C = (PERF_ATTR_C_ASSIGN, PERF_ATTR_C_INIT)


def check(model: ProbeModel) -> list[Hit]:
    hits = []
    for s in model.attach_addrs:
        where = AT_ADDRESS.format(address=s.address) if s.address is not None else AT_RUN_TIME.format(text=s.text)
        hits.append(Hit(s.anchor.start, s.anchor.end, MESSAGE.format(api=API[s.form], where=where), subject=s))
    return hits


def refusal(s: AddrSite) -> str:
    """Why the call is not rewritten, or ""."""
    literal = s.origin == LITERAL and s.address is not None
    if s.form in BCC:
        if not literal:
            return RUN_TIME_PYTHON
        if s.variable:
            return THROUGH_VARIABLE
        if s.offset_given:
            return OFFSET_GIVEN
    elif s.form in CTYPES and (not literal or s.variable or s.name_span is None):
        return RUN_TIME_PYTHON
    elif s.form == LIBBPF_OPTS_C and (not literal or s.name_span is None):
        return RUN_TIME_LIBBPF
    elif s.form == PERF_ATTR_PYTHON:
        return PERF_IN_PYTHON
    elif s.form in PERF_C and (not literal or s.perf is None):
        return RUN_TIME_PERF
    if s.address is None or s.address_span is None:
        return RUN_TIME_ONLY
    return ""


def edits(s: AddrSite, address: Span, res: Resolved) -> list[tuple[Span, str]]:
    """The span replacements that put the function name and the offset in the place of ``address``."""
    from migrator.fix.resolution import offset_value

    off = offset_value(res.offset)
    if s.form in BCC:
        prefix = "b" if s.text[:1] in "bB" else ""  # only a leading b: rb"..." becomes a str (as before)
        out = [(address, BCC_EVENT.format(prefix=prefix, name=res.name))]
        return out + ([(Span(address.end, address.end), BCC_EVENT_OFF.format(off=off))] if res.offset else [])
    if s.perf is not None:
        p = s.perf
        name_field, offset_field = PERF_FIELDS[p.field]
        if s.form == PERF_ATTR_C_ASSIGN:
            name = PERF_NAME_STATEMENT.format(target=p.target, op=p.member_op, name_field=name_field,
                                              name=res.name, indent=p.indent or "")
        else:
            separator = " " if p.indent is None else "\n" + p.indent
            name = PERF_NAME_ITEM.format(name_field=name_field, name=res.name, separator=separator)
        return [(Span(p.start, p.start), name), (p.field_span, offset_field), (address, OFFSET.format(off=off))]
    assert s.name_span is not None  # CTYPES, LIBBPF_OPTS_C: refusal() saw to it
    template = CTYPES_NAME if s.form in CTYPES else C_NAME
    return [(s.name_span, template.format(name=res.name)), (address, OFFSET.format(off=off))]


def fix(s: AddrSite, ctx: FixContext) -> Plan | Refusal:
    from migrator.fix import resolution as sites
    from migrator.fix.rewrite import Refusal

    why = refusal(s)
    if why or s.address is None or s.address_span is None:
        return Refusal(why or RUN_TIME_ONLY)
    res = sites.resolve(s.address, ctx.symbols, function_entry=s.kretprobe)
    if isinstance(res, Refusal):
        return res
    return sites.plan(edits(s, s.address_span, res), API[s.form], res)
