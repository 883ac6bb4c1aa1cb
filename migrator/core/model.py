"""The probe model: what the rules need to know about one file, computed once.

Front ends (C, Python, text) build it; rules only read it. Everything is in offsets of the
original text, so rules never see the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How a written address was obtained, most specific first.
LITERAL = "literal"
KALLSYMS = "kallsyms"
FUNCTION_REF = "function-ref"
RELOCATED = "relocated"
COMPUTED = "computed"
NULL = "null"


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass
class AddrValue:
    kind: str
    text: str = ""  # the value expression as written
    symbol: str | None = None  # kallsyms name, function name
    number: int | None = None  # a literal address
    offset: int = 0  # a constant added to symbol or base
    base: str | None = None  # _text, _stext, ...
    macro: str | None = None  # object-like macro the value came through
    helper: str | None = None  # relocation helper or kallsyms wrapper called
    via: str | None = None  # local variable the value flowed through
    via_at: int = -1  # offset of the assignment to it
    name_expr: str | None = None  # kallsyms argument when it is not a string literal
    name_static: bool = False  # ... and it has static storage (outlives the probe)
    constant_args: bool = False  # relocation helper called with constant arguments only
    args: tuple[str, ...] = ()  # relocation helper constant arguments ("" where not constant)
    arg_texts: tuple[str, ...] = ()  # relocation helper arguments as written
    local_function: bool = False  # a function defined in this file


@dataclass
class FieldWrite:
    """A write of ``addr``, ``symbol_name`` or ``offset`` on a probe object."""

    field: str
    anchor: Span  # the field-name token
    probe: str  # identity of the probe object, e.g. "kps[*]" or "rp.kp"
    value_span: Span  # the value expression
    item_span: Span  # the whole statement or initializer item, for removal
    designated: bool  # written in an initializer
    branch_path: tuple[tuple[int, int], ...] = ()
    addr: AddrValue | None = None  # for addr writes
    text: str = ""  # the value as written (symbol_name, offset)
    is_null: bool = False
    number: int | None = None  # constant offset value
    macro: str | None = None  # function-like macro that built the probe
    pre_2619: bool = False  # inside a guard for kernels before 2.6.19
    fallback: bool = False  # found by the token-level fallback, never fixed
    function: str = ""  # enclosing function, "" at file scope
    kretprobe: bool = False  # the kprobe of a struct kretprobe: must stay at function entry
    hints: tuple[str, ...] = ()  # symbol names the code says the address is (comments, macro names)
    # When the address came through a local variable used for nothing else: the statements that
    # become dead with it (its assignment, its NULL checks, its declaration). None if it has other uses.
    via_removals: list[Span] | None = None
    via_shared: bool = False  # the variable also feeds other probes' addr


@dataclass
class Located:
    anchor: Span
    name: str = ""
    detail: str = ""
    fallback: bool = False


@dataclass
class AddrUse:
    """A read of a probe's ``addr`` (not a write)."""

    probe: str
    anchor: Span
    function: str
    check: Span | None = None  # the whole ``if (!p.addr) ...`` statement when the read is its test
    removable: bool = False  # the check is exactly "addr is NULL", with no else branch


@dataclass
class TableEntry:
    span: Span  # the whole "{ ... }"
    address_item: Span  # ".address=0x3669e0"
    address: int  # -1 when not a constant
    module: str
    section: str
    is_return: bool
    function: str = ""  # the function the probe point names (SystemTap's .pp), "" if none
    # Each designated item of the entry: name -> (span of ".name=value", span of the value).
    items: dict[str, tuple[Span, Span]] = field(default_factory=dict)
    symbol_name: str | None = None  # .symbol_name="vfs_fsync" (SystemTap 4.x), None if absent
    offset: int | None = None  # .offset=(unsigned int)0
    pp: str = ""  # the probe point, decoded: kernel.function("vfs_read@fs/read_write.c:450")
    pp_module: str = ""  # ext4 in module("ext4").function(...)
    anchor: Span = field(default_factory=lambda: Span(0, 0))  # the "address" name of the .address designator

    @property
    def probe(self) -> str:
        """What a patch calls the probe."""
        return self.function or self.pp or f"{self.address:#x}"


@dataclass
class ProbeTable:
    """A generated table of probe locations relocated at run time (SystemTap).

    SystemTap 0.7 (2008) defines the table's struct in the same declaration and relocates the entries
    in a loop of the generated file; SystemTap 4.x uses ``struct stap_kprobe_probe`` of its runtime
    (linux/kprobes.c), which relocates them in stapkp_prepare_kprobe(): no ``address`` member here.
    """

    name: str
    address_member: Span | None  # "unsigned long address;" in the struct definition, None if not in the file
    entries: list[TableEntry]
    release: str = ""  # the kernel release the module was translated for ("6.1.0-57-amd64"), "" if unknown


@dataclass
class Registration:
    call: str
    anchor: Span
    probe: str
    function: str


@dataclass
class AddrSite:
    """A probe placed by address outside ``struct kprobe``: a tracefs definition or an attach call.

    ``edits`` are span replacements whose text may use ``{name}`` (the symbol), ``{off}`` (the
    residual offset, ``0x11`` or ``0``) and ``{plusoff}`` (``+0x11`` or empty); ``offset_edits``
    apply only when the offset is not zero. ``refusal`` says why it is never fixed automatically.
    """

    anchor: Span  # the first character of the address as written
    api: str  # "tracefs p: definition", "BCC attach_kprobe(event=...)", ...
    address: int | None  # None when only known at run time
    text: str = ""
    kretprobe: bool = False
    edits: list[tuple[Span, str]] = field(default_factory=list)
    offset_edits: list[tuple[Span, str]] = field(default_factory=list)
    refusal: str = ""


@dataclass
class Unparsed:
    start_line: int
    end_line: int
    message: str


@dataclass
class ProbeModel:
    path: str
    addr_writes: list[FieldWrite] = field(default_factory=list)
    symbol_writes: list[FieldWrite] = field(default_factory=list)
    offset_writes: list[FieldWrite] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    addr_uses: list[AddrUse] = field(default_factory=list)
    kallsyms_uses: list[Located] = field(default_factory=list)
    kallsyms_tricks: list[Located] = field(default_factory=list)
    kallsyms_paths: list[Located] = field(default_factory=list)
    relocation_helpers: list[Located] = field(default_factory=list)
    symbol_tables: list[Located] = field(default_factory=list)
    jprobes: list[Located] = field(default_factory=list)
    unparsed: list[Unparsed] = field(default_factory=list)
    probe_tables: list[ProbeTable] = field(default_factory=list)
    old_kernel_guard: int = 0  # line of a guard for kernels before 2.6.19, 0 if none
    constructs_total: int = 0
    constructs_parsed: int = 0
    # The other probe layers (Python, shell, user-space loaders): see migrator/py, migrator/text.
    tracefs_defs: list[AddrSite] = field(default_factory=list)
    attach_addrs: list[AddrSite] = field(default_factory=list)
    site_notes: dict[int, str] = field(default_factory=dict)  # finding offset -> note (embedded C)
    syntax_error: str = ""  # the file is not valid in its language; only string-level checks ran
    _base_index: dict[int, tuple[int, dict[str, list[FieldWrite]]]] = field(
        default_factory=dict, repr=False, compare=False)  # see _same_base

    def probe_has_symbol(self, w: FieldWrite) -> bool:
        return any(
            not s.is_null and same_probe(s.probe, w.probe) and compatible(s.branch_path, w.branch_path)
            for s in self._same_base(self.symbol_writes, w.probe)
        )

    def probe_has_addr(self, w: FieldWrite) -> bool:
        return any(
            not a.is_null and same_probe(a.probe, w.probe) and compatible(a.branch_path, w.branch_path)
            for a in self._same_base(self.addr_writes, w.probe)
        )

    def _same_base(self, writes: list[FieldWrite], probe: str) -> list[FieldWrite]:
        """The writes whose probe has the same name before any index (same_probe needs that): a
        lookup instead of a scan per write, which made files with thousands of probes quadratic."""
        key = id(writes)
        cached = self._base_index.get(key)
        if cached is None or cached[0] != len(writes):
            index: dict[str, list[FieldWrite]] = {}
            for x in writes:
                index.setdefault(x.probe.split("[")[0], []).append(x)
            cached = self._base_index[key] = (len(writes), index)
        return cached[1].get(probe.split("[")[0], [])


def same_probe(a: str, b: str) -> bool:
    """Probe identities match; an unknown index ``[*]`` matches any index."""
    if a == b:
        return True
    pa, pb = a.split("["), b.split("[")
    if len(pa) != len(pb) or pa[0] != pb[0]:
        return False
    for x, y in zip(pa[1:], pb[1:], strict=False):
        ix, rx = x.split("]", 1)
        iy, ry = y.split("]", 1)
        if rx != ry or (ix != iy and "*" not in (ix, iy)):
            return False
    return True


def compatible(p: tuple[tuple[int, int], ...], q: tuple[tuple[int, int], ...]) -> bool:
    """Two places can both be compiled in: no conditional puts them in different branches."""
    branches = dict(p)
    return all(branches.get(cond, idx) == idx for cond, idx in q)
