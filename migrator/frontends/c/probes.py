"""The C front end's last step: parsed constructs -> ProbeModel.

Bodies that cannot matter are blanked (``prune.py``), the file is lexed and split into top-level
constructs, and only the constructs that can matter are parsed. Pass 1 declares types, globals and
functions; pass 2 walks those constructs and collects writes, calls and reads (``walk.py``); a
second round parses the functions that call what the first found to matter; then ``classify.py``
classifies the written addresses and decides, for every kallsyms call, whether an address write
consumes it or it is a use.
"""

from __future__ import annotations

import bisect
import re
import sys
from typing import Any

from pycparser import c_ast

from migrator.core import model as M
from migrator.core.source import Source
from migrator.frontends.c import bulk, fallback, stap, tables
from migrator.frontends.c.classify import Classifier
from migrator.frontends.c.constructs import Construct, split
from migrator.frontends.c.lex import Lexed, Macro, lex
from migrator.frontends.c.parse import ConstructParser, Failure, Parsed
from migrator.frontends.c.prune import STATUS_HEADER_WORDS, prune
from migrator.frontends.c.shapes import (
    KALLSYMS,
    MODULE_BASE_NAMES,
    PROBE_WRITE_MARKERS,
    RELOCATE_RE,
    TEXT_BASES,
    FileLocator,
    names_in,
)
from migrator.frontends.c.walk import Facts, Func, Locate, Walker, strip

# Identifiers that make a construct worth parsing (besides writes of the probe fields).
STRONG = frozenset(
    """kallsyms_lookup_name kprobe kretprobe jprobe kprobe_opcode_t register_kprobe register_kprobes
    register_kretprobe register_kretprobes register_jprobe register_jprobes find_module core_layout
    module_core _stext _text sect_attrs _stp_module_relocate _stp_kmodule_relocate""".split()
)
PROBE_TYPE_NAMES = frozenset(("kprobe", "kretprobe", "jprobe"))
BODY_NEUTRAL_TYPES = frozenset(("kprobe", "kretprobe", "kprobe_opcode_t"))  # see _Builder.__init__
_PROBE_WORD_RE = re.compile(r"\b(?:kprobe|kretprobe|jprobe|kprobe_opcode_t)\b")

PROBE_FIELDS_SET = frozenset(("addr", "symbol_name", "offset"))
_PROBE_MACRO_BODY = re.compile(r"\.\s*(addr|symbol_name|offset)\s*=|\bstruct\s+k(ret)?probe\b|\bstruct\s+jprobe\b")
MAX_TOKENS_TO_PARSE = 6000  # larger declarations (embedded tables) are read token by token


def build(src: Source) -> M.ProbeModel:
    return _Builder(src).build()


class _Builder:
    def __init__(self, src: Source) -> None:
        self.src = src
        self.model = M.ProbeModel(src.path)
        # large data initializers (SystemTap's symbol and unwind tables) and bodies that cannot matter are blank
        self.lexed: Lexed = lex(prune(bulk.strip(src.text, self.model)))
        self.split = split(self.lexed)
        self.parser = ConstructParser(self.lexed, self.split, src.line_starts)
        self.facts = Facts()
        macros = self.lexed.macros
        self.probe_macros = {
            name for name, m in macros.items() if m.params is not None and _PROBE_MACRO_BODY.search(m.body)
        }
        self.walker = Walker(self.facts, self.probe_macros, self._macro_in_function)
        self.token_starts = [t.start for t in self.lexed.tokens]
        self.pending_macros: list[tuple[Any, Func | None, Locate]] = []
        self.comment_ends: list[int] | None = None  # for classify._comment_words
        self.comment_starts: list[int] = []
        self._skipped_decls: list[Construct] = []
        self._decl_index: dict[str, Construct] | None = None
        tables.scan(self.model, self.lexed, self.split)
        # Probe type names make a declaration worth parsing (it types a global), but in a function's
        # parameters and body they only type a local or a parameter: what a rule needs there (a field write, a
        # kallsyms call, a registration) is a reason of its own. Unless the file harvests
        # kallsyms_lookup_name with the kprobe trick, whose read of .addr can stand alone.
        self._body_neutral: set[str] = set(BODY_NEUTRAL_TYPES)
        self._strong = self._strong_names()
        if any(t.kind == "str" and KALLSYMS in t.value for t in self.split.tokens):
            self._body_neutral = set()
        # Without a probe type in the file no object's type is a probe's, and only the shapes
        # "kp.addr =" / "kp->offset =" (a container declared in a header) can be probe writes.
        self._probe_types_visible = any(t.kind == "id" and t.value in PROBE_WRITE_MARKERS for t in self.split.tokens)

    # -- orchestration ------------------------------------------------------------------------
    def build(self) -> M.ProbeModel:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, 60000))
        try:
            return self._build()
        finally:
            sys.setrecursionlimit(old)

    def _build(self) -> M.ProbeModel:
        toks = self.split.tokens
        parsed: list[Parsed] = []
        skipped: list[Construct] = []
        for c in self.split.constructs:
            if c.kind == "macro":
                continue
            self.model.constructs_total += 1
            ntok = c.last - c.first
            if c.kind in ("func", "macrofunc") and not self._interesting(c):
                skipped.append(c)
                continue
            if c.kind == "decl" and (ntok > MAX_TOKENS_TO_PARSE or not self._interesting(c)):
                self.model.constructs_parsed += 1  # not needed: counted as read
                self._skipped_decls.append(c)
                continue
            r = self.parser.parse(c)
            if isinstance(r, Failure):
                self.model.unparsed.append(
                    M.Unparsed(self.src.line_of(c.start), self.src.line_of(max(c.end - 1, c.start)), r.message)
                )
                fallback.scan(self.model, self.lexed, toks[c.first:c.last], self.facts)
                continue
            self.model.constructs_parsed += 1
            parsed.append(r)
        for p in parsed:
            for node in p.nodes:
                self.walker.declare(node)
        stap.scan(self.model, self.lexed, self.split)
        # Probe-building macros invoked at file scope.
        macro_units: list[tuple[Parsed, str, int]] = []
        for c in self.split.constructs:
            if c.kind == "macro" and c.name in self.probe_macros:
                unit = self._expand_file_scope(c)
                if unit is not None:
                    macro_units.append(unit)
        for p in parsed:
            file_locate = FileLocator(self.src.line_starts, p.line_offset)
            for node in p.nodes:
                self._walk_node(node, file_locate, None)
        for p, name, anchor in macro_units:
            for node in p.nodes:
                self.walker.declare(node)
            for node in p.nodes:
                self._walk_node(node, _Collapsed(anchor), name)
        while self.pending_macros:
            call, fn, locate = self.pending_macros.pop()
            self._expand_in_function(call, fn, locate)
        self._second_round(skipped)
        Classifier(self).run()
        return self.model

    def _second_round(self, skipped: list[Construct]) -> None:
        """Parse the functions that only call what the first round found to matter: a harvested
        kallsyms pointer, a kallsyms wrapper, a relocation helper."""
        names = Classifier(self).names_that_matter()
        parsed = []
        for c in skipped:
            if not any(t.kind == "id" and t.value in names for t in self.split.tokens[c.first:c.last]):
                self.model.constructs_parsed += 1  # not needed: counted as read
                continue
            r = self.parser.parse(c)
            if isinstance(r, Failure):
                self.model.unparsed.append(
                    M.Unparsed(self.src.line_of(c.start), self.src.line_of(max(c.end - 1, c.start)), r.message)
                )
                fallback.scan(self.model, self.lexed, self.split.tokens[c.first:c.last], self.facts)
                continue
            self.model.constructs_parsed += 1
            parsed.append(r)
        for p in parsed:
            for node in p.nodes:
                self.walker.declare(node)
        for p in parsed:
            locate = FileLocator(self.src.line_starts, p.line_offset)
            for node in p.nodes:
                self._walk_node(node, locate, None)

    def _walk_node(self, node: Any, locate: Locate, macro: str | None) -> None:
        if isinstance(node, c_ast.FuncDef):
            fn = self.facts.functions.get(node.decl.name)
            if fn is not None and fn.node is not node:
                # another definition of the same name, in the other branch of an #if: walk it too
                self.walker.declare(node)
                fn, self.facts.functions[fn.name] = self.facts.functions[fn.name], fn
            if fn is not None and fn.node is node:
                self.walker.function(fn, locate, macro)
                kind = self._is_relocation_helper(fn) if fn.name else ""
                if kind:
                    self.model.relocation_helpers.append(M.Located(self._span(locate(node.decl)), fn.name, kind))
        elif isinstance(node, c_ast.Decl):
            self.walker.global_decl(node, locate, macro)

    def _strong_names(self) -> set[str]:
        """Identifiers that make a construct worth parsing in this file."""
        names = set(STRONG) | self.probe_macros
        for name, m in self.lexed.macros.items():
            if "kallsyms" in m.body or "System.map" in m.body or _PROBE_WORD_RE.search(m.body):
                names.add(name)
        for c in self.split.constructs:  # user types that hold a probe: struct my_probe { struct kprobe kp; }
            if c.kind == "decl":
                vals = [t.value for t in self.split.tokens[c.first:c.last]]
                if any(v in PROBE_TYPE_NAMES for v in vals):
                    if vals[0] in ("struct", "union") and len(vals) > 2 and vals[2] == "{":
                        names.add(vals[1])
                        self._body_neutral.add(vals[1])
                    if vals[0] == "typedef" and c.name:
                        names.add(c.name)
                        self._body_neutral.add(c.name)
        names.update(t.name for t in self.model.symbol_tables)
        return names

    def _interesting(self, c: Construct) -> bool:
        """Can this construct hold something a rule needs? Everything else is not parsed."""
        toks = self.split.tokens
        strong = self._strong
        if c.kind in ("func", "macrofunc") and RELOCATE_RE.search(c.name) and not self._returns_status(c):
            return True  # maybe a relocation helper
        neutral_from = c.last
        if c.kind in ("func", "macrofunc") and self._body_neutral:
            # from the parameter list on: what is before it is the return type, which types calls
            neutral_from = next((i for i in range(c.first, c.last) if toks[i].value == "("), c.last)
        for i in range(c.first, c.last):
            t = toks[i]
            if t.kind == "id":
                if t.value in strong and not (t.value in self._body_neutral and (
                        i > neutral_from or t.value == "kprobe_opcode_t")):  # (no function returns a probe as that)
                    return True
                if (t.value in PROBE_FIELDS_SET and i + 1 < c.last and toks[i + 1].value == "="
                        and toks[i - 1].value in (".", "->")
                        and (self._probe_types_visible or toks[i - 2].value == "kp")):
                    return True  # a write of addr/symbol_name/offset
            elif t.kind == "str" and ("kallsyms" in t.value or "System.map" in t.value):
                return True
        return False

    def _returns_status(self, c: Construct) -> bool:
        """Does the function's header say it returns an int, a bool or nothing (so no address)?"""
        for t in self.split.tokens[c.first:c.last]:
            if t.value == c.name:
                return True
            if t.value not in STATUS_HEADER_WORDS:
                return False
        return False

    def declaration_of(self, name: str) -> bool:
        """Parse, on demand, the skipped file-scope declaration of ``name`` (a global the classifier
        meets in an address). True if one was found."""
        if self._decl_index is None:
            self._decl_index = {}
            toks = self.split.tokens
            for c in self._skipped_decls:
                for i in range(c.first, c.last - 1):
                    if toks[i].kind == "id" and toks[i + 1].value in ("=", ";", "[", ","):
                        self._decl_index.setdefault(toks[i].value, c)
        if name not in self._decl_index:
            return False
        c = self._decl_index.pop(name)
        r = self.parser.parse(c)
        if isinstance(r, Failure):
            return False
        for node in r.nodes:
            self.walker.declare(node)
        return True

    # -- macros -------------------------------------------------------------------------------
    def _expand_file_scope(self, c: Construct) -> tuple[Parsed, str, int] | None:
        toks = self.split.tokens[c.first:c.last]
        start = 1 if toks and toks[0].value == "static" else 0
        name_tok = toks[start]
        text = self._expand(self.lexed.macros[name_tok.value], toks[start + 2:], name_tok.start)
        if text is None:
            return None
        return self._parse_text(text + ";", name_tok.value, name_tok.start)

    def _macro_in_function(self, call: Any, fn: Func | None, locate: Locate) -> None:
        self.pending_macros.append((call, fn, locate))

    def _expand_in_function(self, call: Any, fn: Func | None, locate: Locate) -> None:
        anchor = locate(call.name)
        i = bisect.bisect_left(self.token_starts, anchor)
        toks = self.lexed.tokens
        if i >= len(toks) or i + 1 >= len(toks) or toks[i + 1].value != "(":
            return
        text = self._expand(self.lexed.macros[call.name.name], toks[i + 2:], anchor)
        if text is None:
            return
        unit = self._parse_text("void __probe_migrator_macro(void) { " + text + "; }", call.name.name, anchor)
        if unit is None:
            return
        p, name, anchor = unit
        for node in p.nodes:
            if isinstance(node, c_ast.FuncDef):
                ctx = Func(fn.name if fn else "", node, dict(fn.params) if fn else {}, dict(fn.locals) if fn else {})
                self.walker.function(ctx, _Collapsed(anchor), name)

    def _expand(self, m: Macro, arg_tokens: list[Any], anchor: int) -> str | None:
        """Substitute the arguments of one invocation into ``m``'s body (with # and ##)."""
        args: list[str] = []
        depth = 0
        cur: list[str] = []
        for t in arg_tokens:
            if t.value in ("(", "[", "{"):
                depth += 1
            elif t.value in (")", "]", "}"):
                if depth == 0:
                    break
                depth -= 1
            if t.value == "," and depth == 0 and not (m.variadic and len(args) >= len(m.params or []) - 1):
                args.append(" ".join(cur))
                cur = []
                continue
            cur.append(self.src.text[t.start:t.end])
        else:
            return None
        args.append(" ".join(cur))
        params = m.params or []
        values = dict(zip(params, args, strict=False))
        body = m.body
        body = re.sub(r"#\s*([A-Za-z_]\w*)", lambda x: '"' + values[x.group(1)] + '"' if x.group(1) in values else x.group(0), re.sub(r"\s*##\s*", "\x00", body))
        body = re.sub(r"[A-Za-z_]\w*", lambda x: values.get(x.group(0), x.group(0)), body)
        return body.replace("\x00", "")

    def _parse_text(self, text: str, name: str, anchor: int) -> tuple[Parsed, str, int] | None:
        c = Construct("macro", 0, len(text), 0, 0, name)
        try:
            ast = self.parser._try(text)
        except Exception:  # noqa: BLE001 - an expansion we cannot read is just not analysed
            return None
        return Parsed(c, list(ast.ext), 0, "macro"), name, anchor

    # -- helpers ------------------------------------------------------------------------------
    def _span(self, start: int) -> M.Span:
        i = bisect.bisect_left(self.token_starts, start)
        toks = self.lexed.tokens
        if i < len(toks) and toks[i].start == start:
            return M.Span(start, toks[i].end)
        return M.Span(start, start + 1)

    def _is_relocation_helper(self, fn: Func) -> str:
        """"" or what kind of helper: "relocate" (module/section + offset) or "table" (name lookup)."""
        decl = fn.node.decl
        if fn.returns_void or not fn.returns or not _returns_address(self.facts.types, decl):
            return ""
        names = names_in(fn.node.body)
        values = [strip(r) for r in fn.returns]
        for r in list(values):  # "return addr;" where addr = helper(...)
            if isinstance(r, c_ast.ID):
                values.extend(strip(v) for _off, v, _loc in fn.assigns.get(r.name, []))
        returned = {v.name.name for v in values if isinstance(v, c_ast.FuncCall) and isinstance(v.name, c_ast.ID)}
        tables_here = {t.name for t in self.model.symbol_tables}
        if names & tables_here and fn.params:
            return "table"
        if any(RELOCATE_RE.search(n) for n in returned):
            return "relocate"  # a wrapper around another relocation helper
        if RELOCATE_RE.search(fn.name) and _takes_names_or_module(decl):
            return "relocate"
        if names & MODULE_BASE_NAMES and _has_plus(fn.node.body):
            return "relocate"
        if names & TEXT_BASES and _has_plus(fn.node.body) and set(fn.params) & names:
            return "relocate"
        return ""


ADDRESS_TYPES = frozenset((
    "unsigned long", "long unsigned int", "unsigned long int", "uintptr_t", "u64", "__u64", "uint64_t",
    "unsigned long long", "kprobe_opcode_t", "ulong", "size_t", "phys_addr_t", "long",
))


def _returns_address(types: Any, decl: Any) -> bool:
    """Does the function return something that can hold an address (not an int status)?"""
    ftype = getattr(decl, "type", None)
    if not isinstance(ftype, c_ast.FuncDecl):
        return False
    ret = types.ctype(ftype.type)
    return ret is not None and (ret[0] == "ptr" or ret[0] == "base" and ret[1] in ADDRESS_TYPES)


def _takes_names_or_module(decl: Any) -> bool:
    """Parameters like (const char *module, const char *section, ...) or (struct module *mod, ...)."""
    ftype = decl.type
    for p in getattr(ftype.args, "params", None) or []:
        t = getattr(p, "type", None)
        if isinstance(t, c_ast.PtrDecl):
            inner = getattr(t.type, "type", None)
            if isinstance(inner, c_ast.IdentifierType) and "char" in inner.names:
                return True
            if isinstance(inner, c_ast.Struct) and inner.name == "module":
                return True
    return False


class _Collapsed:
    """Locate every node of a macro expansion at the macro invocation."""

    def __init__(self, anchor: int) -> None:
        self.anchor = anchor

    def __call__(self, node: Any) -> int:
        return self.anchor


def _has_plus(node: Any) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, c_ast.BinaryOp) and n.op in ("+", "-"):
            return True
        if isinstance(n, c_ast.Assignment) and n.op == "+=":
            return True
        stack.extend(child for _name, child in n.children())
    return False


__all__ = ["build"]
