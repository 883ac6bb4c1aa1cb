"""Same-length masking of GNU/kernel syntax pycparser does not take, and the split of a file
into top-level constructs (declarations, function definitions, file-scope macro invocations).

Every replacement keeps the length of what it replaces, so an offset in the masked text is the
same offset in the file and pycparser's line:column points at the original characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migrator.frontends.c.brackets import close as matching
from migrator.frontends.c.lex import Lexed, Token


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Kernel and libc typedef names a module uses without declaring them (they live in headers).
KERNEL_TYPEDEFS = _words(
    """
    u8 u16 u32 u64 s8 s16 s32 s64 __u8 __u16 __u32 __u64 __s8 __s16 __s32 __s64 __le16 __le32
    __le64 __be16 __be32 __be64 __wsum __sum16 bool size_t ssize_t loff_t off_t pid_t uid_t
    gid_t kuid_t kgid_t mode_t umode_t dev_t ino_t time_t ktime_t time64_t sector_t blkcnt_t
    gfp_t fmode_t atomic_t atomic64_t atomic_long_t spinlock_t raw_spinlock_t rwlock_t seqlock_t
    wait_queue_head_t wait_queue_entry_t kprobe_opcode_t uintptr_t intptr_t uint8_t uint16_t
    uint32_t uint64_t int8_t int16_t int32_t int64_t phys_addr_t dma_addr_t resource_size_t
    cpumask_t nodemask_t pgd_t pud_t pmd_t pte_t pgprot_t va_list irqreturn_t irq_handler_t
    clockid_t cycles_t __kernel_size_t __kernel_ssize_t __kernel_pid_t socklen_t sa_family_t
    __poll_t vm_fault_t refcount_t errseq_t blk_status_t netdev_tx_t netdev_features_t
    __kernel_ulong_t __kernel_long_t ulong uint ushort uchar unchar caddr_t daddr_t key_t
    suseconds_t clock_t useconds_t compat_uptr_t compat_ulong_t kernel_cap_t sigset_t siginfo_t
    stack_t elf_greg_t Elf64_Sym Elf64_Ehdr Elf64_Shdr Elf64_Addr Elf32_Sym Elf_Sym Elf_Shdr
    Elf_Ehdr Elf_Addr wchar_t ptrdiff_t FILE DIR uint __wait_queue_head_t percpu_ref_func_t
    work_func_t kretprobe_handler_t kprobe_pre_handler_t kprobe_post_handler_t
    kprobe_fault_handler_t mm_segment_t local_t local64_t pte_val_t ftrace_func_t
    tracepoint_ptr_t __kernel_timer_t sys_call_ptr_t syscall_fn_t bpf_callback_t
    """
)


# Annotations that carry no meaning for the probe model.
ANNOTATIONS = _words(
    """
    __STP_ATTRIBUTE_UNUSED ____cacheline_aligned ____cacheline_aligned_in_smp __always_inline
    __always_unused __arg_arena __arg_ctx __arg_nonnull __arg_trusted __arg_untrusted
    __attribute_const__ __bitwise __bpf_kfunc __cacheline_aligned __cacheline_aligned_in_smp
    __cold __counted __cpuinit __cpuinitdata __deprecated __designated_init __devexit
    __devexitdata __devinit __devinitdata __exit __exitcall __exitdata __extension__ __failure
    __fastpath __flatten __force __head __hot __init __init_memblock __init_or_module __initcall
    __initconst __initdata __initdata_memblock __initdata_or_module __iomem __irq_entry
    __kconfig __kernel __kprobes __kprobes_text __kptr __ksym __latent_entropy __lockfunc
    __malloc __maybe_unused __module_memory_align __meminit __meminitdata __must_be_array __must_check __mustcheck
    __naked __net_exit __net_init __no_kcsan __no_kmsan_checks __no_profile
    __no_sanitize_address __no_stack_protector __nocast __nocf_check __nocfi __noclone __noendbr
    __noinline __nonstring __noreturn __nosavedata __notrace_funcgraph __packed
    __page_aligned_bss __page_aligned_data __percpu __percpu_kptr __private __pure
    __randomize_layout __rcu __rcu_kptr __read_mostly __ref __refdata __restrict __restrict__
    __ro_after_init __safe __sched __sparse_cache __success __unused __used __user __user_ptr
    __visible __weak asmlinkage fastcall noinline noinline_for_stack noinstr nokprobe_inline
    notrace
    """
)
# Annotations followed by a parenthesised argument list.
ANNOTATION_CALLS = _words(
    """
    SEC _Alignas __ALIGN_KERNEL_MASK __SEC __acquires __aligned __aligned_largest __alloc_size
    __arch __assume_aligned __attribute __attribute__ __attribute_maybe_unused__ __auxiliary
    __btf_path __cacheline_aligned_by __caps_unpriv __cleanup __cond_acquires __counted_by
    __declspec __description __diag_pop __diag_push __failure_unpriv __flag __free __guarded_by
    __jited __log_level __msg __msg_unpriv __must_hold __no_sanitize_or_inline __nocapture
    __printf __releases __retain __retval __retval_unpriv __scanf __section __success_unpriv
    __xlated
    """
)
RENAMES = {
    "__typeof__": "typeof",
    "__typeof": "typeof",
    "__inline__": "inline",
    "__inline": "inline",
    "__volatile__": "volatile",
    "__volatile": "volatile",
    "__const": "const",
    "__const__": "const",
    "__signed__": "signed",
    "__signed": "signed",
    "__builtin_offsetof": "offsetof",
    "__alignof__": "sizeof",
    "_Alignof": "sizeof",
    "__alignof": "sizeof",
    "__auto_type": "int",
}
ASM = frozenset(("asm", "__asm__", "__asm"))
KEYWORDS = _words(
    """
    auto break case char const continue default do double else enum extern float for goto if
    inline int long register restrict return short signed sizeof static struct switch typedef
    union unsigned void volatile while _Bool _Complex _Static_assert typeof offsetof
    """
)
_ALLCAPS = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_LOWER = re.compile(r"^_*[a-z][a-z0-9_]*$")
_SPEC_BEFORE = frozenset(("static", "inline", "extern", ";", "}"))
_BASIC_TYPES = frozenset(("void", "int", "long", "char", "short", "unsigned", "signed", "bool"))
_GLUED = re.compile(r"^(?:[A-Z_][A-Z0-9_]*|(?:PRI|SCN)[a-zA-Z0-9]+)$")
_TYPE_START = frozenset(("void", "int", "long", "char", "short", "unsigned", "signed", "bool", "struct",
                         "union", "enum", "const", "static", "inline", "volatile", "u8", "u16", "u32",
                         "u64", "s32", "s64", "size_t", "double", "float"))


@dataclass
class Construct:
    kind: str  # func, decl, macro, macrofunc
    start: int  # offset of the first character
    end: int  # offset after the last character
    first: int  # index of the first token in Unit.tokens
    last: int  # index after the last token
    name: str = ""  # function name, typedef name, macro name


@dataclass
class Split:
    masked: str  # lexed.masked plus the token-level masking
    tokens: list[Token]  # the tokens pycparser will see
    constructs: list[Construct]
    typedefs: set[str]


def normalize(lexed: Lexed) -> tuple[list[str], list[Token]]:
    """Mask annotations, asm, glued string macros, ``?:`` and ranges; same length."""
    chars = list(lexed.masked)
    toks = lexed.tokens
    keep: list[Token] = []
    drop_until = -1
    n = len(toks)

    def put(start: int, text: str) -> None:
        chars[start:start + len(text)] = text

    def blank(i: int, j: int) -> None:  # tokens i..j inclusive
        for t in toks[i:j + 1]:
            for k in range(t.start, t.end):
                if chars[k] != "\n":
                    chars[k] = " "

    for i, t in enumerate(toks):
        if i <= drop_until:
            continue
        v = t.value
        if t.kind == "id" and i > 0 and toks[i - 1].value in (".", "->"):
            keep.append(t)  # a member name is never an annotation: func->sec->noinstr
            continue
        if t.kind == "id":
            if v in ANNOTATIONS:
                blank(i, i)
                continue
            if v in ANNOTATION_CALLS and i + 1 < n and toks[i + 1].value == "(":
                drop_until = matching(toks, i + 1)
                blank(i, drop_until)
                continue
            if v in ASM:
                j = i + 1
                while j < n and toks[j].value in ("volatile", "__volatile__", "goto", "inline"):
                    j += 1
                if j < n and toks[j].value == "(":
                    drop_until = matching(toks, j)
                    blank(i, drop_until)
                    continue
            if (
                0 < i < n - 1
                and v not in KEYWORDS
                and (
                    toks[i - 1].value in _SPEC_BEFORE
                    and (toks[i + 1].value in _TYPE_START or toks[i + 1].value in KERNEL_TYPEDEFS)
                    or toks[i - 1].value in _BASIC_TYPES and toks[i + 1].kind == "id"
                    and toks[i + 1].value not in KEYWORDS and toks[i + 1].value not in ASM
                    and i + 2 < n and toks[i + 2].value == "("
                    or v.startswith("__") and toks[i - 1].kind == "id" and toks[i - 1].value not in KEYWORDS
                    and toks[i + 1].value in (")", ",", ";", "=")
                )
                and (_LOWER.match(v) or _ALLCAPS.match(v))  # the regexes last: they are the dear part
            ):
                # an unknown annotation macro: "static nokprobe_inline void f(...)",
                # "void __exception_irq_entry f(...)"
                blank(i, i)
                continue
            if v in RENAMES:
                new = RENAMES[v]
                put(t.start, new + " " * (len(v) - len(new)))
                keep.append(Token("id", t.start, t.start + len(new), new))
                continue
            if 0 < i < n - 1 and toks[i + 1].value == "(" and (toks[i - 1].kind == "str" or (
                    toks[i - 1].value in ("(", ",", "?", ":", "=") and v == "__stringify")):
                # "a" __stringify(X) "b": a call glued to a string literal expands to one
                close = matching(toks, i + 1)
                if close + 1 < n and (toks[i - 1].kind == "str" or toks[close + 1].kind == "str"):
                    blank(i, close)
                    drop_until = close
                    continue
            if (0 < i < n - 1 and (toks[i - 1].kind == "str" or toks[i - 1].value in ("(", ",", "?", ":", "="))
                    and _GLUED.match(v)):
                # KERN_INFO DRV_NAME ": x" and "%" PRIu64 "\n": macros glued to string literals
                j = i
                while j < n and toks[j].kind == "id" and _GLUED.match(toks[j].value):
                    j += 1
                before, after = toks[i - 1], toks[j] if j < n else None
                if after is not None and (
                    after.kind == "str" and (before.value in ("(", ",", "?", ":", "=") or before.kind == "str")
                    or before.kind == "str" and after.value in (")", ",", ";")
                ):
                    blank(i, j - 1)
                    drop_until = j - 1
                    continue
        elif t.kind == "p":
            if v == "?" and i + 1 < n and toks[i + 1].value == ":":
                # GNU "a ?: b" -> "a *+ b": same length, still one expression.
                put(t.start, "*")
                put(toks[i + 1].start, "+")
                keep.append(Token("p", t.start, t.start + 1, "*"))
                keep.append(Token("p", toks[i + 1].start, toks[i + 1].start + 1, "+"))
                drop_until = i + 1
                continue
            if v == "..." and i > 0 and toks[i - 1].value not in (",", "("):
                # case ranges and designator ranges: "1 ... 3" -> "1 +   3"
                put(t.start, "+  ")
                keep.append(Token("p", t.start, t.start + 1, "+"))
                continue
        keep.append(t)
    return chars, keep


_STMT_PREV = frozenset((";", "{", "}", ":", "else"))
_NOT_LOOP_NEXT = frozenset(
    [";", ",", ")", "]", "}", "=", ".", "->", "+", "-", "*", "/", "%", "&", "|", "^", "?", ":", "<", ">", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "|=", "&=", "^=", "<<=", ">>=", "[", "(", "++", "--"]
)


def _mask_statement_macros(chars: list[str], toks: list[Token], i: int, j: int) -> None:
    """Inside a function body (tokens i..j): a macro loop head such as
    ``list_for_each_entry(pos, head, member) {`` becomes a ``for(;;)`` of equal length."""
    depth = 0
    k = i
    while k < j:
        v = toks[k].value
        if v == "{":
            depth += 1
        elif v == "}":
            depth -= 1
        elif (
            depth > 0
            and toks[k].kind == "id"
            and v not in KEYWORDS
            and k + 1 < j
            and toks[k + 1].value == "("
            and toks[k - 1].value in _STMT_PREV
        ):
            close = matching(toks, k + 1)
            if close + 1 < j and toks[close + 1].value not in _NOT_LOOP_NEXT:
                start, end = toks[k].start, toks[close].end
                width = end - start
                head = "for(;;)" if width >= 7 else "if(1)" if width >= 5 else ""
                if head and "\n" not in chars[start:start + len(head)]:
                    for m in range(start, end):
                        if chars[m] != "\n":
                            chars[m] = " "
                    chars[start:start + len(head)] = head
                k = close
        k += 1


def _fill(chars: list[str], start: int, end: int, text: str) -> bool:
    """Blank [start, end) and write ``text`` at its start, if it fits before the first newline."""
    if len(text) > end - start or "\n" in chars[start:start + len(text)]:
        return False
    for m in range(start, end):
        if chars[m] != "\n":
            chars[m] = " "
    chars[start:start + len(text)] = text
    return True


def _mask_macro_header(chars: list[str], name: Token, close: Token, ret: str) -> None:
    """SYSCALL_DEFINE2(name, int, a, ...) {  ->  void _m(void) {"""
    _fill(chars, name.start, close.end, f"{ret} _m(void)") or _fill(chars, name.start, close.end, "_m(void)")


def _mask_macro_args(chars: list[str], lparen: Token, rparen: Token) -> None:
    _fill(chars, lparen.start, rparen.end, "(void)")


def _mask_member_macros(chars: list[str], toks: list[Token], i: int, j: int) -> None:
    """DECLARE_BITMAP(bits, N); or __uint(type, X); as a struct member -> "int _<n>;" """
    depth = 0
    for k in range(i, j):
        v = toks[k].value
        if v == "{":
            depth += 1
        elif v == "}":
            depth -= 1
        elif (
            depth >= 1
            and toks[k].kind == "id"
            and toks[k - 1].value in ("{", ";")
            and k + 1 < j
            and toks[k + 1].value == "("
            and v not in KEYWORDS
        ):
            close = matching(toks, k + 1)
            if close + 1 < j and toks[close + 1].value == ";":
                _fill(chars, toks[k].start, toks[close].end, f"int _{k}")


def _typedef_name(toks: list[Token], i: int, j: int) -> str:
    """Declared name of the typedef spanning tokens i..j (exclusive)."""
    for k in range(i, j - 2):
        if toks[k].value == "(" and toks[k + 1].value == "*" and toks[k + 2].kind == "id":
            return toks[k + 2].value
    depth = 0
    name = ""
    for k in range(i, j):
        v = toks[k].value
        if v in ("(", "[", "{"):
            depth += 1
        elif v in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and toks[k].kind == "id":
            name = v
    return name


def _column_one(text: str, offset: int) -> bool:
    return offset == 0 or text[offset - 1] == "\n"


def split(lexed: Lexed) -> Split:
    chars, toks = normalize(lexed)
    text = lexed.text
    out: list[Construct] = []
    typedefs: set[str] = set()
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        if t.value in (";", "}"):
            i += 1
            continue
        # A file-scope macro invocation: IDENT(...) with no type before it, optionally after
        # "static" for DEFINE_MUTEX-style macros.
        j = i
        if t.value == "static" and i + 2 < n and _ALLCAPS.match(toks[i + 1].value) and toks[i + 2].value == "(":
            j = i + 1
        if (
            toks[j].kind == "id"
            and toks[j].value not in KEYWORDS
            and j + 1 < n
            and toks[j + 1].value == "("
        ):
            close = matching(toks, j + 1)
            after = min(close + 1, n)  # unclosed "(": the rest of the file
            if after < n and toks[after].value == "{":
                body_end = matching(toks, after)
                _mask_macro_header(chars, toks[j], toks[close], "void")
                out.append(Construct("macrofunc", t.start, toks[min(body_end, n - 1)].end, i,
                                     min(body_end, n - 1) + 1, toks[j].value))  # unclosed: to the end
                i = body_end + 1
                continue
            if after < n and toks[after].value == "=":
                # DEFINE_PER_CPU(type, name) = init;  ->  "int _" declarator, same length
                for m in range(t.start, toks[close].end):
                    if chars[m] != "\n":
                        chars[m] = " "
                chars[t.start:t.start + 5] = "int _"
            elif after < n and toks[after].value == ";":
                after += 1
            if after >= n or toks[after].kind == "id" or toks[after].value in (";", "}"):
                last = toks[min(after, n) - 1]
                out.append(Construct("macro", t.start, last.end, i, after, toks[j].value))
                i = after
                continue
        depth = 0
        func_body = False
        seen_assign = False
        k = i
        end_kind = "decl"
        while k < n:
            v = toks[k].value
            if v in ("(", "[", "{"):
                if v == "{" and depth == 0 and not seen_assign and k > i and toks[k - 1].value == ")":
                    func_body = True
                depth += 1
            elif v in (")", "]", "}"):
                depth -= 1
                if v == "}" and (depth == 0 and func_body or depth > 0 and _column_one(text, toks[k].start)):
                    if depth > 0:  # unbalanced branches of #if: trust kernel style, } in column 1
                        depth = 0
                    if func_body:
                        end_kind = "func"
                        break
                depth = max(depth, 0)
            elif depth == 0:
                if v == ";":
                    break
                if v == "=":
                    seen_assign = True
            k += 1
        last_index = min(k, n - 1)
        c = Construct(end_kind, t.start, toks[last_index].end, i, last_index + 1)
        if end_kind == "func":
            _mask_statement_macros(chars, toks, i, last_index + 1)
            for m in range(i, k):
                if toks[m].value == "(" and m > i and toks[m - 1].kind == "id":
                    c.name = toks[m - 1].value
                    if _ALLCAPS.match(c.name) and c.name not in typedefs:
                        # "int BPF_PROG(name, struct x *a)": a macro that defines the function
                        close = matching(toks, m)
                        if close < n:  # unclosed at the end of the file: nothing to mask
                            _mask_macro_args(chars, toks[m], toks[close])
                    break
        elif t.value in ("struct", "union"):
            _mask_member_macros(chars, toks, i, last_index + 1)
        elif t.value == "typedef":
            c.name = _typedef_name(toks, i, last_index)
            if c.name:
                typedefs.add(c.name)
        out.append(c)
        i = last_index + 1
    return Split("".join(chars), toks, out, typedefs | _implied_types(toks))


_DECL_PREV = frozenset((";", "{", "}", "(", ",", "static", "const", "extern", "volatile", "register", "inline"))


def _implied_types(toks: list[Token]) -> set[str]:
    """Names used as types: two identifiers in a row at a declaration start (``foo_t x``)."""
    found: set[str] = set()
    for k in range(1, len(toks) - 1):
        a, b = toks[k], toks[k + 1]
        if (
            a.kind == "id"
            and b.kind == "id"
            and a.value not in KEYWORDS
            and b.value not in KEYWORDS
            and toks[k - 1].value in _DECL_PREV
        ):
            found.add(a.value)
        elif (
            a.kind == "id"
            and b.value == "*"
            and a.value not in KEYWORDS
            and toks[k - 1].value in (";", "{", "}", "extern", "static", "const")
        ):
            m = k + 1
            while m < len(toks) and toks[m].value in ("*", "const", "volatile"):
                m += 1
            if m + 1 < len(toks) and toks[m].kind == "id" and toks[m + 1].value in (";", "=", "[", ","):
                found.add(a.value)
    return found
