"""The C front end: source text -> ProbeModel facts.

The flow runs one way: blank large data initializers (``bulk``) and bodies that cannot matter
(``prune``), lex, mask and split into
top-level constructs (``lex``, ``normalize``, ``constructs``), choose the constructs worth parsing
(``select``), parse them (``parse``), declare and walk them into raw facts (``declare``, ``walk``,
``facts``, with probe-building macros expanded by ``macros``), parse in a second round the
functions that call what the first round found to matter (kallsyms wrappers, harvested pointers,
relocation helpers), parse what following the written addresses will need (``resolve``), then
record the model's facts (``record``).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from pycparser import c_ast

from migrator.core import model as M
from migrator.core.source import Source
from migrator.frontends.c import (
    bulk,
    fallback,
    functions,
    jprobes,
    kallsyms,
    macros,
    record,
    resolve,
    stap,
    tables,
    useraddrs,
)
from migrator.frontends.c.constructs import Construct, split
from migrator.frontends.c.facts import Facts, Func, Locate
from migrator.frontends.c.lex import add_header_macros, lex
from migrator.frontends.c.parse import ConstructParser, Failure, Parsed
from migrator.frontends.c.prune import prune
from migrator.frontends.c.select import Selector, probe_macros
from migrator.frontends.c.shapes import FileLocator
from migrator.frontends.c.spans import TokenIndex
from migrator.frontends.c.unit import Unit
from migrator.frontends.c.walk import Walker

# a comparison with -EINVAL, read around each "EINVAL" (a literal-first search: cheap on big files)
_BEFORE_EINVAL = re.compile(r"[!=]=\s*-\s*$")
_AFTER_EINVAL = re.compile(r"\s*[!=]=")
RECURSION_LIMIT = 60000  # pycparser needs ~10 frames per nesting level (see DESIGN.md)


def build(src: Source) -> M.ProbeModel:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, RECURSION_LIMIT))
    try:
        return _Builder(src).build()
    finally:
        sys.setrecursionlimit(old)


class _Builder:
    def __init__(self, src: Source) -> None:
        self.model = M.ProbeModel(src.path)
        # large data initializers (SystemTap's symbol and unwind tables) and bodies that cannot matter are blank
        lexed = lex(prune(bulk.strip(src.text, self.model)))
        add_header_macros(lexed, src.headers)
        parts = split(lexed)
        self.u = Unit(src, lexed, parts, TokenIndex(lexed.tokens), Facts(), self.model)
        self.parser = ConstructParser(lexed, parts, src.line_starts)
        self.probe_macros = probe_macros(lexed)
        self.walker = Walker(self.u.facts, self.probe_macros, self._macro_in_function)
        self.decls = resolve.Declarations(parts, self.parser, self.walker.declare)
        self.pending_macros: list[tuple[Any, Func | None, Locate]] = []
        tables.scan(self.model, lexed, parts)
        self.select = Selector(lexed, parts, self.probe_macros, {t.name for t in self.model.address_tables})

    def build(self) -> M.ProbeModel:
        u = self.u
        parsed, skipped = self._first_round()
        stap.scan(self.model, u.lexed, u.split)
        macro_units = self._file_scope_macros()
        for p in parsed:
            file_locate = FileLocator(u.src.line_starts, p.line_offset)
            for node in p.nodes:
                self._walk_node(node, file_locate, None)
        for p, name, anchor in macro_units:
            for node in p.nodes:
                self.walker.declare(node)
            for node in p.nodes:
                self._walk_node(node, macros.Collapsed(anchor), name)
        while self.pending_macros:
            self._expand_in_function(*self.pending_macros.pop())
        self._second_round(skipped)
        u.macro_exprs = resolve.prepare(u.lexed, u.facts, self.parser, self.decls)
        record.record(u)
        self._einval_compares()
        useraddrs.scan(u.src.text, u.defined_functions(), self.model)
        if self.model.jprobes:  # what migrating them rewrites, read from the whole unpruned text
            self.model.jprobe_code = jprobes.scan(u.src.text)
        return self.model

    def _einval_compares(self) -> None:
        """The functions that compare a value with -EINVAL (comments and strings masked)."""
        masked = self.u.lexed.masked
        i = masked.find("EINVAL")
        while i >= 0:
            end = i + len("EINVAL")
            word = (i == 0 or not (masked[i - 1].isalnum() or masked[i - 1] == "_")) and not (
                end < len(masked) and (masked[end].isalnum() or masked[end] == "_"))
            if word and (_BEFORE_EINVAL.search(masked, max(0, i - 40), i) or _AFTER_EINVAL.match(masked, end)):
                self.model.einval_compares.add(self._function_at(i))
            i = masked.find("EINVAL", end)

    def _function_at(self, at: int) -> str:
        for c in self.u.split.constructs:
            if c.start <= at < c.end:
                return c.name if c.kind in ("func", "macrofunc") else ""
        return ""

    def _parse(self, c: Construct) -> Parsed | None:
        """Parse one construct; what fails is listed and read by the token-level fallback."""
        r = self.parser.parse(c)
        if isinstance(r, Failure):
            src = self.u.src
            self.model.unparsed.append(M.Unparsed(src.line_of(c.start), src.line_of(max(c.end - 1, c.start)), r.message))
            fallback.scan(self.model, self.u.lexed, self.u.split.tokens[c.first:c.last], self.u.facts)
            return None
        self.model.constructs_parsed += 1
        return r

    def _first_round(self) -> tuple[list[Parsed], list[Construct]]:
        parsed: list[Parsed] = []
        skipped: list[Construct] = []
        for c in self.u.split.constructs:
            if c.kind == "macro":
                continue
            self.model.constructs_total += 1
            if c.kind in ("func", "macrofunc") and not self.select.interesting(c):
                skipped.append(c)
            elif c.kind == "decl" and (self.select.too_big(c) or not self.select.interesting(c)):
                self.model.constructs_parsed += 1  # not needed: counted as read
                self.decls.skipped.append(c)
            elif (r := self._parse(c)) is not None:
                parsed.append(r)
        for p in parsed:
            for node in p.nodes:
                self.walker.declare(node)
        return parsed, skipped

    def _second_round(self, skipped: list[Construct]) -> None:
        """Parse the functions that only call what the first round found to matter: a harvested
        kallsyms pointer, a kallsyms wrapper, a relocation helper."""
        matter = kallsyms.find_names(self.u).that_matter()
        toks = self.u.split.tokens
        parsed = []
        for c in skipped:
            if not any(t.kind == "id" and t.value in matter for t in toks[c.first:c.last]):
                self.model.constructs_parsed += 1  # not needed: counted as read
            elif (r := self._parse(c)) is not None:
                parsed.append(r)
        for p in parsed:
            for node in p.nodes:
                self.walker.declare(node)
        for p in parsed:
            locate = FileLocator(self.u.src.line_starts, p.line_offset)
            for node in p.nodes:
                self._walk_node(node, locate, None)

    def _walk_node(self, node: Any, locate: Locate, macro: str | None) -> None:
        facts = self.u.facts
        if isinstance(node, c_ast.FuncDef):
            fn = facts.functions.get(node.decl.name)
            if fn is not None and fn.node is not node:
                # another definition of the same name, in the other branch of an #if: walk it too
                self.walker.declare(node)
                fn, facts.functions[fn.name] = facts.functions[fn.name], fn
            if fn is not None and fn.node is node:
                self.walker.function(fn, locate, macro)
                shapes = functions.shapes_of(fn, facts.types, {t.name for t in self.model.address_tables}) \
                    if fn.name else ()
                if shapes:
                    self.model.address_functions.append(M.AddressFunction(self.u.span(locate(node.decl)), fn.name, shapes))
        elif isinstance(node, c_ast.Decl):
            self.walker.global_decl(node, locate, macro)

    # -- probe-building macros ------------------------------------------------------------------
    def _file_scope_macros(self) -> list[tuple[Parsed, str, int]]:
        out = []
        for c in self.u.split.constructs:
            if c.kind == "macro" and c.name in self.probe_macros:
                toks = self.u.split.tokens[c.first:c.last]
                start = 1 if toks and toks[0].value == "static" else 0
                name_tok = toks[start]
                text = macros.expand(self.u.lexed.macros[name_tok.value], toks[start + 2:], self.u.src.text)
                p = None if text is None else macros.parse_expansion(self.parser, text + ";", name_tok.value)
                if p is not None:
                    out.append((p, name_tok.value, name_tok.start))
        return out

    def _macro_in_function(self, call: Any, fn: Func | None, locate: Locate) -> None:
        self.pending_macros.append((call, fn, locate))

    def _expand_in_function(self, call: Any, fn: Func | None, locate: Locate) -> None:
        anchor = locate(call.name)
        toks = self.u.lexed.tokens
        i = self.u.tokens.at(anchor)
        if i >= len(toks) or i + 1 >= len(toks) or toks[i + 1].value != "(":
            return
        text = macros.expand(self.u.lexed.macros[call.name.name], toks[i + 2:], self.u.src.text)
        p = None if text is None else macros.parse_expansion(
            self.parser, "void __probe_migrator_macro(void) { " + text + "; }", call.name.name)
        if p is None:
            return
        for node in p.nodes:
            if isinstance(node, c_ast.FuncDef):
                ctx = Func(fn.name if fn else "", node, dict(fn.params) if fn else {}, dict(fn.locals) if fn else {})
                self.walker.function(ctx, macros.Collapsed(anchor), call.name.name)


__all__ = ["build"]
