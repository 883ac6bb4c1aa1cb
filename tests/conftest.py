from __future__ import annotations

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def corpus_modules() -> list[pathlib.Path]:
    """Every corpus module that has an .expected file next to it."""
    out = []
    for exp in sorted(CORPUS.rglob("*.expected")):
        for suffix in (".c", ".h", ".py", ".sh", ".bash"):
            src = exp.with_suffix(suffix)
            if src.exists():
                out.append(src)
                break
    return out


def read_expected(path: pathlib.Path) -> list[tuple[int, int, str, bool]]:
    out = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        ln, col = parts[0].split(":")
        out.append((int(ln), int(col), parts[1], len(parts) > 2 and parts[2] == "info"))
    return sorted(out)


@pytest.fixture
def run_check(tmp_path):
    """Write C text to a file and return the findings of check on it."""
    from migrator.check.engine import Options, check_bytes
    from migrator.check.registry import all_rules

    def run(text: str | bytes, name: str = "mod.c"):
        data = text.encode() if isinstance(text, str) else text
        p = tmp_path / name
        p.write_bytes(data)
        return check_bytes(str(p), data, Options(rules=list(all_rules())))

    return run

