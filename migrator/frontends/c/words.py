"""The words of kernel C that pycparser does not know: typedefs from headers, annotations, GNU
spellings of standard keywords; and the C keywords themselves.

Shared by the masking (``normalize``), the splitter (``constructs``), the parser (``parse``) and
the pruner (``prune``).
"""

from __future__ import annotations

import re


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
# GNU spellings pycparser does not take -> the standard word (alignof is near enough to sizeof
# for the model, and __auto_type to int). Each replacement is no longer than what it replaces.
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
# Inline assembly: "asm volatile (...)" is masked whole.
ASM = frozenset(("asm", "__asm__", "__asm"))
# C keywords, and typeof/offsetof (the renames above produce them).
KEYWORDS = _words(
    """
    auto break case char const continue default do double else enum extern float for goto if
    inline int long register restrict return short signed sizeof static struct switch typedef
    union unsigned void volatile while _Bool _Complex _Static_assert typeof offsetof
    """
)
# A macro-shaped name: DEFINE_MUTEX, BPF_PROG, __KPROBE.
ALL_CAPS = re.compile(r"^[A-Z_][A-Z0-9_]*$")
