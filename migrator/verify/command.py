"""The ``verify`` command: prove that what ``fix`` would change still builds (and, with --boot, that
it registers the same probes on the real kernel)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migrator.check.engine import Options


def run_verify(paths: list[str], opts: Options, symbols_path: str | None, kdir: str | None, fmt: str,
               boot: bool = False, kver: str | None = None, kaslr: bool = False, timeout: int = 900,
               map_kver: str | None = None) -> int:
    """Build every module ``fix`` would change, before and after, and report per module. Exit status:
    0 no regression, 1 a migration regressed a module, 2 usage or setup error."""
    if boot:  # build against a Debian kernel's headers, boot it, compare the registered probes
        from migrator.verify.boot import run_verify_boot

        return run_verify_boot(paths, opts, symbols_path, kver, kaslr, timeout, fmt, map_kver)
    from migrator.fix.symbols import MapError, load
    from migrator.verify.buildcheck import run_build_check

    try:
        symbols = load(symbols_path) if symbols_path else None
    except MapError as e:
        sys.stderr.write(f"probe-migrator: error: {e}\n")
        return 2
    return run_build_check(paths, opts, symbols, kdir, fmt)
