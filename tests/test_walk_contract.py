"""The walk never hides what a front end would report: for every corpus file (corpus/wild too),
``check DIR`` reports exactly what ``check FILE`` reports for that file."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from migrator.check.discover import walk
from migrator.check.engine import Options, check_paths
from migrator.check.registry import all_rules

SOURCE_DIRS = sorted({p.parent for p in CORPUS.rglob("*.expected")})


def _findings(paths: list[str]) -> dict[str, list[tuple[int, int, str]]]:
    opts = Options(rules=list(all_rules()), jobs=1)
    return {r.path: sorted((f.line, f.column, f.rule) for f in r.findings)
            for r in check_paths(paths, opts) if r.findings}


@pytest.mark.parametrize("folder", SOURCE_DIRS, ids=[str(d.relative_to(CORPUS)) for d in SOURCE_DIRS])
def test_walk_reports_what_naming_reports(folder):
    walked = _findings([str(folder)])
    named: dict[str, list[tuple[int, int, str]]] = {}
    for f in sorted(folder.iterdir()):
        if f.is_file() and f.suffix not in (".expected", ".fixed", ".md") and f.name != "GAPS":
            named.update(_findings([str(f)]))
    assert walked == named


def test_extensionless_scripts_and_tc_files_are_walked(tmp_path):
    (tmp_path / "tool").write_text("#!/usr/bin/env bash\necho hi\n")
    (tmp_path / "probe").write_text("#!/usr/bin/python3\nprint(1)\n")
    (tmp_path / "case.tc").write_text("#!/bin/sh\n")
    (tmp_path / "Makefile").write_text("#!/bin/sh\nall:\n")  # make reads a #! line as a comment
    (tmp_path / "Kconfig").write_text("#!/bin/sh\n")
    (tmp_path / "blob").write_bytes(b"\x7fELF")
    (tmp_path / "link").symlink_to(tmp_path / "tool")  # the file itself is walked; a link to it is not
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "deeper.sh").write_text("#!/bin/sh\n")
    (tmp_path / "a.sh").write_text("#!/bin/sh\n")
    (tmp_path / "looped").symlink_to(sub, target_is_directory=True)  # never followed
    got = [c.path[len(str(tmp_path)) + 1:] for c in walk([str(tmp_path)], []) if not isinstance(c, tuple)]
    # a directory's files in name order, then its subdirectories
    assert got == ["a.sh", "case.tc", "probe", "tool", "sub/deeper.sh"]


def test_a_script_reading_system_map_without_kprobe_is_read(tmp_path):
    script = tmp_path / "addrs"
    script.write_text('#!/bin/sh\nMAP=/boot/System.map-$(uname -r)\ngrep " T do_exit$" "$MAP"\n')
    # forced: a user-space script that reads the map and places no probe is a symbolizer, no finding
    opts = Options(rules=list(all_rules()), jobs=1, context="module")
    (walked,) = [r for r in check_paths([str(tmp_path)], opts)]
    (named,) = list(check_paths([str(script)], opts))
    assert not walked.skipped and not named.skipped
    assert [f.rule for f in walked.findings] == [f.rule for f in named.findings] == ["kallsyms-parse"]


@pytest.mark.parametrize("line", [
    'if [ -f $4/System.map-$1 ]; then',
    'elif [ -r "/boot/System.map-$(uname -r)" ]; then',
    '  mv $4/System.map-$1 $4/System.map-$1.old',
    'cp -v -- "${objtree}/System.map" "${tmpdir}/boot/System.map-${KERNELRELEASE}"',
    'for file in "${KBUILD_IMAGE}" System.map',
    '\t( cd $d; rm -f */vmlinux */System.map )',
])
def test_a_map_copied_or_tested_is_not_read(run_check, line):
    assert run_check(f"#!/bin/sh\n{line}\n", "install.sh").findings == []


@pytest.mark.parametrize("line", [
    'MAP=${1:-/boot/System.map-$(uname -r)}',
    "awk '$3 == \"do_exit\" { print $1 }' /boot/System.map-$(uname -r)",
    'ADDR=$(grep " T foo$" /proc/kallsyms | cut -d" " -f1)',
])
def test_a_map_read_is_still_a_finding(run_check, line):
    """What the shell front end reads as a map read (reported where the context says it matters)."""
    assert [f.rule for f in run_check(f"#!/bin/sh\n{line}\n", "addrs.sh", "module").findings] == ["kallsyms-parse"]
    assert run_check(f"#!/bin/sh\n{line}\n", "addrs.sh").findings == []  # a symbolizer: places no probe


@pytest.mark.parametrize("line", [
    'if grep -q " T foo$" /proc/kallsyms; then echo "p:f foo" > kprobe_events; fi',
    'n=$(grep -c " [tT] foo$" /proc/kallsyms); echo "p:f foo" > kprobe_events',
    'F=`grep " [tT] vfs_read$" /proc/kallsyms | cut -d" " -f3`; echo "p:f $F" > kprobe_events',
    "F=$(awk '$3 ~ /^vfs_/ { print $3 }' /proc/kallsyms | head -1); echo \"p:f $F\" > kprobe_events",
    'KSYMS=/proc/kallsyms\n[ -r $KSYMS ] && grep -qw linux_banner $KSYMS && echo "p:f foo" > kprobe_events',
])
def test_a_read_of_names_counts_or_existence_is_not_an_address_read(run_check, line):
    """A probing script that takes only names (field 3), counts or existence out of the symbol file."""
    assert run_check(f"#!/bin/sh\n{line}\n", "names.sh", "module").findings == []


@pytest.mark.parametrize(("line", "col"), [
    ('perf probe -a 0xffffffff81363fb1', 15),
    ('lttng enable-event -k --function="0x$A" ev', 35),
    ("bpftrace -e 'kretprobe:0x${A} { exit(); }'", 24),
])
def test_a_tracer_cli_given_an_address_is_read_without_saying_kprobe(run_check, line, col):
    got = [(f.column, f.rule) for f in run_check(f"#!/bin/sh\n{line}\n", "t.sh").findings]
    assert got == [(col, "cli-probe-addr")]


@pytest.mark.parametrize("line", [
    'perf probe --add "$FUNC"',
    'lttng enable-event --kernel --probe="${FUNC}+0x8" ev',
    "bpftrace -e 'kprobe:vfs_read+0x4 { }'",
    'echo "perf probe 0x10 is an address"',
])
def test_a_tracer_cli_given_a_name_is_clean(run_check, line):
    assert run_check(f"#!/bin/sh\n{line}\n", "t.sh").findings == []


def test_a_file_test_needs_the_test_command(run_check):
    assert [f.rule for f in run_check('#!/bin/sh\ngrep -s " T foo$" /proc/kallsyms\n', "a.sh", "module").findings] \
        == ["kallsyms-parse"]


@pytest.mark.parametrize(("script", "cols"), [
    ('A=$(awk \'$3=="f"{print $1}\' /boot/System.map-$(uname -r))\nmodprobe m at=${A} n=3\n', [15]),
    ("insmod m.ko where=0xffffffff81363fb1 offset=0x10 name=ip_rcv\n", [19]),
    ('echo "insmod m.ko at=0xffffffff81363fb1"\n', []),
    ("B=5\ninsmod m.ko n=$B\n", []),
])
def test_module_parameters_given_kernel_addresses(run_check, script, cols):
    got = [(f.line, f.column) for f in run_check("#!/bin/sh\n" + script, "load.sh").findings
           if f.rule == "modparam-kaddr"]
    assert [c for _, c in got] == cols


@pytest.mark.parametrize(("line", "cols"), [
    ('printf "#define A_%s 0x%lx\\n" "$s" "$a"', [22]),
    ("echo '#define OFF 0x10'", []),
    ('echo "#define A 0x${a}" # and 0x$b', [17]),
])
def test_headers_generated_from_a_symbol_file(run_check, line, cols):
    script = f"#!/bin/sh\na=$(grep do_exit /proc/kallsyms)\n{line}\n"
    assert [f.column for f in run_check(script, "gen.sh").findings if f.rule == "sysmap-header-gen"] == cols


def test_kprobe_multi_by_address_and_the_ftrace_list(run_check):
    text = """#include <bpf/bpf.h>
#define L "/sys/kernel/debug/tracing/available_filter_functions_addrs"
void f(struct bpf_link_info *info, unsigned long *w)
{
	struct bpf_link_create_opts o = {};
	FILE *fp = fopen(L, "r");
	info->kprobe_multi.addrs = (__u64)w;
	o.kprobe_multi.addrs = w;
	o.kprobe_multi.addrs = NULL;
}
"""
    got = [(f.line, f.column, f.rule) for f in run_check(text, "l.c").findings]
    assert got == [(6, 19, "ftrace-addrs-parse"), (8, 25, "kprobe-multi-addrs")]


@pytest.mark.parametrize(("text", "name", "cols"), [
    ('#include <linux/kprobes.h>\nvoid f(struct kprobe *kp) { pr_info("kp.addr = %p\\n", kp->addr); }\n', "m.c", []),
    ('#include <stdio.h>\n/* kprobe */\nvoid f(void) { printf("p->addr = (void *)%lu;\\n", 1UL); }\n', "g.c", [27]),
    ('import sys\n# kprobe\nsys.stdout.write("kp.addr = NULL;\\n%s" % "")\n', "g.py", []),
])
def test_generated_probe_addr(run_check, text, name, cols):
    assert [f.column for f in run_check(text, name).findings if f.rule == "generated-probe-addr"] == cols


def test_the_kernel_creating_the_ftrace_list_is_not_reading_it(run_check):
    text = '#include <linux/kprobes.h>\nvoid f(void) { trace_create_file("available_filter_functions_addrs", 0444); }\n'
    assert run_check(text, "ftrace.c").findings == []


def test_a_library_forwarding_its_callers_addrs_is_not_attaching_by_address(run_check):
    text = """#include <bpf/bpf.h>
int f(const struct bpf_kprobe_multi_opts *opts, struct bpf_kprobe_multi_opts *o2)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts);
	const unsigned long *addrs = OPTS_GET(opts, addrs, false);
	lopts.kprobe_multi.addrs = addrs;
	lopts.kprobe_multi.addrs = o2->addrs;
	return 0;
}
"""
    assert run_check(text, "lib.c").findings == []


@pytest.mark.parametrize("context", [None, "builtin", "userspace"])
def test_the_prefilter_hides_nothing_the_front_end_reports(context, monkeypatch):
    """Every corpus file gives the same findings with the prefilter's second stage (the shapes a
    finding needs, fewer of them outside modules) as with every file that passes the first stage
    sent to the front end: the prefilter only saves time. Forced contexts run the non-module
    signal sets over module-style code too."""
    from migrator.check import engine

    files = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix not in (".expected", ".fixed", ".md")
             and p.name != "GAPS" and "maps" not in p.parts]
    opts = Options(rules=list(all_rules()), jobs=1, context=context)

    def run() -> dict[str, list[tuple[int, int, str]]]:
        return {str(p): sorted((f.line, f.column, f.rule) for f in engine.check_bytes(str(p), p.read_bytes(), opts).findings)
                for p in files}

    filtered = run()
    monkeypatch.setattr(engine, "second_stage", lambda *_a, **_k: True)
    assert run() == filtered
    assert sum(map(len, filtered.values())) > 300


def test_a_named_file_the_prefilter_drops_says_why_under_verbose(tmp_path):
    import subprocess
    import sys

    plain = tmp_path / "plain.c"
    plain.write_text("int main(void) { return 0; }\n")
    (tmp_path / "also.c").write_text("int f(void) { return 1; }\n")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "migrator", "check", "--no-cache", *args],
                              capture_output=True, text=True, timeout=120)

    named = run("-v", str(plain))
    assert named.returncode == 0
    assert f"{plain}: info: not analysed: it holds none of the words and shapes a rule looks for" in named.stderr
    assert "0 findings in 1 file (0 analysed)" in named.stderr
    assert "not analysed" not in run(str(plain)).stderr  # info only under -v
    assert "not analysed" not in run("-v", str(tmp_path)).stderr  # a walked file is only counted
