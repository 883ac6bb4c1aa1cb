"""`check` never loads fix code: the rules' fix() functions import migrator.fix.* inside themselves.

A pre-commit run of `check` pays only for what it reports, and the check half of the package can
be read without the rewriter. Run in a fresh interpreter so nothing an earlier test imported counts.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_check_over_the_c_corpus_imports_no_fix_module():
    code = ("import sys\nfrom migrator.cli.main import main\n"
            "try:\n    main(['check', '--no-cache', 'corpus/a', 'corpus/b', 'corpus/blind'])\nexcept SystemExit:\n    pass\n"
            "bad = sorted(m for m in sys.modules if m.startswith(('migrator.fix', 'migrator.verify', 'migrator.gate')))\n"
            "assert not bad, bad\nprint('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.stdout.strip().endswith("ok"), r.stderr[-2000:]
