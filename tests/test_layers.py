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


_CHECK_WITHOUT_FIX = """
import sys
from migrator.check.engine import Options, check_bytes
from migrator.check.registry import load_rule
import migrator.rules.bpf_attach_addr as attach
import migrator.rules.tracefs_addr as tracefs

opts = Options(rules=[load_rule(attach), load_rule(tracefs)])
for path in sys.argv[1:]:
    result = check_bytes(path, open(path, "rb").read(), opts)
    assert not result.diagnostics, result.diagnostics
    print("file:", path, *sorted({f.rule for f in result.findings}))
print("engine:", *sorted(m for m in sys.modules if m.startswith("migrator.fix")))
from migrator.cli.main import main
try:
    main(["check", "--no-cache", "-j", "1", "--select", "PM5", *sys.argv[1:]])
except SystemExit:
    pass
print("cli:", *sorted(m for m in sys.modules if m.startswith("migrator.fix")))
"""


def test_check_of_tracefs_and_attach_sites_does_not_import_fix_code():
    """A check run that reports tracefs-addr and bpf-attach-addr never loads ``migrator.fix``: the two
    rules build their edits and refusals in fix(), which imports the fix machinery itself.

    First the engine runs with exactly these two rules (loaded from their modules, without the
    rest of the catalog) over a Python tool, a shell script and C loaders, all reporting PM501/PM502 (the
    Python file holds BPF C, so the C front end runs too): no ``migrator.fix`` module may be
    loaded. Then the CLI's ``check --select PM5``, which loads every rule module: still none.
    """
    files = ["corpus/py/opensnoop_addr.py", "corpus/py/ksym_lookup.py", "corpus/sh/trace_open.sh",
             "corpus/loaders/open_libbpf.c", "corpus/loaders/perf_kprobe.c", "corpus/loaders/tracefs_writer.c"]
    r = subprocess.run([sys.executable, "-c", _CHECK_WITHOUT_FIX, *files], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.splitlines()
    reported = {line.split()[1]: set(line.split()[2:]) for line in lines if line.startswith("file: ")}
    assert all(reported[f] for f in files), reported  # every file reports something
    assert set().union(*reported.values()) == {"bpf-attach-addr", "tracefs-addr"}
    engine = next(line for line in lines if line.startswith("engine:"))
    assert engine == "engine:", engine  # no migrator.fix module listed
    cli = next(line for line in lines if line.startswith("cli:"))
    assert not [m for m in cli.split() if m.startswith("migrator.fix")], cli


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
    # Python 2 does not parse as Python 3: only string-level checks run, and the read of the
    # symbol file stays reported (whether the script places a probe is unknown)
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
