"""A Debian kernel to build against and boot: its headers, its image, and the tools around them.

What ``verify --boot`` and ``symbols --boot`` need on the host:

* ``linux-headers-<kver>`` (pulls ``linux-kbuild-*`` and the gcc the kernel was built with),
  ``make`` and ``kmod`` (``modinfo``) to build out-of-tree modules for exactly that kernel;
* ``qemu-system-x86`` and ``busybox-static`` (the guest's whole userland) to boot it;
* the kernel image itself. It is *not installed*: ``apt-get download linux-image-<kver>`` fetches
  the .deb into the cache and only ``./boot`` is unpacked from it (the package's other 400 MB are
  in-tree modules, and installing it would run initramfs and bootloader hooks on the host).

Everything downloaded lives under :func:`cache_dir`. On Debian, as root, missing packages are
installed with ``apt-get install --no-install-recommends``; elsewhere :class:`MissingPackages`
names them.
"""

from __future__ import annotations

import glob
import io
import lzma
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from migrator.core import atomic

Log = Callable[[str], None]

_KVER_RE = re.compile(r"^[0-9][\w.+~-]*$")
_SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")
# tool -> Debian package that provides it
_TOOLS = {"make": "make", "modinfo": "kmod", "qemu-system-x86_64": "qemu-system-x86"}


class BootError(RuntimeError):
    """Setting up or running the VM failed; the message is meant for the user."""


class MissingPackages(BootError):
    def __init__(self, packages: list[str], why: str) -> None:
        self.packages = packages
        cmd = "apt-get install --no-install-recommends " + " ".join(packages)
        super().__init__(f"missing: {' '.join(packages)} ({why}). On Debian, as root: {cmd}. "
                         "Elsewhere install the equivalents: the kernel headers of that Debian kernel, "
                         "qemu-system-x86_64, a statically linked busybox, make and modinfo (kmod)")


@dataclass
class Kernel:
    kver: str
    headers: str  # the kernel build tree Kbuild runs in
    bzimage: str  # boots with or without KASLR
    vmlinux: str | None  # the same kernel, decompressed: PVH-boots about twice as fast, never randomised


def cache_dir() -> str:
    """Where kernel images are kept: $PROBE_MIGRATOR_KERNEL_CACHE, else /var/cache/probe-migrator when
    writable (root), else kernels/ in the user's cache dir (next to the result cache of ``check``)."""
    env = os.environ.get("PROBE_MIGRATOR_KERNEL_CACHE")
    if env:
        return env
    system = "/var/cache/probe-migrator"
    if os.access(system if os.path.isdir(system) else "/var/cache", os.W_OK):
        return system
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "probe-migrator", "kernels")


def which(tool: str) -> str | None:
    path = os.environ.get("PATH", os.defpath) + os.pathsep + os.pathsep.join(_SBIN)
    return shutil.which(tool, path=path)


def log_stderr(msg: str) -> None:
    """The default log of every verify stage: progress lines on stderr, prefixed like the tool's errors."""
    sys.stderr.write(f"probe-migrator: {msg}\n")
    sys.stderr.flush()


# -- which kernel ------------------------------------------------------------------------------------
def headers_dir(kver: str) -> str:
    return f"/usr/src/linux-headers-{kver}"


def resolve_kver(kver: str | None, log: Log = log_stderr) -> str:
    """The given ABI name, else the one Debian's ``linux-headers-amd64`` points to, else the newest
    installed ``/usr/src/linux-headers-*-amd64``."""
    if kver:
        if not _KVER_RE.match(kver):
            raise BootError(f"{kver!r} does not look like a kernel ABI name (e.g. 6.1.0-56-amd64)")
        return kver
    found = meta_target()
    if found is None and _can_apt():
        log("apt-get update (to find the current kernel)")
        _apt(["update", "-q"])
        found = meta_target()
    if found:
        return found
    installed = [os.path.basename(p)[len("linux-headers-"):] for p in glob.glob("/usr/src/linux-headers-*-amd64")]
    if installed:
        return sorted(installed, key=_version_key)[-1]
    raise BootError("cannot tell which kernel to use: pass --kver (e.g. 6.1.0-56-amd64)")


def _version_key(kver: str) -> list[tuple[int, str]]:
    return [(int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"[.-]", kver)]


def meta_target() -> str | None:
    """The ABI Debian's ``linux-headers-amd64`` points to: its candidate in the archive (apt-cache), else
    the installed one (dpkg), so a host without package lists still finds the kernel it has."""
    if which("apt-cache") is not None:
        r = subprocess.run(["apt-cache", "depends", "linux-headers-amd64"], capture_output=True, text=True)
        m = re.search(r"Depends: linux-headers-(\S+-amd64)\b", r.stdout)
        if m:
            return m.group(1)
    if which("dpkg-query") is not None:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", "linux-headers-amd64"], capture_output=True,
                           text=True)
        m = re.search(r"\blinux-headers-(\S+-amd64)\b", r.stdout if r.returncode == 0 else "")
        if m:
            return m.group(1)
    return None


# -- packages ----------------------------------------------------------------------------------------
def static_busybox() -> str | None:
    for p in ("/bin/busybox", "/usr/bin/busybox", "/usr/local/bin/busybox"):
        if os.path.isfile(p) and is_static_elf(os.path.realpath(p)):
            return p
    return None


def is_static_elf(path: str) -> bool:
    """A 64-bit ELF without a PT_INTERP program header (a program the initramfs can run alone)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
            if len(head) < 64 or head[:5] != b"\x7fELF\x02" or head[5] != 1:
                return False
            phoff = int.from_bytes(head[0x20:0x28], "little")
            entsize = int.from_bytes(head[0x36:0x38], "little")
            count = int.from_bytes(head[0x38:0x3A], "little")
            fh.seek(phoff)
            table = fh.read(entsize * count)
    except OSError:
        return False
    types = (int.from_bytes(table[i * entsize:i * entsize + 4], "little") for i in range(count))
    return 3 not in types  # PT_INTERP


def missing_packages(kver: str) -> list[str]:
    need = []
    if not os.path.isfile(os.path.join(headers_dir(kver), "Makefile")):
        need.append(f"linux-headers-{kver}")
    for tool, pkg in _TOOLS.items():
        if which(tool) is None:
            need.append(pkg)
    if static_busybox() is None:
        need.append("busybox-static")
    return need


def _can_apt() -> bool:
    return os.geteuid() == 0 and which("apt-get") is not None


def _apt(args: list[str], cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def ensure_packages(kver: str, install: bool = True, log: Log = log_stderr) -> None:
    need = missing_packages(kver)
    if not need:
        return
    if not install:
        raise MissingPackages(need, "not installing them")
    if which("apt-get") is None:
        raise MissingPackages(need, "this is not a Debian system")
    if os.geteuid() != 0:
        raise MissingPackages(need, "installing them needs root")
    log(f"installing {' '.join(need)}")
    args = ["install", "-y", "-q", "--no-install-recommends", *need]
    r = _apt(args)
    if r.returncode != 0:
        _apt(["update", "-q"])
        r = _apt(args)
    if r.returncode != 0:
        tail = " ".join((r.stderr or r.stdout).strip().splitlines()[-2:])
        raise MissingPackages(need, f"apt-get install failed: {tail}")
    still = missing_packages(kver)
    if still:
        raise MissingPackages(still, "still missing after apt-get install")


# -- the image ---------------------------------------------------------------------------------------
def fetch_kernel(kver: str, cache: str | None = None, log: Log = log_stderr) -> Kernel:
    """The bzImage (and a decompressed vmlinux) of ``linux-image-<kver>``, downloaded once into the cache."""
    kdir = os.path.join(cache or cache_dir(), kver)
    bzimage = os.path.join(kdir, "boot", f"vmlinuz-{kver}")
    vmlinux = os.path.join(kdir, "vmlinux")
    os.makedirs(kdir, exist_ok=True)
    with _locked(os.path.join(kdir, ".lock")):
        if not os.path.isfile(bzimage):
            _download_image(kver, kdir, log)
        if not os.path.isfile(bzimage):
            raise BootError(f"linux-image-{kver} has no /boot/vmlinuz-{kver}")
        if not os.path.exists(vmlinux) and not os.path.exists(vmlinux + ".none"):
            if not extract_vmlinux(bzimage, vmlinux):
                open(vmlinux + ".none", "w").close()  # remember: boot the bzImage instead
                log(f"could not decompress {bzimage}; booting the bzImage (slower)")
    return Kernel(kver, headers_dir(kver), bzimage, vmlinux if os.path.isfile(vmlinux) else None)


class _locked:
    """An exclusive flock on a file for the duration of a with-block (parallel runs share the cache)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = -1

    def __enter__(self) -> None:
        import fcntl

        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


def _download_image(kver: str, kdir: str, log: Log) -> None:
    package = f"linux-image-{kver}"
    if which("apt-get") is None:
        raise MissingPackages([package], "needed as a download only, and this is not a Debian system")
    log(f"apt-get download {package}")
    with tempfile.TemporaryDirectory(dir=kdir, prefix="dl-") as tmp:
        os.chmod(tmp, 0o755)  # apt drops to the _apt user for downloads
        r = _apt(["download", "-q", package], cwd=tmp)
        if r.returncode != 0 and os.geteuid() == 0:
            _apt(["update", "-q"])
            r = _apt(["download", "-q", package], cwd=tmp)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if r.returncode != 0 or not debs:
            tail = " ".join((r.stderr or r.stdout).strip().splitlines()[-2:])
            raise MissingPackages([package], f"apt-get download failed: {tail}")
        unpack_boot(os.path.join(tmp, debs[0]), kdir)


def unpack_boot(deb: str, dest: str) -> None:
    """Extract the ./boot directory of a .deb into ``dest`` without unpacking anything else.

    A .deb is an ar archive holding data.tar.{xz,gz,zst}; Debian's kernel packages list ./boot
    first, so reading stops at the first member after it instead of decompressing 400 MB."""
    with open(deb, "rb") as fh:
        if fh.read(8) != b"!<arch>\n":
            raise BootError(f"{deb}: not a Debian package")
        while True:
            header = fh.read(60)
            if len(header) < 60:
                raise BootError(f"{deb}: no data.tar member")
            name = header[:16].decode("ascii", "replace").strip().rstrip("/")
            size = int(header[48:58].decode("ascii").strip())
            if name.startswith("data.tar"):
                member = fh.read(size)
                break
            fh.seek(size + (size & 1), os.SEEK_CUR)
    if name.endswith(".zst"):
        if which("dpkg-deb") is None or which("tar") is None:
            raise BootError(f"{deb}: data.tar.zst needs dpkg-deb and tar to unpack")
        with subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE) as p:
            subprocess.run(["tar", "-x", "-C", dest, "./boot"], stdin=p.stdout, check=True)
        return
    mode = {"data.tar.xz": "r|xz", "data.tar.gz": "r|gz", "data.tar": "r|"}.get(name)
    if mode is None:
        raise BootError(f"{deb}: cannot unpack {name}")
    seen_boot = False
    with tarfile.open(fileobj=io.BytesIO(member), mode=mode) as tar:  # type: ignore[call-overload]
        for info in tar:
            path = os.path.normpath(info.name)
            if path == "boot" or path.startswith("boot/"):
                seen_boot = True
                if info.isfile() and "/" not in path[len("boot/"):]:
                    src = tar.extractfile(info)
                    if src is not None:
                        out = os.path.join(dest, path)
                        os.makedirs(os.path.dirname(out), exist_ok=True)
                        atomic.replace(out, src.read())
            elif seen_boot and path != ".":
                break


def extract_vmlinux(bzimage: str, dest: str) -> bool:
    """Decompress the ELF kernel out of a bzImage (what scripts/extract-vmlinux does, for xz and gzip)."""
    with open(bzimage, "rb") as fh:
        data = fh.read()
    starts: list[tuple[int, str]] = []
    for magic, kind in ((b"\xfd7zXZ\x00", "xz"), (b"\x1f\x8b\x08\x00", "gzip")):
        at = data.find(magic)
        while at >= 0:
            starts.append((at, kind))
            at = data.find(magic, at + 1)
    for at, kind in sorted(starts):
        try:
            if kind == "xz":
                out = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[at:])
            else:
                out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[at:])
        except (lzma.LZMAError, zlib.error, EOFError):
            continue
        if out[:4] == b"\x7fELF":
            atomic.replace(dest, out)
            return True
    return False


def setup(kver: str | None, install: bool = True, log: Log = log_stderr) -> Kernel:
    """Resolve the kernel, install what is missing, fetch the image: everything a boot needs."""
    k = resolve_kver(kver, log)
    ensure_packages(k, install, log)
    return fetch_kernel(k, log=log)
