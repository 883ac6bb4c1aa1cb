"""The other probe layers: Python tools, tracefs scripts, BPF and perf loaders."""

from __future__ import annotations

import subprocess
import sys

from conftest import CORPUS, ROOT

from migrator.check.discover import front_end, walk
from migrator.check.engine import Options
from migrator.check.registry import all_rules
from migrator.fix.fixer import fix_bytes
from migrator.fix.symbols import load
from migrator.frontends.python.literals import scan

MAP = CORPUS / "maps" / "debian-6.1.0-56-amd64.kallsyms.gz"


def rules_at(result):
    return [(f.line, f.column, f.rule) for f in result.findings]


def test_a_run_over_c_files_does_not_import_libcst():
    code = ("import sys\nfrom migrator.cli.main import main\n"
            "try:\n    main(['check', 'corpus/a', 'corpus/b', 'corpus/loaders'])\nexcept SystemExit:\n    pass\n"
            "assert 'libcst' not in sys.modules, 'libcst imported'\n"
            "assert 'migrator.frontends.python.front' not in sys.modules\nprint('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.stdout.strip().endswith("ok"), r.stderr[-2000:]


def test_literal_positions_map_through_escapes_raw_and_concatenation():
    text = 'x = ("a\\tb"  # c\n     r"\\q" \'\'\'z\n\'\'\')\n'
    start = text.index("(") + 1
    end = text.rindex(")")
    lit = scan(text, start, end, "a\tb\\qz\n")
    assert lit.exact and not lit.triple
    assert text[lit.offset(0)] == "a" and text[lit.offset(2)] == "b"
    assert text[lit.offset(1)] == "\\" and not lit.verbatim[1]  # \t maps to its backslash
    assert text[lit.offset(3):lit.offset(3) + 2] == "\\q" and lit.verbatim[3] and lit.verbatim[4]
    assert text[lit.offset(5)] == "z"


def test_literal_that_does_not_decode_maps_to_its_start():
    lit = scan('"abc"', 0, 5, "something else")
    assert not lit.exact and lit.offset(3) == 0


def test_embedded_c_position_and_escape_fallback(run_check):
    src = ('from bcc import BPF\nprog = """\n#include <linux/kprobes.h>\nstatic struct kprobe kp;\n'
           'int f(void)\n{\n\tkp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;\n\treturn register_kprobe(&kp);\n}\n"""\n'
           'BPF(text=prog)\n')
    r = run_check(src, "tool.py")
    assert rules_at(r) == [(7, 5, "addr-literal")]
    one_line = ('from bcc import BPF\nprog = "#include <linux/kprobes.h>\\nstatic struct kprobe kp;\\n'
                'int f(void) { kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60; return register_kprobe(&kp); }\\n"\n'
                'BPF(text=prog)\n')
    r = run_check(one_line, "tool.py")
    assert rules_at(r) == [(2, 80, "addr-literal")]
    assert "reported but not rewritten" in r.findings[0].notes[-1]


def test_embedded_c_fix_rewrites_inside_the_literal():
    src = (b'from bcc import BPF\nprog = """\n#include <linux/kprobes.h>\nstatic struct kprobe kp;\n'
           b'int f(void)\n{\n\tkp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;\n\treturn register_kprobe(&kp);\n}\n"""\n'
           b'BPF(text=prog)\n')
    ff = fix_bytes("tool.py", src, Options(rules=list(all_rules())), load(str(MAP)))
    assert ff.new == src.replace(b"kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;", b'kp.symbol_name = "kernel_clone";')


def test_tracefs_deletion_and_symbol_definitions_are_clean(run_check):
    r = run_check("#!/bin/sh\necho '-:kp/x' >> kprobe_events\necho 'p:kp/x vfs_read+0x10' >> kprobe_events\n"
                  "echo 'p vfs_read' >> kprobe_events\n", "t.sh")
    assert r.findings == []


def test_tracefs_definition_without_event_name_and_maxactive(run_check):
    r = run_check("echo 'p 0xffffffff813669e0' >> kprobe_events\necho 'r10:g/e 0xffffffff813669e0' >> kprobe_events\n",
                  "t.sh")
    assert [(f.line, f.rule) for f in r.findings] == [(1, "tracefs-addr"), (2, "tracefs-addr")]


def test_kretprobe_definition_with_offset_is_refused():
    data = b"echo 'r:kp/x 0xffffffff81363fb1' >> kprobe_events\n"
    ff = fix_bytes("t.sh", data, Options(rules=list(all_rules())), load(str(MAP)))
    assert not ff.changed and "function entry" in ff.refused[0][1]


def test_uprobe_definitions_are_not_tracefs_addr(run_check):
    r = run_check("echo 'p:up/bash /bin/bash:0x4245c0' >> uprobe_events  # kprobe_events too\n", "u.sh")
    assert r.findings == []


def test_front_end_by_extension_and_shebang():
    assert front_end("x.c", b"") == "c" and front_end("x.py", b"") == "py" and front_end("x.bash", b"") == "sh"
    assert front_end("tool", b"#!/usr/bin/env python3\n") == "py"
    assert front_end("tool", b"#!/bin/bash\n") == "sh"


def test_python_file_by_shebang_is_checked(tmp_path, run_check):
    r = run_check("#!/usr/bin/python3\nb.attach_kprobe(event=0xffffffff81363fb1, fn_name='f')\n", "tool")
    assert [f.rule for f in r.findings] == ["bpf-attach-addr"]


def test_walk_includes_python_and_shell(tmp_path):
    for name in ("a.py", "b.sh", "c.bash", "d.c", "e.txt"):
        (tmp_path / name).write_text("")
    names = sorted(c.path.rsplit("/", 1)[-1] for c in walk([str(tmp_path)], []) if not isinstance(c, tuple))
    assert names == ["a.py", "b.sh", "c.bash", "d.c"]


def test_python_2_file_is_not_an_error(run_check):
    r = run_check('print "reading"\nf = open("/proc/kallsyms")\n', "old.py")
    assert [f.rule for f in r.findings] == ["kallsyms-parse"]
    assert [d.kind for d in r.diagnostics] == ["syntax"]


def test_perf_uprobe_with_a_path_is_clean(run_check):
    src = ("#include <linux/perf_event.h>\nint f(void) {\n\tstruct perf_event_attr attr = {\n\t\t.type = 7,\n"
           "\t\t.config1 = (__u64)(unsigned long)\"/bin/bash\",\n\t\t.config2 = 0x4245c0,\n\t};\n"
           "\treturn 0; /* kprobe */\n}\n")
    assert run_check(src, "u.c").findings == []


def test_all_nodes_is_ast_walk_in_order():
    import ast

    from migrator.frontends.python.front import all_nodes

    for path in sorted(ROOT.glob("corpus/**/*.py")):
        tree = ast.parse(path.read_bytes())
        assert [id(n) for n in all_nodes(tree)] == [id(n) for n in ast.walk(tree)], path
