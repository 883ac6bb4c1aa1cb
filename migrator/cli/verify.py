"""`verify` (build and boot proofs) and `symbols` (a map from a booted kernel)."""

from __future__ import annotations

import sys

import click

from migrator.cli.common import Usage, options, split_values


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--kernel-build", "kdir", type=click.Path(file_okay=False),
              help="Kernel build tree (default /lib/modules/$(uname -r)/build).")
@click.option("--symbols", "symbols_path", type=click.Path(), help="Symbol map, as for fix.")
@click.option("--select", multiple=True)
@click.option("--ignore", multiple=True)
@click.option("--exclude", multiple=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
@click.option("--boot", is_flag=True, help="Also boot a Debian kernel in QEMU, load both versions of each module "
              "and compare the kprobes they register (equivalent / different / build-fail / load-fail).")
@click.option("--kaslr", is_flag=True, help="With --boot: boot with KASLR on (default nokaslr, which symbol maps assume).")
@click.option("--kver", help="With --boot: Debian kernel ABI, e.g. 6.1.0-56-amd64 (default: what linux-headers-amd64 points to).")
@click.option("--map-kernel", "map_kver", help="With --boot: the Debian kernel ABI the symbol map (and the "
              "originals' addresses) belong to, when --kver is another build: the originals are loaded on it for "
              "reference, and each migration must register the same symbol+offset on --kver.")
@click.option("--timeout", type=click.IntRange(min=10), default=900, show_default=True,
              help="With --boot: wall-clock limit of the VM in seconds (per kernel).")
def verify(paths: tuple[str, ...], kdir: str | None, symbols_path: str | None, select: tuple[str, ...],
           ignore: tuple[str, ...], exclude: tuple[str, ...], config_path: str | None, fmt: str,
           boot: bool, kaslr: bool, kver: str | None, map_kver: str | None, timeout: int) -> None:
    """Build each module fix would change, before and after, with Kbuild; report regressions.

    With --boot, prove each migration on the real kernel: the probes must land where the original's did."""
    from migrator.verify.command import run_verify

    if not boot and (kaslr or kver or map_kver):
        raise Usage("--kaslr, --kver and --map-kernel need --boot")
    if map_kver and kaslr:
        raise Usage("--map-kernel compares by symbol+offset already; it cannot be combined with --kaslr")
    if boot and kdir:
        raise Usage("--kernel-build cannot be combined with --boot (the headers of --kver are used)")
    opts = options(split_values(select), split_values(ignore), config_path, None, exclude)
    sys.exit(run_verify(list(paths) or ["."], opts, symbols_path, kdir, fmt, boot=boot, kver=kver, kaslr=kaslr,
                        timeout=timeout, map_kver=map_kver))


@click.command()
@click.option("--boot", is_flag=True, help="Boot the kernel in QEMU with nokaslr and save its /proc/kallsyms.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the map here (gzip if it ends in .gz; default stdout).")
@click.option("--kver", help="Debian kernel ABI, e.g. 6.1.0-56-amd64 (default: what linux-headers-amd64 points to).")
@click.option("--text-only", is_flag=True, help="Keep only text symbols and the section markers (like corpus/maps).")
@click.option("--timeout", type=click.IntRange(min=10), default=600, show_default=True)
def symbols(boot: bool, output: str | None, kver: str | None, text_only: bool, timeout: int) -> None:
    """Get a real symbol map of a Debian kernel (its packaged System.map is a stub), for fix --symbols."""
    from migrator.verify.symbols_boot import run_symbols_boot

    if not boot:
        raise Usage("symbols needs --boot (boot the kernel with nokaslr and read /proc/kallsyms)")
    sys.exit(run_symbols_boot(output, kver, text_only, timeout))
