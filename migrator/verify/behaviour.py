"""verify --boot's behavioural check: do the migrated handlers see the arguments the code passed?

A jprobe handler received the probed function's arguments as C parameters; its port reads them
with regs_get_kernel_argument(). Registering at the right place is not enough to prove that: the
guest runs ``pm-args`` (``pm_args.c``, built here with ``gcc -static``), which makes system calls
with known arguments and logs, before each, what the kernel function behind it receives
(``pm-args-call: FUNC NAME=VALUE ...``). A module whose handler logs ``pm-args: FUNC NAME=VALUE ...``
for that program is judged by comparing the two, name by name:

* ``behaves``: for every function the handler logged, one of its lines matches a call's values;
* ``differs``: a function was logged, but never with the values passed (which name, both values);
* ``not-exercised``: the handler logged nothing (or the program could not be built: why).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from importlib import resources

PROGRAM = "pm-args"  # its name is the guest's current->comm, which the handlers test
CALL = "pm-args-call:"
SEEN = "pm-args:"
_LINE = re.compile(r"(pm-args(?:-call)?): (\S+)((?: \w+=\S+)*)\s*$")

_built: dict[str, tuple[bytes | None, str]] = {}


def program(cache: str) -> tuple[bytes | None, str]:
    """The static guest program (built once per source into ``cache``), or None and why not."""
    source = resources.files("migrator.verify").joinpath("pm_args.c").read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    if digest in _built:
        return _built[digest]
    out = os.path.join(cache, f"pm-args-{digest}")
    if not os.path.exists(out):
        gcc = shutil.which("gcc")
        if gcc is None:
            _built[digest] = (None, "gcc is not installed (the guest program pm-args is built with gcc -static)")
            return _built[digest]
        os.makedirs(cache, exist_ok=True)
        src = out + ".c"
        with open(src, "wb") as fh:
            fh.write(source)
        r = subprocess.run([gcc, "-static", "-O2", "-o", out + ".tmp", src], capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            why = (r.stderr.strip().splitlines() or ["no output"])[-1]
            _built[digest] = (None, f"gcc -static could not build pm-args (static libc missing?): {why}")
            return _built[digest]
        os.replace(out + ".tmp", out)
    with open(out, "rb") as fh:
        _built[digest] = (fh.read(), "")
    return _built[digest]


def not_built_reason() -> str:
    """Why the last boot had no guest program ("" if it had one)."""
    return next((why for data, why in _built.values() if data is None), "")


def _lines(log: list[str], tag: str) -> list[tuple[str, dict[str, str]]]:
    out = []
    for line in log:
        m = _LINE.search(line)
        if m and m.group(1) == tag.rstrip(":"):
            out.append((m.group(2), dict(kv.split("=", 1) for kv in m.group(3).split())))
    return out


def judge(log: list[str]) -> tuple[str, str]:
    """The verdict on one migrated module's log, and the detail; ("", "") if it logs no handler line
    and is not a behavioural module."""
    seen, calls = _lines(log, SEEN), _lines(log, CALL)
    if not seen:
        why = not_built_reason() or ("the guest program logged no call" if not calls else
                                     "its handlers logged nothing for the guest program's calls")
        return "not-exercised", why
    checked, problems = [], []
    for func in sorted({f for f, _v in seen}):
        passed = [v for f, v in calls if f == func]
        if not passed:
            problems.append(f"{func}: the guest program makes no call of it")
            continue
        logged = [v for f, v in seen if f == func]
        if any(all(v.get(k) == want for k, want in call.items() if k in v) and set(call) & set(v)
               for v in logged for call in passed):
            checked.append(f"{func}({', '.join(sorted(set(passed[0]) & set(logged[0])))})")
            continue
        call, got = passed[0], logged[-1]
        diff = [f"{k}: passed {call[k]}, handler saw {got[k]}" for k in sorted(set(call) & set(got)) if call[k] != got[k]]
        problems.append(f"{func}: " + ("; ".join(diff) or "no argument the program passed was logged"))
    if problems:
        return "differs", "; ".join(problems)
    return "behaves", "the handlers saw the arguments the guest program passed: " + ", ".join(checked)
