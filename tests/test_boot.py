"""verify --boot and symbols --boot: the guest protocol, the verdicts, the Debian plumbing, and (slow)
real boots in QEMU of the Debian kernel that linux-headers-amd64 points to today, proving the corpus
migrations equivalent.

The corpus hard-codes addresses of the kernel its map (corpus/maps) was dumped from; the archive
moves on, so the slow tests dump the map of the kernel they boot (``symbols --boot``) and move every
hard-coded address to the same symbol+offset in that kernel before comparing anything."""

from __future__ import annotations

import base64
import gzip
import io
import json
import lzma
import os
import pathlib
import tarfile

import pytest
from bootkit import CORPUS_KVER, CORPUS_MAP, KERNEL_MODULE_DIRS, Corpus, Relocation, cli
from conftest import CORPUS

from migrator.fix.symbols import Symbol, SymbolMap, load
from migrator.verify import debkernel, guest, qemu
from migrator.verify.boot import verify_boot
from migrator.verify.guest_report import BootResult, ModuleRun, Probe, Registration, parse_report
from migrator.verify.judge import ModuleResult, Report, Side, judge, write_text
from migrator.verify.kbuild import Build
from migrator.verify.symbols_boot import text_only
from migrator.verify.units import units_from_contents

FAKE_KVER = "9.9.0-1-amd64"  # for the tests that boot nothing


# -- the guest's report ------------------------------------------------------------------------------
def test_probe_lines_of_kprobes_list():
    p = Probe.parse("ffffffff81363fb1  k  do_sys_openat2+0x11    [OPTIMIZED]")
    assert (p.address, p.kind, p.where, p.module, p.flags) == ("ffffffff81363fb1", "k", "do_sys_openat2+0x11", "",
                                                               ("OPTIMIZED",))
    r = Probe.parse("ffffffffc0a01000  r  ext4_sync_file+0x0  ext4 [DISABLED][FTRACE]")
    assert (r.kind, r.module, r.flags) == ("r", "ext4", ("DISABLED", "FTRACE"))
    assert Probe.parse("garbage").raw == "garbage"


def test_registration_trace_lines():
    line = ("insmod-61 [000] d..1.  3.123456: resolved: (register_kprobe+0x4c/0x2a0 <- _kprobe_addr) "
            "ret=0xffffffff81363fb1 at=do_sys_openat2+0x11/0x160")
    assert Registration.parse(line) == Registration("register_kprobe", "0xffffffff81363fb1", "do_sys_openat2+0x11")
    own = Registration.parse("x: resolved: (register_kprobe+0x4c/0x2a0 <- _kprobe_addr) ret=0xffffffffc0203000 "
                             "at=kp_selftest_target+0x0/0x20 [kp_selftest]")
    assert own is not None and own.module == "kp_selftest"
    err = Registration.parse("x: resolved: (register_kretprobe.part.0+0x1/0x2 <- _kprobe_addr) "
                             "ret=0xfffffffffffffffe at=0xfffffffffffffffe")
    assert err is not None and err.caller == "register_kretprobe.part.0" and err.where == "0xfffffffffffffffe"
    assert Registration.parse("# tracer: nop") is None


def _report_text() -> str:
    kallsyms = b"ffffffff81000000 T _text\nffffffff81363fa0 T do_sys_openat2\n"
    encoded = base64.encodebytes(gzip.compress(kallsyms)).decode()
    return "\r\n".join([
        "noise from the serial port",
        f"PM BOOT release {FAKE_KVER}",
        "PM BOOT text ffffffff81000000 T _text",
        "PM KALLSYMS begin", *encoded.splitlines(), "PM KALLSYMS end",
        "PM BOOT ready 2.50",
        "PM MOD m000 begin 2.60",
        "PM KP m000 pre -",
        "PM KP m000 pre ffffffff811a4300  r  _kprobe_addr+0x0    [FTRACE]",
        "PM MOD m000 insmod 0",
        "PM KP m000 load -",
        "PM KP m000 load ffffffff811a4300  r  _kprobe_addr+0x0    [FTRACE]",
        "PM KP m000 load ffffffff81363fb1  k  do_sys_openat2+0x11    ",
        "PM KP m000 work -",
        "PM KP m000 work ffffffff811a4300  r  _kprobe_addr+0x0    [FTRACE]",
        "PM KP m000 work ffffffff81363fb1  k  do_sys_openat2+0x11    [OPTIMIZED]",
        "PM TR m000 insmod-61 [000] 3.1: resolved: (register_kprobe+0x4c/0x2a0 <- _kprobe_addr) "
        "ret=0xffffffff81363fb1 at=do_sys_openat2+0x11/0x160",
        "PM MOD m000 rmmod 0",
        "PM LOG m000 [    3.2] mod: planted",
        "PM MOD m000 end 3.40",
        "PM MOD m001 begin 3.50",
        "PM KP m001 pre -",
        "PM MOD m001 insmod 2",
        "PM ERR m001 insmod: can't insert 'x.ko': unknown symbol in module, or unknown parameter",
        "PM MOD m001 end 3.70",
        "PM DONE 3.80",
    ]) + "\r\n"


def test_parse_report():
    result = BootResult(FAKE_KVER, False)
    parse_report(_report_text(), result)
    assert result.complete and result.ready == 2.5 and result.text_address == 0xFFFFFFFF81000000
    assert result.kallsyms is not None and b"do_sys_openat2" in result.kallsyms
    a, b = result.runs["m000"], result.runs["m001"]
    assert a.insmod_rc == 0 and a.rmmod_rc == 0 and a.finished and abs(a.seconds - 0.8) < 1e-9
    # the probe that was there before insmod (the tracing kretprobe) is not the module's
    assert [p.where for p in a.added("work")] == ["do_sys_openat2+0x11"]
    assert [r.where for r in a.registrations] == ["do_sys_openat2+0x11"]
    assert a.log == ["[    3.2] mod: planted"] and not a.oops
    assert b.insmod_rc == 2 and b.errors and b.added("load") == []


def test_added_is_a_multiset_difference():
    p = Probe.parse("ffffffff81363fb1  k  do_sys_openat2+0x11")
    run = ModuleRun("m000", probes={"pre": [p], "load": [p, p]})
    assert run.added("load") == [p]


def test_cpio_archive_round_trips():
    c = guest.Cpio()
    c.directory("pm")
    c.file("pm/a", b"abc")
    c.file("init", b"#!/bin/sh\n", 0o755)
    data = c.finish()
    entries, at = [], 0
    while True:
        assert data[at:at + 6] == b"070701"
        fields = [int(data[at + 6 + 8 * i:at + 14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = fields[1], fields[6], fields[11]
        name = data[at + 110:at + 110 + namesize - 1].decode()
        at += 110 + namesize
        at += -at % 4
        body = data[at:at + size]
        at += size + (-size % 4)
        if name == "TRAILER!!!":
            break
        entries.append((name, oct(mode), body))
    assert entries == [("pm", oct(0o40755), b""), ("pm/a", oct(0o100644), b"abc"), ("init", oct(0o100755), b"#!/bin/sh\n")]
    assert at == len(data)


# -- verdicts ----------------------------------------------------------------------------------------
def _side(rc: int | None = 0, probes: tuple[str, ...] = (), builds: bool = True, regs: tuple[str, ...] = (),
          rmmod: int | None = 0) -> Side:
    run = None
    if rc is not None:
        run = ModuleRun("m", insmod_rc=rc, rmmod_rc=rmmod if rc == 0 else None, finished=True,
                        probes={"pre": [], "load": [Probe.parse(p) for p in probes]},
                        registrations=[Registration("register_kprobe", r.split()[0], r.split()[1]) for r in regs])
    return Side(Build(builds, errors=[] if builds else ['modpost: "kallsyms_lookup_name" undefined!']), run)


P1 = "ffffffff81363fb1  k  do_sys_openat2+0x11    [OPTIMIZED]"
P1_FLAGS = "ffffffff81363fb1  k  do_sys_openat2+0x11    "
P2 = "ffffffff81363fc1  k  do_sys_openat2+0x21"


@pytest.mark.parametrize("before,after,verdict,regressed", [
    (_side(probes=(P1,)), _side(probes=(P1_FLAGS,)), "equivalent", False),  # [OPTIMIZED] is timing
    (_side(probes=(P1,)), _side(probes=(P2,)), "different", True),
    (_side(probes=(P1,)), _side(probes=(P1, P1)), "different", True),
    (_side(probes=(P1,)), _side(rc=84), "different", True),
    (_side(builds=False), _side(probes=(P1,)), "build-fail", False),
    (_side(probes=(P1,)), _side(builds=False), "build-fail", True),
    (_side(rc=22), _side(probes=(P1,)), "load-fail", False),
    (_side(rc=2), _side(rc=2), "load-fail", False),
    (_side(rmmod=1), _side(rc=17), "load-fail", False),  # the original is stuck in the kernel
    (_side(regs=("0xffffffff813abf30 vfs_fsync+0x0",)), _side(regs=("0xffffffff813abf30 vfs_fsync+0x0",)),
     "equivalent", False),  # registered and removed during init: the trace decides
    (_side(regs=("0xffffffff813abf30 vfs_fsync+0x0",)), _side(regs=("0xffffffff813abf40 vfs_fsync+0x10",)),
     "different", True),
    (_side(), _side(), "equivalent", False),
])
def test_verdicts(before, after, verdict, regressed):
    m = ModuleResult("x.c", "x", before, after)
    judge(m)
    assert (m.verdict, m.regressed) == (verdict, regressed), m.detail
    out = io.StringIO()
    write_text(Report(FAKE_KVER, False, [m]), out)
    assert out.getvalue().startswith(f"x.c: {verdict}: ")


def test_a_crashed_original_is_a_load_fail():
    before = _side(probes=(P1,))
    assert before.run is not None
    before.run.crashed = "the guest died while this module was loaded"
    m = ModuleResult("x.c", "x", before, _side(probes=(P1,)))
    judge(m)
    assert m.verdict == "load-fail" and "died" in m.detail


def test_probes_on_the_module_itself_compare_by_symbol():
    own_a = "ffffffffc0203000  k  target+0x0  x"
    own_b = "ffffffffc0207000  k  target+0x0  x"
    m = ModuleResult("x.c", "x", _side(probes=(own_a,)), _side(probes=(own_b,)))
    judge(m)
    assert m.verdict == "equivalent"


# -- what gets built ---------------------------------------------------------------------------------
def test_units_take_changed_modules_and_includers_of_changed_headers():
    mod = b"\nMODULE_LICENSE(\"GPL\");\n"
    contents = {
        "d/a.c": (b"a" + mod, b"a2" + mod),
        "d/b.c": (b'#include "h.h"\n' + mod, b'#include "h.h"\n' + mod),
        "d/c.c": (b"c" + mod, b"c" + mod),
        "d/h.h": (b"h", b"h2"),
        "d/loader.c": (b"int main(void) { return 0; }", b"int main(void) { return 1; }"),
        "e/x.c": (b"x" + mod, b"x" + mod),
    }
    units = units_from_contents(contents)
    assert len(units) == 1
    u = units[0]
    assert u.modules == ["d/a.c", "d/b.c"] and u.skipped == ["d/loader.c"]
    assert u.before["h.h"] == b"h" and u.after["h.h"] == b"h2" and u.after["c.c"] == b"c" + mod


def test_text_only_keeps_text_and_markers():
    dump = ("0000000000000000 A fixed_percpu_data\nffffffff81000000 T _text\nffffffff81001000 t helper\n"
            "ffffffff82000000 D jiffies\nffffffff84430000 B _end\nffffffffc0001000 t m_fn\t[m]\n"
            "ffffffffc0200000 t ftrace_trampoline\t[__builtin__ftrace]\n")
    assert text_only(dump) == ("ffffffff81000000 T _text\nffffffff81001000 t helper\nffffffff84430000 B _end\n"
                               "ffffffffc0001000 t m_fn\t[m]\n")


# -- Debian plumbing ---------------------------------------------------------------------------------
def test_extract_vmlinux_from_a_compressed_image(tmp_path):
    elf = b"\x7fELF\x02\x01\x01" + bytes(100)
    image = tmp_path / "vmlinuz"
    image.write_bytes(b"MZ setup code \xfd7zXZ\x00 not a stream " + lzma.compress(elf) + b"\x00" * 64)
    out = tmp_path / "vmlinux"
    assert debkernel.extract_vmlinux(str(image), str(out))
    assert out.read_bytes() == elf
    image.write_bytes(b"nothing compressed here")
    assert not debkernel.extract_vmlinux(str(image), str(tmp_path / "none"))


def _ar_member(name: str, data: bytes) -> bytes:
    header = f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode()
    return header + data + (b"\n" if len(data) % 2 else b"")


def test_unpack_boot_takes_only_boot_from_the_deb(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz") as tar:
        for name, data in (("./", None), ("./boot/", None), ("./boot/vmlinuz-9.9", b"kernel"),
                           ("./boot/config-9.9", b"CONFIG_X=y"), ("./lib/", None), ("./lib/modules/x.ko", b"ko")):
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    deb = tmp_path / "linux-image.deb"
    deb.write_bytes(b"!<arch>\n" + _ar_member("debian-binary", b"2.0\n") + _ar_member("control.tar.xz", b"x")
                    + _ar_member("data.tar.xz", buf.getvalue()))
    dest = tmp_path / "out"
    dest.mkdir()
    debkernel.unpack_boot(str(deb), str(dest))
    assert sorted(os.listdir(dest)) == ["boot"]
    assert (dest / "boot" / "vmlinuz-9.9").read_bytes() == b"kernel"


def test_missing_packages_are_named(monkeypatch):
    monkeypatch.setattr(debkernel, "missing_packages", lambda kver: [f"linux-headers-{kver}", "qemu-system-x86"])
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(debkernel.MissingPackages) as e:
        debkernel.ensure_packages(FAKE_KVER)
    msg = str(e.value)
    assert f"linux-headers-{FAKE_KVER} qemu-system-x86" in msg and "root" in msg
    assert "apt-get install --no-install-recommends" in msg
    monkeypatch.setattr(debkernel, "which", lambda tool: None)
    with pytest.raises(debkernel.MissingPackages, match="not a Debian system"):
        debkernel.ensure_packages(FAKE_KVER)


def test_kernel_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv("PROBE_MIGRATOR_KERNEL_CACHE", str(tmp_path))
    assert debkernel.cache_dir() == str(tmp_path)


def test_bad_kver_is_refused():
    with pytest.raises(debkernel.BootError):
        debkernel.resolve_kver("../../etc")


def test_a_guest_crash_costs_one_module_and_one_reboot(monkeypatch, tmp_path):
    """The module that was loading when the guest died is blamed and the others run in a new boot;
    after a module oopses (the guest asks for a restart), the next ones get a fresh kernel too."""
    mods = [guest.GuestModule(str(tmp_path / f"{n}.ko"), n) for n in ("a", "b", "c", "d")]
    for m in mods:
        open(m.ko, "wb").close()
    boots = []

    def fake_qemu(image, initrd, append, accel, workdir, deadline, n):  # type: ignore[no-untyped-def]
        with gzip.open(initrd) as fh:
            boots.append(fh.read())
        start = ["PM BOOT release x", "PM BOOT ready 1.0"]
        if n == 0:  # m000 fine, m001 panics the kernel
            return "ok", "\n".join(start + ["PM MOD m000 begin 1", "PM MOD m000 insmod 0", "PM MOD m000 end 2",
                                            "PM MOD m001 begin 2"]), ["[ 2.1] RIP: x", "[ 2.2] Kernel panic - not syncing: oops",
                                                                      "[ 2.3] Kernel Offset: disabled"]
        if n == 1:  # m002 oopses in init; the guest finishes it and stops
            return "ok", "\n".join(start + ["PM MOD m002 begin 1", "PM MOD m002 insmod 137",
                                            "PM LOG m002 [ 1.5] BUG: kernel NULL pointer dereference",
                                            "PM MOD m002 end 2", "PM RESTART m002"]), []
        return "ok", "\n".join(start + ["PM MOD m003 begin 1", "PM MOD m003 insmod 0", "PM MOD m003 end 2",
                                        "PM DONE 3"]), []

    monkeypatch.setattr(qemu, "_run_qemu", fake_qemu)
    monkeypatch.setattr(qemu, "static_busybox", lambda: mods[0].ko)
    kernel = debkernel.Kernel("x", "/nonexistent", "/bzImage", None)
    result = qemu.boot_modules(kernel, mods, str(tmp_path / "vm"))
    assert result.boots == 3 and result.complete
    assert all(result.runs[g].finished for g in ("m000", "m002", "m003"))
    assert result.runs["m001"].crashed == "the guest died while this module was loaded: " \
                                          "[ 2.2] Kernel panic - not syncing: oops"
    assert result.runs["m002"].oops and result.runs["m002"].crashed is None
    assert b"m002 c" in boots[1] and b"m000 a" not in boots[1] and b"m001 b" not in boots[1]
    assert b"m003 d" in boots[2] and b"m002 c" not in boots[2]


def test_cli_usage_errors(tmp_path):
    r = cli("verify", "--kaslr", str(tmp_path))
    assert r.returncode == 2 and b"--boot" in r.stderr
    r = cli("verify", "--boot", "--kernel-build", str(tmp_path), str(tmp_path))
    assert r.returncode == 2
    r = cli("symbols")
    assert r.returncode == 2 and b"--boot" in r.stderr


# -- real boots (slow; the fixtures are in conftest.py) -----------------------------------------------
def _probe_set(lines: list[str]) -> set[str]:
    out = set()
    for line in lines:
        p = Probe.parse(line)
        out.add(f"{p.kind} {p.where}")
    return out


def _modules(corpus: Corpus, directory: str, names: tuple[str, ...], dest: pathlib.Path) -> None:
    """Copy the (moved) originals ``names`` of a corpus directory to ``dest``; skip naming any left out."""
    left_out = {n: corpus.dropped[n] for n in names if n in corpus.dropped}
    if left_out:
        pytest.skip(f"needs corpus modules the kernel under test cannot place: {left_out}")
    dest.mkdir()
    for name in names:
        (dest / f"{name}.c").write_bytes((corpus.dir / directory / f"{name}.c").read_bytes())


@pytest.mark.slow
def test_every_loadable_corpus_migration_is_equivalent(kernel, corpus):
    """Each corpus module next to its expected migration (X.c / X.c.fixed), all in one nokaslr boot."""
    expected = {p.stem for d in KERNEL_MODULE_DIRS for p in (CORPUS / d).glob("*.c")
                if p.with_name(p.name + ".fixed").exists()} - set(corpus.dropped)
    report = verify_boot(kernel, units_from_contents(corpus.contents), log=lambda _msg: None)
    out = io.StringIO()
    write_text(report, out)
    print(kernel.kver, out.getvalue(), json.dumps(report.timing), corpus.dropped)
    by = {m.name: m for m in report.modules}
    assert set(by) == expected
    assert report.boots == 1 and not report.console
    # the acceptance: every migration whose original loads is equivalent; the rest say why not
    assert not [m.name for m in report.modules if m.regressed], out.getvalue()
    for m in report.modules:
        assert m.verdict in ("equivalent", "build-fail", "load-fail"), m.detail
        if m.before.build.ok and m.after.build.ok and m.before.loaded:
            assert m.verdict == "equivalent", (m.name, m.detail)
    assert sum(m.verdict == "equivalent" for m in report.modules) >= 8, (corpus.dropped, out.getvalue())
    assert _probe_set([p.raw for p in by["sysmap_openat"].after.probes()]) == {"k do_sys_openat2+0x11"}
    assert _probe_set([p.raw for p in by["rw_bytes_kret"].after.probes()]) == {"r vfs_read+0x0", "r vfs_write+0x0"}
    # kallsyms_lookup_name is unexported since 5.7: the original cannot even link, its migration works
    kln = by["kpoke"]
    assert kln.verdict == "build-fail" and "kallsyms_lookup_name" in kln.detail and kln.after.loaded
    assert kln.after.probes()
    # a self-test that registers and unregisters inside init is compared by what it registered
    assert by["kp_selftest"].verdict == "equivalent" and by["kp_selftest"].after.registrations()


@pytest.mark.slow
def test_kaslr_breaks_hard_coded_addresses_but_not_their_migrations(kernel, corpus, booted_map, tmp_path):
    hard_coded = {"board_diag": "k inet_bind+0x0", "sysmap_openat": "k do_sys_openat2+0x11",
                  "rw_bytes_kret": "r vfs_read+0x0"}
    migrated = {"board_diag": {"k inet_bind+0x0", "k i2c_transfer+0x0"}, "sysmap_openat": {"k do_sys_openat2+0x11"},
                "rw_bytes_kret": {"r vfs_read+0x0", "r vfs_write+0x0"}}
    src = tmp_path / "src"
    _modules(corpus, "a", tuple(hard_coded), src)
    for _attempt in range(2):  # KASLR may, rarely, pick the default base
        r = cli("verify", "--boot", "--kaslr", "--kver", kernel.kver, "--symbols", str(booted_map), "--format",
                "json", str(src))
        assert r.returncode in (0, 1), r.stderr.decode()
        data = json.loads(r.stdout)
        if int(data["text"].split()[0], 16) != qemu.NOKASLR_TEXT:
            break
    else:
        pytest.fail("KASLR left the kernel at its default address twice")
    print(r.stderr.decode())
    assert data["kaslr"] and r.returncode == 0, r.stderr.decode()
    assert {m["module"] for m in data["modules"]} == set(hard_coded)
    for m in data["modules"]:
        legacy, fixed = m["before"], m["after"]
        # the System.map address now points elsewhere: the legacy probe is not where it was meant to be
        assert hard_coded[m["module"]] not in _probe_set(legacy["probes"]), m
        assert not legacy["loaded"], m  # (these modules fail their init when a probe does not register)
        assert m["verdict"] == "load-fail", m
        # the migrated probe resolves its symbol at run time and lands on the same symbol+offset
        assert fixed["loaded"] and _probe_set(fixed["probes"]) == migrated[m["module"]], m


@pytest.mark.slow
def test_a_wrong_migration_is_caught_as_different(kernel, corpus, booted_map, tmp_path):
    """Migrate with a map whose symbols are 0x10 off: every resulting offset is 0x10 too far."""
    src = tmp_path / "src"
    _modules(corpus, "a", ("board_diag", "sysmap_openat"), src)
    lines = []
    for line in gzip.decompress(booted_map.read_bytes()).decode().splitlines():
        addr, kind, name = line.split()[:3]
        if name in ("inet_bind", "do_sys_openat2"):
            line = f"{int(addr, 16) - 0x10:016x} {kind} {name}"
        lines.append(line)
    shifted = tmp_path / "shifted.map"
    shifted.write_text("\n".join(lines) + "\n")
    diff = cli("fix", "--symbols", str(shifted), str(src)).stdout.decode()
    assert "offset = 0x10;" in diff and "offset = 0x21;" in diff  # 0x0 + 0x10, 0x11 + 0x10
    r = cli("verify", "--boot", "--kver", kernel.kver, "--symbols", str(shifted), "--format", "json", str(src))
    print(r.stderr.decode())
    assert r.returncode == 1, r.stderr.decode()
    data = json.loads(r.stdout)
    verdicts = {m["module"]: m for m in data["modules"]}
    assert {k: v["verdict"] for k, v in verdicts.items()} == {"board_diag": "different", "sysmap_openat": "different"}
    assert all(m["regressed"] for m in data["modules"])
    assert "k inet_bind+0x0" in _probe_set(verdicts["board_diag"]["before"]["probes"])
    assert "k inet_bind+0x0" not in _probe_set(verdicts["board_diag"]["after"]["probes"])
    assert "k do_sys_openat2+0x11" not in _probe_set(verdicts["sysmap_openat"]["after"]["probes"])


@pytest.mark.slow
def test_symbols_boot_dumps_the_same_map_every_time(kernel, booted_map, tmp_path):
    again = tmp_path / "kallsyms.txt"
    r = cli("symbols", "--boot", "--kver", kernel.kver, "--text-only", "-o", str(again))
    print(r.stderr.decode())
    assert r.returncode == 0, r.stderr.decode()
    first = gzip.decompress(booted_map.read_bytes()).decode()
    assert again.read_text() == first  # nokaslr: the same kernel, the same addresses
    assert text_only(first) == first
    smap = load(str(again))
    assert smap.markers["_text"] == qemu.NOKASLR_TEXT
    assert all(smap.address_of(name) for name in ("do_sys_openat2", "vfs_read", "vfs_write", "inet_bind"))


@pytest.mark.slow
def test_symbols_boot_reproduces_the_corpus_map(kernel, booted_map):
    if kernel.kver != CORPUS_KVER:
        pytest.skip(f"the kernel under test is {kernel.kver}; {CORPUS_MAP.name} was dumped from {CORPUS_KVER}, "
                    "which linux-headers-amd64 no longer points to")
    assert gzip.decompress(booted_map.read_bytes()) == gzip.decompress(CORPUS_MAP.read_bytes())


def test_relocation_keeps_symbol_and_offset():
    src = SymbolMap("src", [Symbol(0xFFFFFFFF81000000, "T", "_text"), Symbol(0xFFFFFFFF81363FA0, "T", "do_sys_openat2"),
                            Symbol(0xFFFFFFFF81400000, "t", "helper"), Symbol(0xFFFFFFFF81500000, "t", "helper")],
                    {}, {})
    dst = SymbolMap("dst", [Symbol(0xFFFFFFFF81000000, "T", "_text"), Symbol(0xFFFFFFFF81364100, "T", "do_sys_openat2"),
                            Symbol(0xFFFFFFFF81410000, "t", "helper"), Symbol(0xFFFFFFFF81520000, "t", "helper")],
                    {}, {})
    moved, missing = Relocation(src, dst).source(
        b"kp.addr = (void *)0xffffffff81363fb1; /* FFFFFFFF81500010 */ x = 0xFFFFFFFF81363FA0UL;\n"
        b"y = 0xffffffff80000000; z = 0x1ffffffff81363fb1;\n")
    assert moved == (b"kp.addr = (void *)0xffffffff81364111; /* FFFFFFFF81520010 */ x = 0xFFFFFFFF81364100UL;\n"
                     b"y = 0xffffffff80000000; z = 0x1ffffffff81363fb1;\n")
    assert missing == ["0xffffffff80000000"]  # before the first symbol: in no function of src
    _moved, missing = Relocation(src, SymbolMap("none", dst.text[:1], {}, {})).source(b"0xffffffff81363fb1")
    assert missing == ["0xffffffff81363fb1"]
