"""Python sources -> ProbeModel.

The file is read once (pyfile.PyFile) and each node goes to the module of its concern:
- embedded.py: BPF C in string literals, analysed by the C front end, positions mapped back;
- attach.py: BCC, libbpf/libbcc through ctypes and perf attach calls by address: ``attach_addrs``;
- strings.py: tracefs definitions in strings (``tracefs_defs``) and ``"/proc/kallsyms"`` /
  ``"System.map"`` path strings (``kallsyms_paths``);
- modparam.py: ``insmod``/``modprobe`` parameters formatted from an address (``modparam_addrs``).
A file ``ast`` cannot read (Python 2) gets only the path strings, from its tokens.
"""

from __future__ import annotations

import ast
import re
import tokenize
from io import BytesIO

from migrator.core import model as M
from migrator.core.source import Source, decode, encode
from migrator.frontends.python import attach, embedded, modparam, strings
from migrator.frontends.python.pyfile import PyFile, all_nodes
from migrator.frontends.text import generated

__all__ = ["build", "all_nodes"]


def build(src: Source) -> M.ProbeModel:
    model = M.ProbeModel(src.path)
    try:
        tree = ast.parse(src.data, filename=src.path)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
        # CPython's parser gives up on very deep nesting with MemoryError/RecursionError (found by fuzzing)
        why = getattr(e, "msg", None) or str(e) or "nesting too deep for the Python parser"
        model.syntax_error = f"not valid Python 3 ({why}); only string-level checks ran"
        _token_fallback(src, model)
        return model
    _run(PyFile(src, model, tree))
    generated.find(src.text, model)
    return model


def _run(f: PyFile) -> None:
    bpf = embedded.bpf_literals(f)
    for i, node in enumerate(bpf):
        embedded.add_embedded(f, node, i + 1)
    bpf_ids = {id(n) for n in bpf}
    bpf_ids |= {id(v) for n in f.nodes if isinstance(n, ast.JoinedStr) for v in n.values}
    inner_adds = {id(n.left) for n in f.nodes if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add)}
    for n in f.nodes:
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in bpf_ids:
            strings.string(f, n)
        elif isinstance(n, ast.JoinedStr):
            strings.fstring(f, n)
        elif isinstance(n, ast.Call):
            attach.call(f, n)
        elif isinstance(n, ast.Assign):
            attach.perf_assign(f, n)
        if f.tracefs and isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add) and id(n) not in inner_adds:
            strings.concatenation(f, n)
    modparam.scan(f)  # needs the symbol-file paths the loop found


def _token_fallback(src: Source, model: M.ProbeModel) -> None:
    """Strings of a file ``ast`` cannot read (Python 2): kallsyms paths only, never fixed."""
    try:
        toks = list(tokenize.tokenize(BytesIO(src.data).readline))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return
    for t in toks:
        if t.type != tokenize.STRING:
            continue
        body = re.sub(r"^[rRbBuU]*(['\"]{1,3})", "", t.string)
        body = body[:len(body) - len(t.string) + len(t.string.rstrip("'\""))] if body else body
        body = body.rstrip("'\"")
        if strings.PATH_RE.match(body):
            (line, col) = t.start
            ls = src.line_starts[line - 1]
            nl = src.text.find("\n", ls)
            seg = src.text[ls:nl if nl >= 0 else len(src.text)]
            a = ls + len(decode(encode(seg)[:col]))
            q = a + len(re.match(r"[rRbBuU]*", t.string).group())  # type: ignore[union-attr]
            model.kallsyms_paths.append(M.Located(M.Span(q, q + len(t.string) - (q - a)), body))
