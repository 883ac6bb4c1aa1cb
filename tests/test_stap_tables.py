"""stap-kprobe-table on hand-written SystemTap 4.x shapes (tests/test_stap_real.py runs the real translator):
what is flagged, what the fix writes, each refusal, and the cost of a kept stap_symbols.c."""

from __future__ import annotations

import time

import pytest

from migrator.check.engine import Options, check_bytes
from migrator.check.registry import all_rules
from migrator.fix.fixer import fix_bytes
from migrator.fix.symbols import load
from migrator.frontends.c import bulk

KERNEL_MAP = """\
ffffffff81000000 T _stext
ffffffff81000000 T _text
ffffffff81363fa0 t do_sys_openat2
ffffffff81364410 T filp_open
ffffffff813669e0 T vfs_read
ffffffff81366b90 T vfs_readv
ffffffff81367160 T vfs_write
ffffffff81367400 T ksys_write
ffffffff81e01d32 T _etext
"""
EXT4 = "ffffffffc0a114d0 t ext4_file_open\t[ext4]\nffffffffc0a117f0 t ext4_file_mmap\t[ext4]\n"


def module(*entries: str, pps: tuple[str, ...] = ()) -> str:
    probes = "\n".join(
        f'  STAP_PROBE_INIT({i}, &probe_{i}, "{pp}", "{pp}", "<input>:{i}:1", " from: {pp}"),'
        for i, pp in enumerate(p.replace('"', '\\"') for p in pps))
    return f"""\
#include "runtime.h"
static struct stap_probe stap_probes[] = {{
{probes}
}};
#include "linux/kprobes.c"
static struct stap_kprobe stap_kprobes[{len(entries)}];
static struct stap_kprobe_probe stap_kprobe_probes[] = {{
{chr(10).join(entries)}
}};
static int systemtap_kernel_module_init (void) {{
  const char* release = UTS_RELEASE;
  if (strcmp (release, "6.1.0-57-amd64")) {{
    return -EINVAL;
  }}
  return stapkp_init(stap_kprobe_probes, ARRAY_SIZE(stap_kprobe_probes));
}}
"""


def entry(i: int, address: str, module_: str = "kernel", section: str = "_stext", extra: str = "") -> str:
    return (f'  {{ {extra}.address=(unsigned long){address}ULL, .module="{module_}", .section="{section}", '
            f".probe=(&stap_probes[{i}]), .kprobe=&stap_kprobes[{i}], }},")


def opts() -> Options:
    return Options(rules=list(all_rules()))


def findings(text: str):
    return check_bytes("stp_x_src.c", text.encode(), opts()).findings


@pytest.fixture
def kmap(tmp_path):
    p = tmp_path / "System.map"
    p.write_text(KERNEL_MAP)
    return load(str(p))


@pytest.fixture
def modmap(tmp_path):
    p = tmp_path / "kallsyms.txt"
    p.write_text(KERNEL_MAP + EXT4)
    return load(str(p))


READ = 'kernel.function("vfs_read@fs/read_write.c:450")'


def test_address_entries_are_flagged_at_address_and_name_their_probe_point():
    text = module(
        entry(0, "0x3669e0"),
        entry(1, "0xffffffff81367160", section=""),
        '  { .address=(unsigned long)0x0ULL, .module="", .section="", .probe=(&stap_probes[2]), '
        '.kprobe=&stap_kprobes[2],\n .symbol_name="vfs_fsync", .offset=(unsigned int)0,\n   },',
        pps=(READ, "kernel.statement(0xffffffff81367160).absolute", 'kprobe.function("vfs_fsync")'))
    got = findings(text)
    lines = [n for n, line in enumerate(text.splitlines(), 1) if ".address=(unsigned long)0xf" in line
             or ".address=(unsigned long)0x3" in line]
    assert [(f.rule, f.line, f.column) for f in got] == [("stap-kprobe-table", n, 6) for n in lines]
    assert len(lines) == 2
    assert READ in got[0].message and "against _stext" in got[0].message
    assert "absolute address 0xffffffff81367160" in got[1].message
    assert "System.map-6.1.0-57-amd64" in got[0].notes[0] and "probe-migrator fix --symbols" in got[0].notes[0]


def test_fix_gives_the_kprobe_function_shape_and_is_idempotent(kmap):
    text = module(entry(0, "0x3669f0"), entry(1, "0xffffffff81367160", section=""),
                  pps=('kernel.statement("vfs_read@fs/read_write.c:452")',
                       "kernel.statement(0xffffffff81367160).absolute"))
    ff = fix_bytes("stp_x_src.c", text.encode(), opts(), kmap)
    assert not ff.refused, ff.refused
    new = ff.new.decode()
    assert ('{ .address=(unsigned long)0x0ULL, .module="", .section="", .symbol_name="vfs_read", '
            '.offset=(unsigned int)0x10, .probe=(&stap_probes[0]), .kprobe=&stap_kprobes[0], },') in new
    assert '.symbol_name="vfs_write", .offset=(unsigned int)0, .probe=(&stap_probes[1])' in new
    assert [line for line in new.splitlines() if line not in text.splitlines()] == [
        line for line in new.splitlines() if ".symbol_name=" in line]
    assert not findings(new)
    assert not fix_bytes("stp_x_src.c", ff.new, opts(), kmap).changed


@pytest.mark.parametrize("pp, extra, address, reason", [
    ('kernel.function("vfs_write@fs/read_write.c:564")', "", "0x3669e0",
     "names vfs_write, but _stext+0x3669e0 = 0xffffffff813669e0 resolves to vfs_read+0x0"),
    ('kernel.function("vfs_read@fs/read_write.c:450").return', ".return_p=1, ", "0x3669f0",
     "is a return probe, but _stext+0x3669f0 = 0xffffffff813669f0 resolves to vfs_read+0x10"),
    ('kernel.statement("vfs_read@fs/read_write.c:452")', "", "0x1000", "no function in"),
])
def test_fix_refuses_with_the_reason(pp, extra, address, reason, kmap):
    ff = fix_bytes("stp_x_src.c", module(entry(0, address, extra=extra), pps=(pp,)).encode(), opts(), kmap)
    assert not ff.changed
    (refusal,) = ff.refused
    assert reason in refusal[1], refusal[1]


MODULE_PP = 'module("ext4").function("ext4_file_open@fs/ext4/file.c:846")'
MODULE_ENTRY = ('  { .address=(unsigned long)0x114d0ULL, .module="ext4", .section=".text", .probe=(&stap_probes[0]), '
                '.kprobe=&stap_kprobes[0],\n#if LINUX_VERSION_CODE >= KERNEL_VERSION(3,10,0)\n'
                ' .symbol_name="ext4:ext4_file_open", .offset=(unsigned int)0,\n#endif\n   },')


def test_module_entry_is_flagged_though_it_carries_a_fallback_symbol_name(kmap):
    (f,) = findings(module(MODULE_ENTRY, pps=(MODULE_PP,)))
    assert "used only when that relocation fails" in f.message and "/proc/kallsyms" in f.notes[0]
    ff = fix_bytes("stp_x_src.c", module(MODULE_ENTRY, pps=(MODULE_PP,)).encode(), opts(), kmap)
    assert not ff.changed and "has no symbols of ext4" in ff.refused[0][1]


def test_module_entry_is_fixed_with_the_modules_symbols(modmap):
    text = module(MODULE_ENTRY, pps=(MODULE_PP,))
    ff = fix_bytes("stp_x_src.c", text.encode(), opts(), modmap)
    assert not ff.refused, ff.refused
    new = ff.new.decode()
    # .module stays: the runtime matches a module symbol_name by it (stapkp_symbol_callback)
    assert '.address=(unsigned long)0x0ULL, .module="ext4", .section="", .probe' in new
    assert '.symbol_name="ext4:ext4_file_open", .offset=(unsigned int)0,' in new
    assert not findings(new)


def test_without_a_map_the_refusal_says_what_to_run():
    ff = fix_bytes("stp_x_src.c", module(entry(0, "0x3669e0"), pps=(READ,)).encode(), opts(), None)
    assert "probe-migrator fix --symbols /usr/lib/debug/boot/System.map-6.1.0-57-amd64" in ff.refused[0][1]


def test_the_2008_table_stays_addr_relocated():
    from conftest import CORPUS

    got = {f.rule for f in check_bytes("m.c", (CORPUS / "b" / "stap2008_kprobes.c").read_bytes(), opts()).findings}
    assert got == {"addr-relocated"}


def symbol_file(n: int, unwind_bytes: int = 0) -> str:
    lines = ['#include <linux/module.h>', '#include <sym.h>']
    if unwind_bytes:
        lines.append("static uint8_t _stp_module_0_debug_frame[] = ")
        row = "   " + "20,0,0,0,255,255,255,255,1,0,1,120,16,12,7,8,"
        lines.append("  {" + "\n".join([row] * (unwind_bytes // 48)) + "0,};")
    lines.append("static struct _stp_symbol _stp_module_0_symbols_0[] = {")
    lines += [f'  {{ {0x100 * i:#x}, "{"kprobe_emulate_ret" if i == 7 else f"sym_{i}"}" }},' for i in range(n)]
    lines.append("};")
    lines.append('static struct _stp_module _stp_module_0 = { .name = "kernel", .path = "/boot/vmlinux" };')
    return "\n".join(lines) + "\n"


def test_a_kept_symbol_table_is_reported_once_and_fast():
    text = symbol_file(115315, unwind_bytes=3_000_000)
    t0 = time.monotonic()
    got = check_bytes("stap_symbols.c", text.encode(), opts())
    took = time.monotonic() - t0
    assert [(f.rule, f.line) for f in got.findings] == [("embedded-symbol-table", text.count("\n", 0, text.index(
        "_stp_module_0_symbols_0")) + 1)]
    assert "(115299 entries)" in got.findings[0].message  # 0x0..0xf00 are not addresses
    assert took < 20, took  # about 1.5 s; lexing it token by token took a minute


def test_the_fast_path_counts_as_the_lexer_does(monkeypatch):
    text = symbol_file(3000) + "struct s { unsigned long a; const char *n; };\nstatic struct s small[] = {\n" + \
        '  { 0x1000, "a" },\n  { 0x2000, "b" },\n};\n'
    fast = [(f.line, f.column, f.message) for f in findings(text)]
    monkeypatch.setattr(bulk, "MIN_BODY", 1 << 30)
    slow = [(f.line, f.column, f.message) for f in findings(text)]
    assert fast == slow and len(fast) == 2


@pytest.mark.parametrize("text", [
    "a" * 2_000_000,  # one identifier
    "static int x[] = {" + "1," * 1_000_000,  # no closing brace
    "= {" * 300_000,
    "y[] = {" + '{ 0x1000, "s" },' * 200_000 + "{ 0x1000, ",  # pairs cut short
], ids=["identifier", "unclosed-numbers", "openers", "unclosed-pairs"])
def test_the_data_scanner_stays_linear(text):
    t0 = time.monotonic()
    out = bulk.strip(text)
    assert time.monotonic() - t0 < 10
    assert len(out) == len(text)
