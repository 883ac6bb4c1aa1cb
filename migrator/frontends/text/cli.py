"""Tracer command lines in shell scripts that place a kprobe at an address.

- ``lttng enable-event --kernel --probe=0x...`` and ``lttng add-trigger ... --location=0x...``
  (``--function=`` takes the same location);
- ``perf probe [--add|-a] 0x...``;
- ``bpftrace -e 'kprobe:0x... { }'`` (``kretprobe:`` too).

An address is ``0x`` followed by hex digits or a shell expansion (``0x$A``, ``0x${A}``): a location
made from a name (``$FUNC``, ``${FUNC}+0x8``) is not one. A command continued with ``\\`` is one
command.
"""

from __future__ import annotations

import re

from migrator.core import model as M
from migrator.core import names

_ADDRESS = r"""(0[xX](?:[0-9a-fA-F]+\b|\$\{?\w+\}?))"""
_TOOL_ADDRESS = {
    names.LTTNG: re.compile(r"--(?:probe|location|function)=[\"']?" + _ADDRESS),
    names.PERF_PROBE: re.compile(r"""(?:\s|=)[\"']?""" + _ADDRESS),
    names.BPFTRACE: re.compile(r"\bk(?:ret)?probe:" + _ADDRESS),
}
_TOOL_RE = {tool: re.compile(r"(?<![\w-])" + re.escape(tool).replace(r"\ ", r"\s+") + r"(?![\w-])")
            for tool in names.CLI_PROBE_TOOLS}


def commands(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of each command: code lines joined where a line ends in a backslash."""
    out: list[tuple[int, int]] = []
    joined = False
    for start, end in lines:
        if joined and out:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
        joined = text[start:end].rstrip().endswith("\\")
    return out


def find(text: str, lines: list[tuple[int, int]], model: M.ProbeModel) -> None:
    if not any(t.split()[0] in text for t in names.CLI_PROBE_TOOLS):
        return
    for start, end in commands(text, lines):
        cmd = text[start:end]
        for tool, tool_re in _TOOL_RE.items():
            at = next((m for m in tool_re.finditer(cmd) if not open_quote(cmd[:m.start()])), None)
            if at is None:
                continue  # not run here (named in a message or a string)
            for m in _TOOL_ADDRESS[tool].finditer(cmd, at.end()):
                span = M.Span(start + m.start(1), start + m.end(1))
                model.cli_probe_addrs.append(M.Located(span, tool, m.group(1)))


def open_quote(before: str) -> str:
    """The quote of a string opened in ``before`` and still open at its end, or ""."""
    quote = ""
    for c in before:
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
    return quote
