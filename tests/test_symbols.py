"""Symbol maps and address resolution."""

from __future__ import annotations

import gzip

import pytest

from migrator.fix.symbols import MapError, load

KALLSYMS = """\
ffffffff81000000 T _stext
ffffffff81000000 T _text
ffffffff81001000 t __pfx_local_helper
ffffffff81001010 t local_helper
ffffffff81002000 T vfs_read
ffffffff81002000 T __vfs_read_alias
ffffffff81002000 W vfs_read_weak
ffffffff81003000 T __x64_sys_close
ffffffff81003000 t __se_sys_close
ffffffff81004000 t type_show
ffffffff81005000 t type_show
ffffffff81006000 t fixup.isra.0
ffffffff81006100 T __kprobes_text_end
ffffffff81007000 T _etext
ffffffff82000000 D some_data
ffffffffc0a00000 t ext4_file_open\t[ext4]
ffffffffc0a00100 t ext4_sync_file\t[ext4]
"""


@pytest.fixture
def kmap(tmp_path):
    p = tmp_path / "kallsyms"
    p.write_text(KALLSYMS)
    return load(str(p))


def test_greatest_symbol_at_or_below(kmap):
    r = kmap.resolve(0xFFFFFFFF81002011)
    assert r.ok and r.symbol.name == "vfs_read" and r.offset == 0x11


def test_aliases_prefer_global_then_plain_name(kmap):
    assert kmap.resolve(0xFFFFFFFF81002000).symbol.name == "vfs_read"
    assert kmap.resolve(0xFFFFFFFF81003000).symbol.name == "__x64_sys_close"  # global over local


def test_duplicate_names_are_refused(kmap):
    r = kmap.resolve(0xFFFFFFFF81004004)
    assert not r.ok and "type_show occurs 2 times" in r.refused


def test_outside_text_and_module_space(kmap, tmp_path):
    assert "outside the kernel text" in kmap.resolve(0xFFFFFFFF82000010).refused
    r = kmap.resolve(0xFFFFFFFFC0A00104)
    assert r.ok and r.symbol.qualified == "ext4:ext4_sync_file" and r.offset == 4
    no_modules = tmp_path / "nomod"
    no_modules.write_text("\n".join(line for line in KALLSYMS.splitlines() if "[" not in line) + "\n")
    r = load(str(no_modules)).resolve(0xFFFFFFFFC0A00104)
    assert not r.ok and "module space" in r.refused


def test_clone_names_warn(kmap):
    r = kmap.resolve(0xFFFFFFFF81006008)
    assert r.ok and r.symbol.name == "fixup.isra.0" and "compiler clone" in r.warnings[0]


def test_offset_past_the_symbol_is_refused(kmap):
    # vfs_read's successor starts at 0x81003000; __x64_sys_close is followed by type_show, so an
    # address in the last symbol before _etext but past _etext is refused
    assert "outside the kernel text" in kmap.resolve(0xFFFFFFFF81007010).refused


def test_an_address_past_a_linker_marker_is_in_no_function(kmap):
    # a gap in the map after a section end: "__kprobes_text_end+0x80" would name no function
    r = kmap.resolve(0xFFFFFFFF81006180)
    assert not r.ok and "linker marker __kprobes_text_end" in r.refused
    assert kmap.resolve(0xFFFFFFFF81006008).ok  # the function before the marker still resolves


def test_system_map_and_nm_and_gzip(tmp_path):
    p = tmp_path / "System.map.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("ffffffff81000000 T _text\nffffffff81002000 T vfs_read\nffffffff81009000 T _etext\n")
    assert load(str(p)).resolve(0xFFFFFFFF81002004).symbol.name == "vfs_read"
    nm = tmp_path / "nm.txt"
    nm.write_text("0000000000000010 T probe_target\n0000000000000000 t helper\n                 U printk\n")
    assert load(str(nm)).resolve(0x14).symbol.name == "probe_target"


@pytest.mark.parametrize("content", ["", "not a map at all\nreally not\n", "\x00\x01\x02"])
def test_malformed_maps_are_refused_with_a_message(tmp_path, content):
    p = tmp_path / "bad.map"
    p.write_text(content)
    with pytest.raises(MapError, match="bad.map"):
        load(str(p))


def test_missing_map(tmp_path):
    with pytest.raises(MapError, match="nowhere"):
        load(str(tmp_path / "nowhere"))
