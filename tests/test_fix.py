"""fix: expected migrations, real git apply / patch -p1 / git am, --write, idempotence, verify."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
from conftest import CORPUS, ROOT, corpus_modules

from migrator.check.engine import Options
from migrator.check.registry import all_rules
from migrator.fix.fixer import fix_bytes
from migrator.fix.patches import Changed, atomic_write
from migrator.fix.symbols import load

MAP = CORPUS / "maps" / "debian-6.1.0-56-amd64.kallsyms.gz"
MODULES = corpus_modules()
IDS = [str(m.relative_to(CORPUS)) for m in MODULES]


@pytest.fixture(scope="module")
def symbols():
    return load(str(MAP))


def expected_after(module) -> bytes:
    fixed = module.with_name(module.name + ".fixed")
    return fixed.read_bytes() if fixed.exists() else module.read_bytes()


def cli(*args, cwd=None, check_rc=None):
    r = subprocess.run([sys.executable, "-m", "migrator", *args], cwd=cwd, capture_output=True, timeout=300)
    if check_rc is not None:
        assert r.returncode == check_rc, r.stderr.decode()
    return r


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (.ci/run installs it with apt-get)")


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_fix_matches_expected_migration(module, symbols):
    ff = fix_bytes(str(module), module.read_bytes(), Options(rules=list(all_rules())), symbols)
    assert (ff.new if ff.changed else module.read_bytes()) == expected_after(module)


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_fix_of_fixed_output_is_a_no_op(module, symbols):
    data = expected_after(module)
    ff = fix_bytes(str(module), data, Options(rules=list(all_rules())), symbols)
    assert not ff.changed


@pytest.fixture
def tree(tmp_path):
    """A copy of the corpus as a user's source tree (a git repository)."""
    need("git")
    root = tmp_path / "tree"
    # corpus/wild holds shapes scored by tests/test_wild.py, not migration examples
    shutil.copytree(CORPUS, root / "corpus", ignore=shutil.ignore_patterns("*.fixed", "*.expected", "wild"))
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(git + ["add", "-A"], cwd=root, check=True)
    subprocess.run(git + ["commit", "-qm", "legacy modules"], cwd=root, check=True)
    return root


def assert_tree_is_migrated(root):
    for module in MODULES:
        got = (root / "corpus" / module.relative_to(CORPUS)).read_bytes()
        assert got == expected_after(module), module


def test_diff_applies_with_git_apply(tree, tmp_path):
    r = cli("fix", "--symbols", str(MAP), "corpus", cwd=tree, check_rc=1)
    patch = tmp_path / "fix.diff"
    patch.write_bytes(r.stdout)
    subprocess.run(["git", "apply", "--check", str(patch)], cwd=tree, check=True)
    subprocess.run(["git", "apply", str(patch)], cwd=tree, check=True)
    assert_tree_is_migrated(tree)


def test_diff_applies_with_patch_p1(tree, tmp_path):
    need("patch")
    r = cli("fix", "--symbols", str(MAP), "corpus", cwd=tree, check_rc=1)
    patch = tmp_path / "fix.diff"
    patch.write_bytes(r.stdout)
    subprocess.run(["patch", "-p1", "-s", "--binary", "-i", str(patch)], cwd=tree, check=True)
    assert_tree_is_migrated(tree)


def test_series_applies_with_git_am(tree, tmp_path):
    out = tmp_path / "series"
    cli("fix", "--symbols", str(MAP), "--patch-dir", str(out), "corpus", cwd=tree, check_rc=1)
    mails = sorted(out.glob("*.patch"))
    changed = [m for m in MODULES if m.with_name(m.name + ".fixed").exists()]
    assert len(mails) == len(changed)
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "am", "-q", "--keep-cr",
                    *map(str, mails)], cwd=tree, check=True)
    assert_tree_is_migrated(tree)
    log = subprocess.run(["git", "log", "--format=%s", f"-{len(mails)}"], cwd=tree, capture_output=True,
                         text=True, check=True).stdout
    assert "sysmap_openat: locate kprobe openat_kp by symbol_name" in log
    body = next(m for m in mails if "sysmap_openat" in m.name).read_text()
    assert "resolved with" in body and "do_sys_openat2+0x11" in body and "KASLR" in body


def test_write_in_place_keeps_mode_and_is_idempotent(tree):
    target = tree / "corpus" / "a" / "sysmap_openat.c"
    os.chmod(target, 0o640)
    cli("fix", "--write", "--symbols", str(MAP), str(target.relative_to(tree)), cwd=tree, check_rc=1)
    assert target.read_bytes() == expected_after(CORPUS / "a" / "sysmap_openat.c")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".probe-migrator")] == []
    r = cli("fix", "--write", "--symbols", str(MAP), str(target.relative_to(tree)), cwd=tree, check_rc=0)
    assert b"addr" not in r.stdout


def test_write_refuses_a_file_changed_since_it_was_read(tmp_path):
    p = tmp_path / "m.c"
    p.write_bytes(b"new content\n")
    with pytest.raises(Changed):
        atomic_write(str(p), b"what we read earlier\n", b"migrated\n")
    assert p.read_bytes() == b"new content\n"


def test_crlf_latin1_and_missing_final_newline_survive(tmp_path):
    need("git")
    src = (b"/* Auteur: Ren\xe9 */\r\n#include <linux/kprobes.h>\r\nstatic struct kprobe kp;\r\n"
           b"static int __init m_init(void)\r\n{\r\n\tkp.addr = (kprobe_opcode_t *)kallsyms_lookup_name(\"vfs_read\");"
           b"\r\n\treturn register_kprobe(&kp);\r\n}")
    (tmp_path / "m.c").write_bytes(src)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    r = cli("fix", "m.c", cwd=tmp_path, check_rc=1)
    (tmp_path / "d.diff").write_bytes(r.stdout)
    subprocess.run(["git", "apply", "d.diff"], cwd=tmp_path, check=True)
    assert (tmp_path / "m.c").read_bytes() == src.replace(
        b'kp.addr = (kprobe_opcode_t *)kallsyms_lookup_name("vfs_read");', b'kp.symbol_name = "vfs_read";')


def test_unfixed_findings_are_reported_with_the_reason(tmp_path):
    (tmp_path / "m.c").write_text("#include <linux/kprobes.h>\nstatic struct kprobe kp = {\n"
                                  "\t.addr = (kprobe_opcode_t *)0xffffffff81363fb1,\n};\n")
    r = cli("fix", "m.c", cwd=tmp_path, check_rc=0)
    assert r.stdout == b""
    assert b"m.c:3:3: note: not fixed [addr-literal]: needs a symbol map" in r.stderr
    r = cli("fix", "--symbols", str(MAP), "m.c", cwd=tmp_path, check_rc=1)
    assert b'+\t.symbol_name = "do_sys_openat2",\n+\t.offset = 0x11,\n' in r.stdout


def test_exit_codes(tmp_path):
    (tmp_path / "clean.c").write_text('#include <linux/kprobes.h>\nstatic struct kprobe kp = { .symbol_name = "x" };\n')
    cli("fix", "clean.c", cwd=tmp_path, check_rc=0)
    r = cli("fix", "--symbols", "nowhere.map", "clean.c", cwd=tmp_path, check_rc=2)
    assert b"nowhere.map" in r.stderr


@pytest.mark.slow
def test_verify_builds_every_migrated_module_against_debian_headers():
    from migrator.verify.buildcheck import find_debian_headers

    kdir = find_debian_headers()
    if kdir is None or shutil.which("make") is None:
        pytest.skip("Debian kernel headers or make are not installed (.ci/run installs linux-headers-amd64)")
    r = cli("verify", "--format", "json", "--symbols", str(MAP), "--kernel-build", kdir, "--exclude", "*/corpus/wild/*",
            str(CORPUS), cwd=ROOT)
    reports = json.loads(r.stdout)
    assert len(reports) == len([m for m in MODULES if m.suffix == ".c" and m.with_name(m.name + ".fixed").exists()])
    for rep in reports:
        if rep["builds_before"]:
            assert rep["builds_after"] and not rep["new_warnings"], rep
    # the migration is what makes the kallsyms users link at all on 5.7+
    fixed_by_migration = [rep["module"] for rep in reports if not rep["builds_before"] and rep["builds_after"]]
    assert "fsops_multi" in fixed_by_migration
    assert r.returncode == 0, r.stderr
