"""A probe never ends up named by a linker marker (trust issue, fix safety): kallsyms_lookup_name("_text")
+ C resolves through the map to the function, and a module already written that way is flagged
and fixed (rules/symbol_name_marker.py)."""

from __future__ import annotations

from conftest import CORPUS

from migrator.check.engine import Options
from migrator.check.registry import all_rules
from migrator.fix.fixer import fix_bytes
from migrator.fix.symbols import load

MAP = CORPUS / "maps" / "debian-6.1.0-56-amd64.kallsyms.gz"
TEXT_PLUS = """\
#include <linux/kprobes.h>
static struct kprobe kp;
static int __init m_init(void)
{
\tkp.addr = (kprobe_opcode_t *)(kallsyms_lookup_name("_text") + 0xa0a60);
\treturn register_kprobe(&kp);
}
"""


def _fix(text: str, with_map: bool):
    return fix_bytes("m.c", text.encode(), Options(rules=list(all_rules())), load(str(MAP)) if with_map else None)


def test_kallsyms_of_a_marker_plus_offset_resolves_to_the_function():
    ff = _fix(TEXT_PLUS, True)
    assert ff.new is not None
    # in the map, _text is 0xffffffff81000000 and kernel_clone 0xffffffff810a0a60
    assert b'\tkp.symbol_name = "kernel_clone";\n' in ff.new
    assert b"_text" not in ff.new and b"offset" not in ff.new


def test_without_a_map_it_is_refused_not_rewritten_onto_the_marker():
    ff = _fix(TEXT_PLUS, False)
    assert ff.new is None or not ff.changed
    assert [(f.rule, "symbol map" in why) for f, why in ff.refused] == [("addr-computed", True)]


def test_a_return_probe_off_entry_is_refused():
    text = ("#include <linux/kprobes.h>\nstatic struct kretprobe rp = {\n\t.kp.symbol_name = \"_text\",\n"
            "\t.kp.offset = 0x363fb1,\n};\n")
    ff = _fix(text, True)
    assert not ff.changed
    assert any(f.rule == "symbol-name-marker" and "function entry" in why for f, why in ff.refused)
