"""The real SystemTap 4.8 translator: our scripts (corpus/stap/*.stp) translated with ``stap -p3 -k``
for Debian's kernel, then ``check`` and ``fix`` on the kept build directory.

Needs Debian's ``systemtap`` and ``linux-image-<abi>-dbg`` (vmlinux with DWARF, System.map, the
modules with debuginfo) for the <abi> whose headers ``linux-headers-amd64`` depends on; .ci/run
installs them. Nothing generated is kept in the repository: each run translates afresh into a
temporary directory.

Translation only (pass 3): SystemTap 4.8 cannot build modules for Debian's 6.1.0-5x kernels, so the
check is that the C the translator writes is flagged, and that each migrated entry's symbol_name +
offset, resolved through the same System.map, is the address the runtime would have computed from
the original entry (_stext + .address, the absolute address, or the module's .text + .address).

``stap -r`` is given a kernel build tree of its own (symlinks to the headers, the -dbg package's
vmlinux, System.map and modules): with ``-r RELEASE`` it looks for System.map in /boot and for
modules in /lib/modules, where the -dbg package puts neither, and kprobe.function and module()
probes then fail to resolve.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CORPUS

SCRIPTS = CORPUS / "stap"
MODULE_BASE = 0xFFFFFFFFC0A00000  # where the module map says ext4's .text was loaded


def _abi() -> str | None:
    """The ABI (6.1.0-57-amd64) of the headers linux-headers-amd64 depends on."""
    if shutil.which("dpkg-query") is None:
        return None
    r = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", "linux-headers-amd64"], capture_output=True, text=True)
    m = re.search(r"linux-headers-(\d[\w.+~-]*-amd64)\b", r.stdout)
    return m.group(1) if r.returncode == 0 and m else None


@dataclass
class Kernel:
    abi: str
    tree: Path  # the build tree given to stap -r
    system_map: Path  # the -dbg package's System.map
    symbols: dict[str, int]  # name -> address (text symbols of System.map; first occurrence)
    modules: Path  # the -dbg package's modules (with debuginfo)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory) -> Kernel:
    if shutil.which("stap") is None:
        pytest.skip("SystemTap is not installed (`apt-get install systemtap`; .ci/run installs it)")
    abi = _abi()
    if abi is None:
        pytest.skip("linux-headers-amd64 is not installed, so the kernel ABI is unknown (.ci/run installs it)")
    headers = Path(f"/usr/src/linux-headers-{abi}")
    vmlinux = Path(f"/usr/lib/debug/boot/vmlinux-{abi}")
    system_map = Path(f"/usr/lib/debug/boot/System.map-{abi}")
    modules = Path(f"/usr/lib/debug/lib/modules/{abi}/kernel")
    if not headers.is_dir():
        pytest.skip(f"{headers} is missing (`apt-get install linux-headers-{abi}`)")
    if not vmlinux.exists() or not system_map.exists():
        pytest.skip(f"linux-image-{abi}-dbg is not installed (`apt-get install linux-image-{abi}-dbg`, ~860 MB; "
                    ".ci/run installs it)")
    tree = tmp_path_factory.mktemp("kbuild")
    for entry in headers.iterdir():
        if entry.name != "include":
            (tree / entry.name).symlink_to(entry)
    (tree / "include").mkdir()
    for entry in (headers / "include").iterdir():
        if entry.name != "config":
            (tree / "include" / entry.name).symlink_to(entry)
    (tree / "include" / "config").mkdir()
    for entry in (headers / "include" / "config").iterdir():
        if entry.name != "kernel.release":
            (tree / "include" / "config" / entry.name).symlink_to(entry)
    # Debian's headers say 6.1.192 here; the module must be for the ABI (UTS_RELEASE)
    (tree / "include" / "config" / "kernel.release").write_text(abi + "\n")
    (tree / "vmlinux").symlink_to(vmlinux)
    (tree / "System.map").symlink_to(system_map)
    if modules.is_dir():
        (tree / "kernel").symlink_to(modules)
    symbols: dict[str, int] = {}
    for line in system_map.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            symbols.setdefault(parts[2], int(parts[0], 16))
    return Kernel(abi, tree, system_map, symbols, modules)


_generated: dict[str, Path] = {}


def translate(kernel: Kernel, name: str, tmp_path_factory) -> Path:
    """stap -p3 -k for corpus/stap/NAME.stp; the kept directory (translated once per session)."""
    if name in _generated:
        return _generated[name]
    script = SCRIPTS / f"{name}.stp"
    args = []
    if name == "absolute":
        # the absolute address of vfs_read in this kernel, not the one written in the script
        text = re.sub(r"0x[0-9a-f]{16}", f"{kernel.symbols['vfs_read']:#x}", script.read_text())
        script = tmp_path_factory.mktemp("stp") / "absolute.stp"
        script.write_text(text)
        args.append("-g")  # guru mode: kernel.statement(ADDRESS).absolute
    if name == "module" and not (kernel.modules / "fs" / "ext4" / "ext4.ko").exists():
        pytest.skip("ext4.ko with debuginfo is not in the -dbg package")
    out = tmp_path_factory.mktemp(f"stap-{name}")
    r = subprocess.run(["stap", "-r", str(kernel.tree), "-p3", "-k", f"--tmpdir={out}", "-m", f"stp_{name}", *args,
                        str(script)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert (out / f"stp_{name}_src.c").exists(), (os.listdir(out), r.stderr)
    _generated[name] = out
    return out


# -- an independent reading of the generated table (regexes, not the tool's front end) -----------
_ENTRY_RE = re.compile(r"^  \{ (.*?)\n?\s*\},?$", re.MULTILINE | re.DOTALL)
_ITEM_RE = re.compile(r"\.(\w+)=((?:\([^)]*\))?[^,\n]*)")


@dataclass
class Entry:
    line: int  # of the .address designator
    kprobe: str  # .kprobe=&stap_kprobes[N]: the entry's identity
    address: int
    module: str
    section: str
    symbol_name: str | None
    offset: int | None
    is_return: bool
    pp: str


def entries(src: Path) -> list[Entry]:
    text = src.read_text()
    start = text.index("stap_kprobe_probes[] = {")
    end = text.index("\n};", start)
    pps = {int(m.group(1)): m.group(2).replace('\\"', '"')
           for m in re.finditer(r'STAP_PROBE_INIT\((\d+), &\w+, "((?:[^"\\]|\\.)*)"', text)}
    out = []
    pos = start
    for raw in re.finditer(r"\{ \.(?:return_p|address)=.*?\.kprobe=&stap_kprobes\[\d+\],(?:\n[^{}]*?)?\s*\},",
                           text[start:end], re.DOTALL):
        body = raw.group()
        at = start + raw.start()
        pos = at + body.index(".address=")
        items: dict[str, str] = {}
        for line in body.splitlines():
            if line.startswith("#"):
                continue
            for m in _ITEM_RE.finditer(line):
                items[m.group(1)] = m.group(2).strip()

        def number(v: str | None) -> int | None:
            if v is None:
                return None
            return int(re.sub(r"^\([^)]*\)", "", v).rstrip("uUlL"), 0)

        probe = int(re.search(r"stap_probes\[(\d+)\]", items["probe"]).group(1))
        out.append(Entry(
            line=text.count("\n", 0, pos) + 1, kprobe=items["kprobe"], address=number(items["address"]) or 0,
            module=items["module"].strip('"'), section=items["section"].strip('"'),
            symbol_name=items["symbol_name"].strip('"') if "symbol_name" in items else None,
            offset=number(items.get("offset")), is_return=items.get("return_p") == "1", pp=pps[probe]))
    return out


def address_based(e: Entry) -> bool:
    return bool(e.section and e.module) or (not e.section and e.address != 0)


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migrator", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def check_json(directory: Path) -> list[dict[str, object]]:
    r = cli("check", "--no-cache", "--format", "json", str(directory))
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def module_map(kernel: Kernel, out: Path) -> Path:
    """System.map plus ext4's .text symbols as a /proc/kallsyms dump shows them with ext4 loaded at
    MODULE_BASE (its .text there): nm of the -dbg package's ext4.ko, section-relative values."""
    ko = kernel.modules / "fs" / "ext4" / "ext4.ko"
    if shutil.which("nm") is None:
        pytest.skip("nm (binutils) is not installed")
    nm = subprocess.run(["nm", "-f", "sysv", str(ko)], capture_output=True, text=True, check=True).stdout
    lines = [kernel.system_map.read_text()]
    for row in nm.splitlines():
        cols = [c.strip() for c in row.split("|")]
        if len(cols) == 7 and cols[6] == ".text" and cols[3] == "FUNC" and cols[1]:
            lines.append(f"{MODULE_BASE + int(cols[1], 16):016x} {cols[2]} {cols[0]}\t[ext4]\n")
    out.write_text("".join(lines))
    return out


# -- the tests ------------------------------------------------------------------------------------
ADDRESS_SCRIPTS = ["function", "return", "call", "statement", "absolute", "backtrace"]


@pytest.mark.parametrize("name", ADDRESS_SCRIPTS + ["kprobe_function", "module"])
def test_every_address_based_entry_is_flagged_and_no_symbolic_one(name, kernel, tmp_path_factory):
    kept = translate(kernel, name, tmp_path_factory)
    src = kept / f"stp_{name}_src.c"
    table = entries(src)
    assert table, "the translator wrote no stap_kprobe_probes[] entry"
    found = [f for f in check_json(kept) if f["rule"] == "stap-kprobe-table"]
    assert {(f["path"], f["line"]) for f in found} == {(str(src), e.line) for e in table if address_based(e)}
    by_line = {e.line: e for e in table}
    for f in found:
        e = by_line[f["line"]]
        assert e.pp in f["message"]  # the probe point, from stap_probes[]
        if e.section == "_stext":
            assert "against _stext" in f["message"]
        assert any(f"System.map-{kernel.abi}" in n or "kallsyms" in n for n in f["notes"])  # what to run
    if name == "kprobe_function":
        assert not found and all(e.symbol_name == "vfs_fsync" and not e.section for e in table)
    elif name == "absolute":
        assert [(e.section, e.address) for e in table] == [("", kernel.symbols["vfs_read"])]
    elif name == "module":
        assert [(e.module, e.section, e.symbol_name) for e in table] == [("ext4", ".text", "ext4:ext4_file_open")]


def _runtime_address(kernel: Kernel, e: Entry) -> int:
    """What stapkp_prepare_kprobe() would have registered: _stp_kmodule_relocate(module, section, address)."""
    if not e.section:
        return e.address
    if e.module == "kernel":
        assert e.section == "_stext"
        return kernel.symbols["_stext"] + e.address
    return MODULE_BASE + e.address  # ext4's .text, as the module map places it


def _migrate(kernel: Kernel, kept: Path, name: str, symbol_map: Path, tmp_path: Path):
    work = tmp_path / name
    shutil.copytree(kept, work)
    before = entries(work / f"stp_{name}_src.c")
    digest_before = digests(work)
    r = cli("fix", "--symbols", str(symbol_map), "--write", str(work))
    assert r.returncode in (0, 1), r.stderr
    after = {e.kprobe: e for e in entries(work / f"stp_{name}_src.c")}
    return work, before, digest_before, after, r


@pytest.mark.parametrize("name", ADDRESS_SCRIPTS)
def test_fix_migrates_each_entry_to_the_address_the_runtime_computed(name, kernel, tmp_path_factory, tmp_path):
    kept = translate(kernel, name, tmp_path_factory)
    work, before, digest_before, after, r = _migrate(kernel, kept, name, kernel.system_map, tmp_path)
    migrated = refused = 0
    src_name = f"stp_{name}_src.c"
    for e in before:
        if not address_based(e):
            continue
        new = after[e.kprobe]
        if address_based(new):  # left alone: the note says why
            refused += 1
            assert f"{src_name}:{e.line}:" in r.stderr
            note = next(line for line in r.stderr.splitlines() if f"{src_name}:{e.line}:" in line)
            assert "inlined copy" in note, note  # the only reason met with the kernel's own map
            continue
        migrated += 1
        assert (new.module, new.section, new.address) == ("", "", 0)
        assert new.symbol_name and new.offset is not None
        assert kernel.symbols[new.symbol_name] + new.offset == _runtime_address(kernel, e), (e, new)
        assert new.is_return == e.is_return and new.pp == e.pp
        if e.is_return:
            assert new.offset == 0
    assert migrated >= 1
    print(f"{name}: {migrated} migrated, {refused} refused")
    # only the generated C's table changed; the symbol table, aux files and headers are untouched
    digest_after = digests(work)
    assert [k for k in digest_before if digest_before[k] != digest_after[k]] == [src_name]
    old = (kept / src_name).read_text().splitlines()
    new_lines = (work / src_name).read_text().splitlines()
    assert len(old) == len(new_lines)
    lines = [e.line for e in before]
    assert all(min(lines) <= i + 1 <= max(lines) + 3 for i, (a, b) in enumerate(zip(old, new_lines, strict=True)) if a != b)
    # the migrated directory is clean but for the refused entries, and fix is idempotent
    left = [f for f in check_json(work) if f["rule"] == "stap-kprobe-table"]
    assert len(left) == refused
    again = cli("fix", "--symbols", str(kernel.system_map), "--write", str(work))
    assert again.returncode == 0, again.stderr
    assert digests(work) == digest_after


def test_module_entry_needs_the_modules_symbols(kernel, tmp_path_factory, tmp_path):
    kept = translate(kernel, "module", tmp_path_factory)
    work, before, digest_before, after, r = _migrate(kernel, kept, "module", kernel.system_map, tmp_path / "a")
    assert digests(work) == digest_before and r.returncode == 0
    assert "has no symbols of ext4" in r.stderr
    symbol_map = module_map(kernel, tmp_path / "kallsyms-with-ext4.txt")
    work, before, digest_before, after, r = _migrate(kernel, kept, "module", symbol_map, tmp_path / "b")
    assert r.returncode == 1, r.stderr
    (e,) = before
    new = after[e.kprobe]
    assert (new.module, new.section, new.address) == ("ext4", "", 0)  # the runtime matches module symbols by .module
    assert new.symbol_name == "ext4:ext4_file_open" and new.offset is not None
    nm_map = {}
    for line in symbol_map.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] == "[ext4]":
            nm_map[f"ext4:{parts[2]}"] = int(parts[0], 16)
    assert nm_map[new.symbol_name] + new.offset == _runtime_address(kernel, e)
    assert not [f for f in check_json(work) if f["rule"] == "stap-kprobe-table"]
    assert cli("fix", "--symbols", str(symbol_map), "--write", str(work)).returncode == 0


def test_kept_directory_reports_the_embedded_symbol_table_once(kernel, tmp_path_factory):
    kept = translate(kernel, "backtrace", tmp_path_factory)
    tables = [f for f in check_json(kept) if f["rule"] == "embedded-symbol-table"]
    assert len(tables) == 1
    (t,) = tables
    assert t["path"].endswith("stap_symbols.c")
    count = int(re.search(r"\((\d+) entries\)", t["message"]).group(1))
    real = sum(1 for line in (kept / "stap_symbols.c").read_text().splitlines()
               if re.match(r"  \{ 0x[0-9a-f]+, \"", line) and int(line.split()[1].rstrip(","), 16) >= 0x1000)
    assert count == real > 50000  # the whole kernel's table (115,298 entries for 6.1.0-57)
    print(f"embedded symbol table: {count} entries")
