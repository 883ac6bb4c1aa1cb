"""symbols --boot: a real symbol map of a Debian kernel, read from /proc/kallsyms of a nokaslr boot.

Debian's linux-image packages ship System.map as a stub (the real one is in the huge -dbg package),
so the map that ``fix --symbols`` needs is taken from the running kernel instead.
"""

from __future__ import annotations

import gzip
import re
import shutil
import sys
import tempfile
import time

from migrator.core import atomic
from migrator.verify.debkernel import BootError, Kernel, Log, log_stderr
from migrator.verify.qemu import boot_modules

_MARKERS = frozenset(("_text", "_stext", "_etext", "_sinittext", "_einittext", "_end"))


def text_only(kallsyms: str) -> str:
    """Text symbols (and the section markers symbols.load uses), as in corpus/maps."""
    out = []
    for line in kallsyms.splitlines():
        words = line.split()
        if len(words) >= 4 and words[3].startswith("[__builtin__"):
            continue  # trampolines of ftrace/kprobes/bpf, not code of the kernel image
        if len(words) >= 3 and (words[1] in "tTwW" or words[2] in _MARKERS):
            out.append(line)
    return "\n".join(out) + "\n"


def dump_kallsyms(kernel: Kernel, timeout: float = 600, log: Log = log_stderr) -> tuple[str, float]:
    """Boot with nokaslr and return /proc/kallsyms (the real System.map, which Debian ships as a stub)."""
    work = tempfile.mkdtemp(prefix="probe-migrator-kallsyms-")
    try:
        boot = boot_modules(kernel, [], work, kaslr=False, timeout=timeout, kallsyms=True, log=log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if boot.kallsyms is None:
        raise BootError("the guest sent no /proc/kallsyms" + (f" ({boot.info['kallsyms-error']})"
                                                              if "kallsyms-error" in boot.info else ""))
    text = boot.kallsyms.decode("utf-8", "replace")
    found = re.search(r"^([0-9a-f]+) T _text$", text, re.M)
    if found is None or not found.group(1).strip("0"):
        raise BootError("the guest's /proc/kallsyms has no addresses (kptr_restrict)")
    return text, boot.wall


def run_symbols_boot(output: str | None, kver: str | None, text: bool, timeout: float) -> int:
    from migrator.fix.symbols import MapError, load
    from migrator.verify import debkernel

    t0 = time.monotonic()
    try:
        kernel = debkernel.setup(kver)
        data, vm = dump_kallsyms(kernel, timeout)
    except BootError as e:
        log_stderr(f"error: {e}")
        return 2
    if text:
        data = text_only(data)
    if output is None or output == "-":
        sys.stdout.write(data)
        sys.stdout.flush()
    else:
        raw = data.encode("utf-8")
        atomic.replace(output, gzip.compress(raw, compresslevel=9) if output.endswith(".gz") else raw)
        try:
            smap = load(output)
        except MapError as e:
            log_stderr(f"error: the saved map does not load: {e}")
            return 2
        log_stderr(f"{output}: {len(smap.text)} text symbols of {kernel.kver} (nokaslr; _text at "
                f"{smap.markers.get('_text', 0):#x})")
    log_stderr(f"booted {kernel.kver} in {vm:.1f}s; total {time.monotonic() - t0:.1f}s")
    return 0
