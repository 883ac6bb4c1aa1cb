"""Share of top-level constructs the C front end parses, over files that mention a word.

    python bench/parse_share.py /path/to/linux-6.12 [--word kprobe] [--show 20]

Every construct is parsed here (the checker itself skips functions that cannot matter), so
this measures the front end's tolerance, not the checker's speed.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from migrator.core.source import Source  # noqa: E402
from migrator.frontends.c.constructs import split  # noqa: E402
from migrator.frontends.c.lex import lex  # noqa: E402
from migrator.frontends.c.parse import ConstructParser, Failure  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("tree")
    ap.add_argument("--word", default="kprobe")
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args()
    word = args.word.encode()
    files = []
    for root, dirs, names in os.walk(args.tree):
        dirs[:] = [d for d in dirs if d != ".git"]
        for n in names:
            if n.endswith((".c", ".h")):
                p = os.path.join(root, n)
                with open(p, "rb") as fh:
                    if word in fh.read():
                        files.append(p)
    total = parsed = 0
    failures = []
    kinds: collections.Counter[str] = collections.Counter()
    t0 = time.perf_counter()
    for p in sorted(files):
        with open(p, "rb") as fh:
            src = Source.from_bytes(p, fh.read())
        lexed = lex(src.text)
        sp = split(lexed)
        parser = ConstructParser(lexed, sp, src.line_starts)
        for c in sp.constructs:
            if c.kind == "macro":
                continue
            total += 1
            r = parser.parse(c)
            if isinstance(r, Failure):
                failures.append((p, src.line_of(c.start), r.message))
                kinds[r.message.split(": ", 1)[-1][:40]] += 1
            else:
                parsed += 1
    dt = time.perf_counter() - t0
    print(f"files mentioning {args.word!r}: {len(files)}")
    print(f"top-level constructs: {total}, parsed: {parsed} ({100.0 * parsed / max(total, 1):.2f}%), {dt:.1f}s")
    for p, line, msg in failures[: args.show]:
        print(f"  {p}:{line}: {msg}")


if __name__ == "__main__":
    main()
