"""Kbuild: build a set of out-of-tree kernel modules from in-memory sources against a kernel build tree.

The one builder behind both checks: ``verify`` (does each module still build after migration, with
no new warning?) and ``verify --boot`` (which then loads the .ko files in a VM). All modules of one
set are built by one ``make -k``: Kbuild builds them in parallel and keeps going past a failing one,
and the compiler's and modpost's messages are attributed back to modules by file name.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field

from migrator.verify.debkernel import which

# "dir/x.c:12:5: error: ..." (the column is absent in some gcc messages, e.g. about #include)
_DIAG_RE = re.compile(r"^(?P<file>(?:.*/)?[\w.+-]+\.[ch]):\d+:(?:\d+:)? (?P<kind>error|warning|fatal error): (?P<msg>.*)$")
# "In file included from dir/x.c:3:" precedes the messages about a header: they belong to x
_FROM_RE = re.compile(r"^In file included from (?:.*/)?(?P<file>[\w.+-]+\.c):\d+")
_MODPOST_RE = re.compile(r"^(?P<kind>ERROR|WARNING): modpost: (?P<msg>.*?)\[(?:.*/)?(?P<mod>[\w-]+)\.ko\](?P<rest>.*)$")


class BuildError(RuntimeError):
    """The build could not run at all (no kernel tree, no make, out of time); the message is for the user."""


@dataclass
class Build:
    """How one module built: ``ok`` means a .ko exists and nothing reported an error about it."""

    ok: bool = False
    ko: str | None = None  # the module file, when ok (gone once the caller removes the build dir)
    errors: list[str] = field(default_factory=list)  # "file: error: message" or "modpost: ..."
    warnings: list[str] = field(default_factory=list)


def module_name(path: str) -> str:
    """The Kbuild name of the module built from ``path``: its base name, non-word characters as ``_``."""
    return re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])


def build_modules(kdir: str, files: dict[str, bytes], modules: list[str], outdir: str,
                  kver: str | None = None, timeout: int = 900) -> dict[str, Build]:
    """Write ``files`` (name -> content) into ``outdir`` and build ``modules`` (names, one ``<name>.c``
    each) there against the kernel build tree ``kdir``; the .ko files stay in ``outdir``.

    With ``kver``, a module whose vermagic names another kernel does not count as built (it would
    not load). Raises BuildError when the build cannot run."""
    if not os.path.isfile(os.path.join(kdir, "Makefile")):
        raise BuildError(f"{kdir}: not a kernel build directory (no Makefile); pass --kernel-build or install "
                         "the kernel headers (Debian: apt-get install linux-headers-amd64)")
    os.makedirs(outdir, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(outdir, name), "wb") as fh:
            fh.write(data)
    # Compile everything and keep going; one object that fails stops modpost for all, so link again
    # with only the objects that compiled. Modpost errors are made warnings (KBUILD_MODPOST_WARN) so
    # that one module's undefined symbol does not hide the others; _attribute reads them back.
    output = _make(kdir, outdir, modules, timeout)
    compiled = [m for m in modules if os.path.exists(os.path.join(outdir, m + ".o"))]
    if compiled and len(compiled) < len(modules):
        output += _make(kdir, outdir, compiled, timeout)
    results = _attribute(output, modules)
    for m, b in results.items():
        ko = os.path.join(outdir, m + ".ko")
        b.ok = os.path.exists(ko) and not b.errors
        if b.ok and kver is not None:
            magic = _vermagic(ko)
            if magic is not None and not magic.startswith(kver + " "):
                b.ok = False
                b.errors.append(f"vermagic {magic!r} does not match {kver}")
        if b.ok:
            b.ko = ko
        elif not b.errors:
            b.errors.append("no .ko produced")
    return results


def _make(kdir: str, outdir: str, modules: list[str], timeout: int) -> str:
    """Run Kbuild's ``modules`` target for ``modules`` in ``outdir``; its output, stdout then stderr."""
    with open(os.path.join(outdir, "Kbuild"), "w") as fh:
        fh.write("".join(f"obj-m += {m}.o\n" for m in modules))
    cmd = ["make", "-k", f"-j{os.cpu_count() or 2}", "-C", kdir, f"M={os.path.abspath(outdir)}",
           "KBUILD_MODPOST_WARN=1", "modules"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError as e:
        raise BuildError("make is not installed (Debian: apt-get install make)") from e
    except subprocess.TimeoutExpired as e:
        raise BuildError(f"building in {outdir} took longer than {timeout}s") from e
    return proc.stdout + proc.stderr


def _attribute(output: str, modules: list[str]) -> dict[str, Build]:
    """The errors and warnings of a Kbuild run, per module: a message about ``x.c`` is module x's, one
    about a header is the module's whose ``In file included from`` chain it follows, and modpost names
    the .ko. An undefined symbol is an error: the module would not load."""
    results = {m: Build() for m in modules}
    current: str | None = None  # the module whose #include chain is being reported
    for line in output.splitlines():
        inc = _FROM_RE.match(line)
        if inc:
            current = module_name(inc.group("file"))
            continue
        d = _DIAG_RE.match(line)
        if d:
            target = results.get(module_name(d.group("file")))
            if target is None and d.group("file").endswith(".h") and current in results:
                target = results[current]
            if target is not None:
                bucket = target.warnings if d.group("kind") == "warning" else target.errors
                bucket.append(f"{os.path.basename(d.group('file'))}: {d.group('kind')}: {d.group('msg')}")
            continue
        current = None
        p = _MODPOST_RE.match(line)
        if p and p.group("mod").replace("-", "_") in results:
            target = results[p.group("mod").replace("-", "_")]
            text = f"modpost: {p.group('msg').strip()} {p.group('rest').strip()}".strip()
            (target.errors if p.group("kind") == "ERROR" or "undefined" in text else target.warnings).append(text)
    return results


def _vermagic(ko: str) -> str | None:
    tool = which("modinfo")
    if tool is None:
        return None
    r = subprocess.run([tool, "-F", "vermagic", ko], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None
