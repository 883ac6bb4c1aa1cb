"""verify --boot's behavioural check of jprobe ports (migrator/verify/behaviour.py): the guest program
pm-args calls the probed functions with known arguments, each ported handler logs what it saw.

The slow test boots the Debian kernel that linux-headers-amd64 points to today, with the four
corpus/jprobe-boot modules as `fix` ports them (checked against their hand-written .fixed first) and
one port with two arguments swapped on purpose, which must be caught."""

from __future__ import annotations

import io
import json

import pytest
from conftest import CORPUS

from migrator.check.engine import Options
from migrator.check.registry import all_rules
from migrator.fix.fixer import fix_bytes
from migrator.verify import behaviour, debkernel
from migrator.verify.boot import verify_boot
from migrator.verify.judge import write_text
from migrator.verify.units import units_from_contents

HERE = CORPUS / "jprobe-boot"
MODULES = sorted(HERE.glob("*.c"))


def test_judge_compares_what_the_handler_saw_with_what_was_passed():
    calls = ["[ 3.1] pm-args-call: vfs_write buf=0x4c6f00 count=4242",
             "[ 3.2] pm-args-call: getname filename=0x498004"]
    assert behaviour.judge(calls + ["[ 3.1] pm-args: vfs_write buf=0x4c6f00 count=4242"])[0] == "behaves"
    verdict, detail = behaviour.judge(calls + ["[ 3.1] pm-args: vfs_write buf=0x4c6f00 count=7"])
    assert verdict == "differs" and "count: passed 4242, handler saw 7" in detail
    assert behaviour.judge(calls)[0] == "not-exercised"
    verdict, detail = behaviour.judge(calls + ["pm-args: ksys_lseek fd=3"])
    assert verdict == "differs" and "no call of it" in detail


def test_the_guest_program_source_ships_with_the_package():
    from importlib import resources

    assert b"pm-args-call:" in resources.files("migrator.verify").joinpath("pm_args.c").read_bytes()


@pytest.fixture(scope="module")
def kernel():
    kver = debkernel.meta_target()
    if kver is None:
        pytest.skip("cannot tell the current Debian kernel: neither apt-cache nor dpkg knows linux-headers-amd64")
    try:
        return debkernel.setup(kver, log=lambda _msg: None)
    except debkernel.MissingPackages as e:
        pytest.skip(f"cannot install what booting {kver} needs: {e}")


@pytest.mark.slow
def test_ported_handlers_see_the_arguments_the_guest_passed(kernel, tmp_path):
    opts = Options(rules=list(all_rules()))
    contents = {}
    for m in MODULES:
        ff = fix_bytes(str(m), m.read_bytes(), opts, None)
        assert ff.new == m.with_name(m.name + ".fixed").read_bytes(), m.name
        contents[str(tmp_path / m.name)] = (m.read_bytes(), ff.new)
    # a wrong port: buf and count read from each other's register
    good = (HERE / "write_args.c.fixed").read_bytes()
    wrong = good.replace(b"regs_get_kernel_argument(regs, 1)", b"regs_get_kernel_argument(regs, @)") \
        .replace(b"regs_get_kernel_argument(regs, 2)", b"regs_get_kernel_argument(regs, 1)") \
        .replace(b"regs_get_kernel_argument(regs, @)", b"regs_get_kernel_argument(regs, 2)")
    assert wrong != good
    contents[str(tmp_path / "write_args_swapped.c")] = ((HERE / "write_args.c").read_bytes(), wrong)
    for path, (old, _new) in contents.items():
        with open(path, "wb") as fh:
            fh.write(old)
    report = verify_boot(kernel, units_from_contents(contents), log=lambda _msg: None)
    out = io.StringIO()
    write_text(report, out)
    print(kernel.kver, out.getvalue(), json.dumps(report.timing))
    if behaviour.not_built_reason():
        pytest.skip(behaviour.not_built_reason())
    by = {m.name: m for m in report.modules}
    assert set(by) == {m.stem for m in MODULES} | {"write_args_swapped"}
    for name in (m.stem for m in MODULES):
        r = by[name]
        # the jprobe original cannot build on a current kernel: recorded, with the compiler's reason
        assert r.verdict == "build-fail" and "jprobe_return" in r.detail, r.detail
        assert r.after.loaded and r.behaviour == "behaves", (name, r.behaviour_detail)
    swapped = by["write_args_swapped"]
    assert swapped.behaviour == "differs" and swapped.regressed, swapped.behaviour_detail
    assert "count: passed 4242" in swapped.behaviour_detail
