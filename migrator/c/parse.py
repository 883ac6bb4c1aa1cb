"""pycparser, one top-level construct at a time, with the retries that make kernel code parse.

A construct is fed with its first line padded to its original column, and coordinates are
shifted back by its first line, so every node's coord is its place in the file.
"""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass
from typing import Any

from pycparser import c_ast, c_parser

from .constructs import Construct, Split
from .lex import Lexed

# Kernel and libc typedef names a module uses without declaring them (they live in headers).
KERNEL_TYPEDEFS = frozenset(
    ["u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "__u8", "__u16", "__u32", "__u64", "__s8", "__s16", "__s32", "__s64", "__le16", "__le32", "__le64", "__be16", "__be32", "__be64", "__wsum", "__sum16", "bool", "size_t", "ssize_t", "loff_t", "off_t", "pid_t", "uid_t", "gid_t", "kuid_t", "kgid_t", "mode_t", "umode_t", "dev_t", "ino_t", "time_t", "ktime_t", "time64_t", "sector_t", "blkcnt_t", "gfp_t", "fmode_t", "atomic_t", "atomic64_t", "atomic_long_t", "spinlock_t", "raw_spinlock_t", "rwlock_t", "seqlock_t", "wait_queue_head_t", "wait_queue_entry_t", "kprobe_opcode_t", "uintptr_t", "intptr_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t", "int8_t", "int16_t", "int32_t", "int64_t", "phys_addr_t", "dma_addr_t", "resource_size_t", "cpumask_t", "nodemask_t", "pgd_t", "pud_t", "pmd_t", "pte_t", "pgprot_t", "va_list", "irqreturn_t", "irq_handler_t", "clockid_t", "cycles_t", "__kernel_size_t", "__kernel_ssize_t", "__kernel_pid_t", "socklen_t", "sa_family_t", "__poll_t", "vm_fault_t", "refcount_t", "errseq_t", "blk_status_t", "netdev_tx_t", "netdev_features_t", "__kernel_ulong_t", "__kernel_long_t", "ulong", "uint", "ushort", "uchar", "unchar", "caddr_t", "daddr_t", "key_t", "suseconds_t", "clock_t", "useconds_t", "compat_uptr_t", "compat_ulong_t", "kernel_cap_t", "sigset_t", "siginfo_t", "stack_t", "elf_greg_t", "Elf64_Sym", "Elf64_Ehdr", "Elf64_Shdr", "Elf64_Addr", "Elf32_Sym", "Elf_Sym", "Elf_Shdr", "Elf_Ehdr", "Elf_Addr", "wchar_t", "ptrdiff_t", "FILE", "DIR", "uint", "__wait_queue_head_t", "percpu_ref_func_t", "work_func_t", "kretprobe_handler_t", "kprobe_pre_handler_t", "kprobe_post_handler_t", "kprobe_fault_handler_t", "mm_segment_t", "local_t", "local64_t", "pte_val_t", "ftrace_func_t", "tracepoint_ptr_t", "__kernel_timer_t", "sys_call_ptr_t", "syscall_fn_t", "bpf_callback_t"]
)

_ERR_COORD = re.compile(r":(\d+):(\d+):")


class _KernelParser(c_parser.CParser):  # type: ignore[misc]
    """pycparser with kernel typedefs in scope and type names allowed as call arguments."""

    typedef_names: frozenset[str] | set[str] = frozenset()

    def _parse_translation_unit_or_empty(self) -> Any:
        self._scope_stack = [dict.fromkeys(self.typedef_names, True)]
        return super()._parse_translation_unit_or_empty()

    def _parse_argument_expression_list(self) -> Any:
        exprs = [self._parse_argument()]
        while self._accept("COMMA"):
            exprs.append(self._parse_argument())
        return c_ast.ExprList(exprs, exprs[0].coord)

    def _parse_argument(self) -> Any:
        # min_t(u32, a, b), container_of(p, struct kretprobe, kp), va_arg(ap, int)
        if self._starts_declaration():
            return self._parse_type_name()
        if self._peek_type() == "PERIOD":  # LIBBPF_OPTS(t, o, .x = y)
            desig = self._parse_designation()
            init = self._parse_initializer()
            return c_ast.NamedInitializer(desig, init, desig[0].coord if desig else None)
        return self._parse_assignment_expression()


@dataclass
class Parsed:
    construct: Construct
    nodes: list[Any]  # top-level pycparser nodes (Decl, FuncDef, Typedef, ...)
    line_offset: int  # add to coord.line for the file line
    variant: str  # "", "typedef:NAME", "branch:N/K"


@dataclass
class Failure:
    construct: Construct
    message: str


def _error_position(msg: str) -> tuple[int, int] | None:
    m = _ERR_COORD.search(msg)
    return (int(m.group(1)), int(m.group(2))) if m else None


class ConstructParser:
    """Parses constructs of one file; learns typedef names as it goes."""

    def __init__(self, lexed: Lexed, split: Split, line_starts: list[int]) -> None:
        self.lexed = lexed
        self.split = split
        self.typedefs: set[str] = set(KERNEL_TYPEDEFS) | split.typedefs
        self.parser = _KernelParser()
        self.line_starts = line_starts

    def _line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def _try(self, text: str) -> Any:
        self.parser.typedef_names = self.typedefs
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, 60000))
        try:
            return self.parser.parse(text, "")
        finally:
            sys.setrecursionlimit(old)

    def _text(self, c: Construct, masked: str) -> str:
        _, col = self._line_col(c.start)
        return " " * (col - 1) + masked[c.start:c.end]

    def parse(self, c: Construct) -> Parsed | Failure:
        line, _ = self._line_col(c.start)
        masked = self.split.masked
        text = self._text(c, masked)
        learned: list[str] = []
        message = ""
        for _attempt in range(6):
            try:
                ast = self._try(text)
                return Parsed(c, list(ast.ext), line - 1, ",".join(learned))
            except c_parser.ParseError as e:
                message = str(e)
                name = self._unknown_type_name(text, message)
                if not name or name in self.typedefs:
                    break
                self.typedefs.add(name)
                learned.append("typedef:" + name)
            except RecursionError:
                return Failure(c, "nesting too deep for the parser")
        # One #if branch at a time: blank the other branches inside the construct.
        inner = [b for b in self.lexed.branches if c.start <= b.start < c.end]
        for cond_id in dict.fromkeys(b.cond_id for b in inner):
            group = [b for b in inner if b.cond_id == cond_id]
            for keep in group:
                chars = list(masked)
                for other in group:
                    if other is not keep:
                        for k in range(other.start, min(other.end, c.end)):
                            if chars[k] != "\n":
                                chars[k] = " "
                try:
                    ast = self._try(self._text(c, "".join(chars)))
                    return Parsed(c, list(ast.ext), line - 1, f"branch:{cond_id}/{keep.index}")
                except (c_parser.ParseError, RecursionError):
                    continue
        return Failure(c, message.lstrip(": ") or "unparsable construct")

    def _unknown_type_name(self, text: str, message: str) -> str | None:
        """The identifier before the error position when it looks like an unknown type name."""
        pos = _error_position(message)
        if not pos:
            return None
        lines = text.split("\n")
        if pos[0] - 1 >= len(lines):
            return None
        before = "\n".join(lines[: pos[0] - 1] + [lines[pos[0] - 1][: pos[1] - 1]])
        m = re.search(r"([A-Za-z_]\w*)\s*(\*\s*)*$", before)
        if not m:
            return None
        name = m.group(1)
        if name in ("struct", "union", "enum", "return", "sizeof", "case", "goto", "else"):
            return None
        return name
