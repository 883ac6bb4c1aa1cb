"""Every name the tool treats as meaningful, declared once.

The prefilter (``check/discover.py``), the body pruner (``frontends/c/prune.py``), the C builder's
choice of constructs to parse, the classifier and the other front ends all derive their trigger
lists from here, so a name added here is seen by every stage at once (they had drifted apart:
``_sinittext`` was a text base to the classifier but not a trigger to the prefilter or the
pruner). ``tests/test_names.py`` fails when a front end or rule spells one of these kinds of
names as a string literal of its own.

Kernel references for each group are in the rules' documentation (``probe-migrator explain``).
"""

from __future__ import annotations

# -- kallsyms: resolving kernel symbols by hand ------------------------------------------------
KALLSYMS_LOOKUP = "kallsyms_lookup_name"  # unexported for modules since 5.7 (commit 0bd476e6c671)
KALLSYMS_WORD = "kallsyms"  # any kallsyms_* call or /proc/kallsyms path holds it
# walks of the whole symbol table, unexported with kallsyms_lookup_name (commit 0bd476e6c671)
KALLSYMS_MATCH_WALK = "kallsyms_on_each_match_symbol"  # added in Linux 6.1, never exported
KALLSYMS_WALKS = ("kallsyms_on_each_symbol", "module_kallsyms_on_each_symbol", KALLSYMS_MATCH_WALK)
# A module's own name for a kallsyms_lookup_name it reached another way and defined in another file
# (smith_kallsyms_lookup_name, p_kallsyms_lookup_name, kallsyms_lookup_name_ptr): a call of one is a
# lookup. The kernel's own functions of such names (Linux 6.12) are not stand-ins.
KALLSYMS_STAND_IN = r"\w+_" + KALLSYMS_LOOKUP + "|" + KALLSYMS_LOOKUP + r"_(?:ptr|fn|func|addr|p)"
KERNEL_KALLSYMS_NAMES = ("module_kallsyms_lookup_name", "__module_kallsyms_lookup_name", "bpf_kallsyms_lookup_name",
                         "ppc_kallsyms_lookup_name", "test_perf_kallsyms_on_each_symbol",
                         "test_perf_kallsyms_on_each_match_symbol")
# ... and for a walk of the symbol table reached another way (kallsyms_on_each_symbol_fn, diag_kallsyms_on_each_symbol)
KALLSYMS_WALK_STAND_IN = r"\w+_kallsyms_on_each(?:_match)?_symbol|kallsyms_on_each(?:_match)?_symbol_(?:ptr|fn|func|p)"
# a probe handler's view of the probed address: regs->ip (x86), instruction_pointer(regs)
PT_REGS_IP_FIELD, INSTRUCTION_POINTER = "ip", "instruction_pointer"
# reverse lookups (address -> "name+off/size"): a loop over addresses calling one finds a name by hand
SYMBOL_SCAN_ADDRESS_ARG = {"sprint_symbol": 1, "lookup_symbol_name": 0}  # which argument is the address
SYMBOL_SCAN_CALLS = tuple(SYMBOL_SCAN_ADDRESS_ARG)
STRING_COMPARES = ("strcmp", "strncmp", "strstr", "memcmp", "str_has_prefix")
PROC_KALLSYMS = "/proc/kallsyms"
SYSTEM_MAP = "System.map"
SYMBOL_FILES = (PROC_KALLSYMS, SYSTEM_MAP)

# -- the kprobes API -----------------------------------------------------------------------
KPROBE = "kprobe"
KRETPROBE = "kretprobe"
JPROBE = "jprobe"  # disabled in 4.15, then removed
PROBE_STRUCTS = (KPROBE, KRETPROBE, JPROBE)
PROBE_ADDRESS_TYPE = "kprobe_opcode_t"  # the type of kprobe.addr: a cast to it marks a probe address
PROBE_TYPE_WORDS = PROBE_STRUCTS + (PROBE_ADDRESS_TYPE,)
ADDR, SYMBOL_NAME, OFFSET = "addr", "symbol_name", "offset"
PROBE_FIELDS = (ADDR, SYMBOL_NAME, OFFSET)
KLP_OLD_NAME, KLP_OLD_FUNC = "old_name", "old_func"  # struct klp_func: the name livepatch resolves, and where
HANDLER_FIELDS = ("pre_handler", "post_handler", "fault_handler", "handler", "entry_handler")
REGISTRATION_CALLS = (
    "register_kprobe", "register_kprobes", "register_kretprobe", "register_kretprobes",
    "register_jprobe", "register_jprobes",
)

# -- jprobes and their migration to kprobes (rules/jprobe.py) ------------------------------
JPROBE_RETURN = "jprobe_return"  # a jprobe handler's mandatory last call
JPROBE_ENTRY_FIELD, JPROBE_KP_FIELD = "entry", "kp"  # struct jprobe { struct kprobe kp; void *entry; }
JPROBE_ENTRY_MACRO = "JPROBE_ENTRY"  # old kernels' cast of a handler to kprobe_opcode_t *
PRE_HANDLER = "pre_handler"
# each jprobe call and the kprobe call that replaces it (include/linux/kprobes.h)
JPROBE_TO_KPROBE_CALLS = {
    "register_jprobe": "register_kprobe", "unregister_jprobe": "unregister_kprobe",
    "register_jprobes": "register_kprobes", "unregister_jprobes": "unregister_kprobes",
    "enable_jprobe": "enable_kprobe", "disable_jprobe": "disable_kprobe",
}
REGS_GET_KERNEL_ARGUMENT = "regs_get_kernel_argument"  # arch/x86/include/asm/ptrace.h, Linux 4.20 on x86
REGS_GET_KERNEL_ARGUMENT_SINCE = (4, 20)
REGISTER_ARGUMENTS = 6  # x86-64 passes the first six integer/pointer arguments in registers
# words before a handler's name that are not its return type, and stay
HANDLER_QUALIFIERS = ("static", "inline", "__inline", "__inline__", "__always_inline", "noinline", "__kprobes",
                      "notrace", "__maybe_unused", "__used", "__cold", "extern")
ASMLINKAGE = "asmlinkage"
# the kernel's scalar typedefs: a parameter of one of them fits in a register
SCALAR_TYPEDEFS = frozenset(
    "size_t ssize_t loff_t umode_t gfp_t pid_t uid_t gid_t dev_t fmode_t bool _Bool sector_t phys_addr_t "
    "dma_addr_t off_t time_t clockid_t key_serial_t qid_t uintptr_t intptr_t ptrdiff_t"
    .split()
    + [f"{p}{n}" for p in ("u", "s", "__u", "__s", "__le", "__be") for n in (8, 16, 32, 64)]
    + [f"{p}int{n}_t" for p in ("u", "", "__u") for n in (8, 16, 32, 64)]
)
C_SCALAR_WORDS = ("void", "char", "short", "int", "long", "signed", "unsigned", "const", "volatile", "__user",
                  "__kernel", "__iomem", "__force", "register", "restrict", "__restrict", "enum")

# -- relocation: section or module base + offset -------------------------------------------
# Section starts and linker markers of the kernel image: "_text + C" is build-specific.
TEXT_BASES = ("_text", "_stext", "_sinittext", "_etext", "__start_text")
# struct module fields and common variable names that hold a module's load address. "module_init"
# is also the macro every module uses: it is a base only inside arithmetic, never a trigger.
# Linker markers: section starts and ends, not functions. A probe named by one sits at an offset
# into the image that only one build's layout gives meaning to.
LINKER_MARKER_PATTERN = r"^(?:_s?text|_etext|_sinittext|_einittext|__\w*text\w*_(?:start|end)|__(?:start|stop)_\w+)$"
MODULE_LAYOUT_FIELDS = ("module_core", "core_layout", "init_layout", "sect_attrs", "MOD_TEXT")
MODULE_BASE_VARIABLES = ("module_base", "mod_base", "modbase")
MODULE_INIT_FIELD = "module_init"
MODULE_BASE_NAMES = MODULE_LAYOUT_FIELDS + MODULE_BASE_VARIABLES + (MODULE_INIT_FIELD,)
MODULE_LOOKUP_CALLS = ("find_module",)
# SystemTap's runtime relocation helpers (2008 translator and today's runtime)
RELOCATION_HELPERS = ("_stp_module_relocate", "_stp_kmodule_relocate")
RELOCATE_STEM = "relocat"  # a function named *relocat* may be a relocation helper

# -- the other probe layers ----------------------------------------------------------------
KPROBE_EVENTS = "kprobe_events"  # tracefs definitions: p:/r: lines
PERF_EVENT = "perf_event"  # perf_event_open with the kprobe PMU
PERF_EVENT_ATTR = "perf_event_attr"
PERF_KPROBE_ADDR_FIELDS = ("kprobe_addr", "config2")  # an address with no function name
PERF_KPROBE_FUNC_FIELDS = ("kprobe_func", "config1")
BCC_ATTACH = ("attach_kprobe", "attach_kretprobe")
LIBBCC_ATTACH = "bpf_attach_kprobe"
LIBBPF_ATTACH_OPTS = "attach_kprobe_opts"
LIBBPF_PROGRAM_ATTACH_OPTS = "bpf_program__" + LIBBPF_ATTACH_OPTS
BCC_PROGRAM = "BPF"
# tracer command lines that place a kprobe from a script: lttng enable-event --probe=/--location=,
# perf probe --add, bpftrace kprobe:LOCATION
LTTNG, PERF_PROBE, BPFTRACE = "lttng", "perf probe", "bpftrace"
CLI_PROBE_TOOLS = (LTTNG, PERF_PROBE, BPFTRACE)
MODULE_LOADERS = ("insmod", "modprobe")  # NAME=VALUE module parameters on their command line
# kprobe_multi links (Linux 5.18): libbpf's options and bpf_link_create()'s, both with an addrs array
KPROBE_MULTI = "kprobe_multi"
KPROBE_MULTI_OPTS = ("bpf_kprobe_multi_opts", "bpf_link_create_opts")
# ftrace's "address name" list of the functions it can trace (Linux 6.6)
FTRACE_ADDRS_FILE = "available_filter_functions_addrs"

# -- contexts: what a file is (migrator/check/context.py); rules say where they apply ------------
CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_KPROBES_CORE, CONTEXT_USERSPACE = "module", "builtin", "kprobes-core", "userspace"
CONTEXTS = (CONTEXT_MODULE, CONTEXT_BUILTIN, CONTEXT_KPROBES_CORE, CONTEXT_USERSPACE)
# Where the kernel tree defines the Kconfig symbols that code all over the tree depends on
# (KALLSYMS, LOCKDEP and the debug options in lib/Kconfig.debug, PROC_FS in fs/proc, ...).
KCONFIG_HOMES = ("init", "lib", "mm", "fs", "fs/proc", "fs/sysfs", "kernel", "kernel/trace", "security", "net")
# In a Linux tree, the code that implements kprobes and tracing, and the kernel's own user-space half
# and tests of them: they place probes by address on purpose (trampolines, optprobes, tracefs's
# address syntax, perf/libbpf/bpftool symbolizers, the selftests of those features). fnmatch patterns.
KPROBES_CORE_PATHS = (
    "kernel/kprobes.c", "kernel/trace/*", "kernel/livepatch/*", "kernel/bpf/*", "arch/*/kernel/kprobes*",
    "arch/*/kernel/*/kprobes*", "arch/*/kernel/optprobe*", "arch/*/kernel/rethook*", "arch/*/kernel/ftrace*",
    "arch/*/probes/*", "arch/*/kernel/probes/*", "arch/*/net/bpf_jit*", "tools/perf/*", "tools/lib/bpf/*",
    "tools/bpf/*", "tools/tracing/*", "tools/testing/selftests/ftrace/*", "tools/testing/selftests/bpf/*",
    "samples/bpf/*", "samples/kprobes/*", "samples/fprobe/*",
)
# A Linux tree's user-space parts (besides KPROBES_CORE_PATHS)
KERNEL_TREE_USERSPACE = ("tools/", "scripts/", "usr/", "Documentation/")
MODULE_MARKERS = ("module_init", "module_exit", "MODULE_LICENSE", "init_module", "module_platform_driver",
                  "module_pci_driver", "module_usb_driver", "module_i2c_driver", "kunit_test_suite", "kunit_test_suites")

# -- derived trigger sets ------------------------------------------------------------------
# Identifiers that make C code worth reading (a body holding one is analysed; a construct
# holding one is parsed). Substring triggers (``kallsyms`` in any name or path, ``System.map``)
# are in TRIGGER_SUBSTRINGS.
TRIGGER_IDENTIFIERS = (
    PROBE_TYPE_WORDS + REGISTRATION_CALLS + MODULE_LOOKUP_CALLS + MODULE_LAYOUT_FIELDS + MODULE_BASE_VARIABLES
    + TEXT_BASES + RELOCATION_HELPERS + (KALLSYMS_LOOKUP,) + KALLSYMS_WALKS + SYMBOL_SCAN_CALLS
)
TRIGGER_SUBSTRINGS = (KALLSYMS_WORD, SYSTEM_MAP, FTRACE_ADDRS_FILE)
# The first-stage prefilter: a file holding none of these words cannot hold a finding. Each starts
# with "k" so the regex starts with a literal byte (memchr speed). "jprobe" needs no word of its
# own: every jprobe user includes <linux/kprobes.h>.
FIRST_STAGE_WORDS = (KPROBE, KRETPROBE, KALLSYMS_WORD)

ALL_NAMES = frozenset(
    (KALLSYMS_LOOKUP, KALLSYMS_WORD, PROC_KALLSYMS, SYSTEM_MAP, PROBE_ADDRESS_TYPE, KPROBE_EVENTS, PERF_EVENT,
     PERF_EVENT_ATTR, INSTRUCTION_POINTER, LTTNG, PERF_PROBE, BPFTRACE, LIBBCC_ATTACH, LIBBPF_ATTACH_OPTS,
     LIBBPF_PROGRAM_ATTACH_OPTS, BCC_PROGRAM, RELOCATE_STEM, MODULE_INIT_FIELD)
    + PROBE_STRUCTS + PROBE_FIELDS + REGISTRATION_CALLS + TEXT_BASES + MODULE_BASE_NAMES + MODULE_LOOKUP_CALLS
    + KALLSYMS_WALKS + SYMBOL_SCAN_CALLS + RELOCATION_HELPERS + MODULE_LOADERS + KPROBE_MULTI_OPTS
    + KERNEL_KALLSYMS_NAMES + (KPROBE_MULTI, FTRACE_ADDRS_FILE) + PERF_KPROBE_ADDR_FIELDS + PERF_KPROBE_FUNC_FIELDS + BCC_ATTACH
    + (JPROBE_RETURN, JPROBE_ENTRY_MACRO, PRE_HANDLER, REGS_GET_KERNEL_ARGUMENT)
    + tuple(JPROBE_TO_KPROBE_CALLS) + tuple(JPROBE_TO_KPROBE_CALLS.values()) + KPROBES_CORE_PATHS
)
