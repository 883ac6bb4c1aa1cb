"""The probe model: what the rules need to know about one file, computed once.

Front ends (C, Python, text) build it; rules only read it. Everything is in offsets of the
original text, so rules never see the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migrator.core.jprobe_facts import JprobeCode

# How a written address was obtained, most specific first.
LITERAL = "literal"
KALLSYMS = "kallsyms"
FUNCTION_REF = "function-ref"
RELOCATED = "relocated"
COMPUTED = "computed"
NULL = "null"
FORMATTED = "formatted"  # formatted into a string at run time (printf, str.format, f-string, shell expansion)

# What an AddrSite is: the API or the syntax that places the probe.
TRACEFS_SHELL = "tracefs-shell"  # a definition a shell script writes to kprobe_events
TRACEFS_PYTHON = "tracefs-python"  # in a Python string literal, or built from literals with +
TRACEFS_PYTHON_FSTRING = "tracefs-python-fstring"  # in an f-string: found in its source text, not in its value
TRACEFS_C = "tracefs-c"  # in a C string literal
BCC_ATTACH_KPROBE = "bcc-attach_kprobe"  # BCC's BPF.attach_kprobe(event=ADDRESS)
BCC_ATTACH_KRETPROBE = "bcc-attach_kretprobe"  # BCC's BPF.attach_kretprobe(event=ADDRESS)
LIBBCC_ATTACH_CTYPES = "libbcc-bpf_attach_kprobe-ctypes"  # libbcc's bpf_attach_kprobe(), no name, through ctypes
LIBBPF_OPTS_CTYPES = "libbpf-attach_kprobe_opts-ctypes"  # bpf_program__attach_kprobe_opts(), no name, ctypes
LIBBPF_OPTS_C = "libbpf-attach_kprobe_opts-c"  # the same in C: opts.offset holds the address
PERF_ATTR_PYTHON = "perf-attr-python"  # perf_event_attr kprobe_addr/config2 set in Python, no kprobe_func
PERF_ATTR_C_ASSIGN = "perf-attr-c-assignment"  # "attr.config2 = ADDRESS;" in C, no kprobe_func/config1
PERF_ATTR_C_INIT = "perf-attr-c-initializer"  # ".config2 = ADDRESS," in a C initializer, no kprobe_func/config1


@dataclass(frozen=True)
class Span:
    start: int
    end: int


Version = tuple[int, int, int]
SYMBOL_NAME_SINCE: Version = (2, 6, 19)  # struct kprobe.symbol_name appeared in 2.6.19
KALLSYMS_UNEXPORTED_IN: Version = (5, 7, 0)  # commit 0bd476e6c671


@dataclass(frozen=True)
class KernelRange:
    """The kernel versions a place of the code is compiled for, as its LINUX_VERSION_CODE guards
    say: ``low <= version < high`` (``high`` None: no upper bound)."""

    low: Version = (0, 0, 0)
    high: Version | None = None

    def only_before(self, version: Version) -> bool:
        return self.high is not None and self.high <= version


ANY_KERNEL = KernelRange()


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


MACRO_HINT = "macro:"  # FieldWrite.hints: the prefix of an address macro's name (DO_FORK_ADDR -> macro:do_fork)


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
    string: str | None = None  # the value's string literal, casts and parentheses removed
    string_span: Span | None = None  # where that literal is
    is_null: bool = False
    number: int | None = None  # constant offset value
    macro: str | None = None  # function-like macro that built the probe
    versions: KernelRange = ANY_KERNEL  # the kernels this write is compiled for
    fallback: bool = False  # found by the token-level fallback, never fixed
    function: str = ""  # enclosing function, "" at file scope
    kretprobe: bool = False  # the kprobe of a struct kretprobe: must stay at function entry
    hints: tuple[str, ...] = ()  # symbol names the code says the address is (comments, macro names)
    # When the address came through a local variable used for nothing else: the statements that
    # become dead with it (its assignment, its NULL checks, its declaration). None if it has other uses.
    via_removals: list[Span] | None = None
    via_shared: bool = False  # the variable also feeds other probes' addr
    symbol_unset: bool = False  # written only where the probe's symbol_name tests NULL (a fallback)

    @property
    def pre_2619(self) -> bool:
        """Only compiled for kernels before 2.6.19, which have no symbol_name."""
        return self.versions.only_before(SYMBOL_NAME_SINCE)


@dataclass
class Located:
    anchor: Span
    name: str = ""
    detail: str = ""
    fallback: bool = False
    versions: KernelRange = ANY_KERNEL  # the kernels this place is compiled for


@dataclass
class KallsymsRef:
    """A call of kallsyms_lookup_name (or of a wrapper of it, or of a pointer harvested from it),
    or its address taken."""

    anchor: Span
    callee: str
    address_taken: bool = False
    feeds_probe_addr: bool = False  # the value is written to a probe's addr (the addr write tells it)
    fallback: bool = False  # found by the token-level fallback
    versions: KernelRange = ANY_KERNEL


@dataclass
class SymbolArgument:
    """A string a caller passes to a helper that stores that parameter in a probe's symbol_name."""
    probe: str  # the caller's probe argument (or the helper's own probe, when it takes none)
    string: str
    string_span: Span
    own_probe: bool = False  # the helper places a probe of its own: a resolver for any name it is given


@dataclass
class SymbolScan:
    """A function that loops over addresses calling a reverse lookup and compares the names."""

    anchor: Span  # the function's name in its definition
    function: str
    callee: str  # sprint_symbol, lookup_symbol_name
    looks_for_kallsyms: bool = False  # the name it compares with is kallsyms_lookup_name


@dataclass
class AddrHarvest:
    """A probe's ``addr`` read into a variable, a cast or a return value (kept, not just printed)."""

    probe: str
    anchor: Span
    target: str  # the variable it is stored in, "" for a cast or return
    called: bool = False  # that variable (or one it is copied to) is called as a function


@dataclass
class AddressTable:
    """An array definition whose entries pair an address-like integer with a symbol-like string."""

    anchor: Span  # the array's name
    name: str
    entries: int


# How a function of the file computes the address it returns (AddressFunction.shapes).
TABLE_LOOKUP = "looks a parameter up in an address table of the file"
WRAPS_RELOCATION = "returns what a relocation function returns"
NAMED_RELOCATE = "is named for relocation and takes a module or section"
MODULE_BASE_PLUS = "adds to a module's base address"
TEXT_BASE_PLUS_PARAMETER = "adds a parameter to a kernel text base"


@dataclass
class AddressFunction:
    """A function defined in the file that returns an address it computes (its shapes say how)."""

    anchor: Span  # the name in the definition
    name: str
    shapes: tuple[str, ...]


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
class PerfField:
    """Where a C ``perf_event_attr`` write of ``kprobe_addr``/``config2`` sits (PERF_ATTR_C_*)."""

    field: str  # "kprobe_addr" or "config2"
    field_span: Span  # the field name
    start: int  # offset of the statement (its object) or of the initializer item (its ".")
    target: str  # statements: the attr object as written, blanks removed ("attr", "p->attr"); "" for items
    member_op: str  # statements: "." or "->"; "" for items
    indent: str | None  # the blanks before it on its line; None when other code precedes it there


@dataclass
class AddrSite:
    """A probe placed by address outside ``struct kprobe``: a tracefs definition or an attach call.

    Facts only: what the code is (``form``), where the address comes from (``origin``) and where
    the pieces a rewrite would touch are. The rules tracefs-addr and bpf-attach-addr decide from
    them what to report, how to fix it and when not to.
    """

    anchor: Span  # the address as written at the site (tracefs: the whole location token)
    form: str  # TRACEFS_SHELL, BCC_ATTACH_KPROBE, ...
    address: int | None  # None when only known at run time
    text: str = ""  # the address as written (the assignment's value when it comes through a shell variable)
    kretprobe: bool = False
    # how the address gets there: LITERAL (a number, at the site or in the assignment of ``variable``),
    # FORMATTED, COMPUTED (or converted) at run time, KALLSYMS (read from a symbol file at run time)
    origin: str = LITERAL
    address_span: Span | None = None  # the address as written: at the site, or where the shell variable is set
    address_escaped: bool = False  # the literal's source text differs from its value (escapes, ...)
    variable: str = ""  # the variable the address comes through; "" when it is written at the site
    variable_uses: int = 0  # how many times the script expands that variable (shell)
    command: str = ""  # tracefs: "p" or "r" (without MAXACTIVE)
    event: str = ""  # tracefs: [GRP/]EVENT as written, "" when not given
    name_span: Span | None = None  # the empty function-name argument (NULL, b"", None) that a name would fill
    offset_given: bool = False  # BCC: the call already passes event_off=
    perf: PerfField | None = None  # PERF_ATTR_C_*: the field write


@dataclass
class Unparsed:
    start_line: int
    end_line: int
    message: str


# What a finding is about: the model item a rule's fix() receives.
Subject = FieldWrite | AddrSite | TableEntry | Located | KallsymsRef | AddressFunction | AddressTable


@dataclass
class ProbeModel:
    path: str
    addr_writes: list[FieldWrite] = field(default_factory=list)
    symbol_writes: list[FieldWrite] = field(default_factory=list)
    offset_writes: list[FieldWrite] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    addr_uses: list[AddrUse] = field(default_factory=list)
    kallsyms_refs: list[KallsymsRef] = field(default_factory=list)
    symbol_arguments: list[SymbolArgument] = field(default_factory=list)
    klp_old_names: list[SymbolArgument] = field(default_factory=list)  # klp_func.old_name strings
    probes_with_handlers: set[str] = field(default_factory=set)  # probes given a pre_handler, handler, ...
    symbol_scans: list[SymbolScan] = field(default_factory=list)
    kallsyms_walks: list[KallsymsRef] = field(default_factory=list)  # calls of kallsyms_on_each_symbol & co.
    addr_harvests: list[AddrHarvest] = field(default_factory=list)
    kallsyms_paths: list[Located] = field(default_factory=list)
    address_functions: list[AddressFunction] = field(default_factory=list)
    address_tables: list[AddressTable] = field(default_factory=list)
    jprobes: list[Located] = field(default_factory=list)
    user_addr_calls: list[Located] = field(default_factory=list)  # fn pointers set from outside (c/useraddrs.py)
    jprobe_code: JprobeCode | None = None  # what migrating them rewrites (C files with jprobes)
    unparsed: list[Unparsed] = field(default_factory=list)
    probe_tables: list[ProbeTable] = field(default_factory=list)
    old_kernel_guard: int = 0  # line of a guard for kernels before 2.6.19, 0 if none
    constructs_total: int = 0
    constructs_parsed: int = 0
    # The other probe layers (Python, shell, user-space loaders): see migrator/frontends/python, migrator/frontends/text.
    tracefs_defs: list[AddrSite] = field(default_factory=list)
    attach_addrs: list[AddrSite] = field(default_factory=list)
    cli_probe_addrs: list[Located] = field(default_factory=list)  # tracer CLI given an address (name: the tool)
    modparam_addrs: list[Located] = field(default_factory=list)  # insmod/modprobe NAME=address (name: the variable)
    generated_addrs: list[Located] = field(default_factory=list)  # "#define X 0x$a" printed from a symbol file
    generated_probe_addrs: list[Located] = field(default_factory=list)  # printed C: ".addr = ...%...;"
    multi_addrs: list[Located] = field(default_factory=list)  # kprobe_multi opts' addrs given an array (name: opts)
    ftrace_addr_paths: list[Located] = field(default_factory=list)  # available_filter_functions_addrs read
    site_notes: dict[int, str] = field(default_factory=dict)  # finding offset -> note (embedded C)
    syntax_error: str = ""  # the file is not valid in its language; only string-level checks ran
    # Functions whose code compares a value with -EINVAL (``== -EINVAL``/``!= -EINVAL``); "" for file
    # scope. A harness that expects registration to fail (addr-and-symbol-conflict reads it).
    einval_compares: set[str] = field(default_factory=set)
    context: str = ""  # module | builtin | kprobes-core | userspace (migrator/check/context.py), set by the engine
    feeds_module: bool = False  # user-space C that reads a symbol file and ioctl()s a module's device node
    module_feeds: list[Located] = field(default_factory=list)  # ... the address fields it sends (name: msg.field)
    embeds_kernel_c: bool = False  # kernel-side C in string literals (BCC programs): judged as module code
    _base_index: dict[int, tuple[int, dict[str, list[FieldWrite]]]] = field(
        default_factory=dict, repr=False, compare=False)  # see _same_base

    def probe_has_symbol(self, w: FieldWrite) -> bool:
        return bool(self.symbols_of(w))

    def symbols_of(self, w: FieldWrite) -> list[FieldWrite]:
        """The non-NULL symbol_name writes of the probe ``w`` writes, in branches compatible with it."""
        return [s for s in self._same_base(self.symbol_writes, w.probe)
                if not s.is_null and same_probe(s.probe, w.probe) and compatible(s.branch_path, w.branch_path)]

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
