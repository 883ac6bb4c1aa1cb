"""The hooks in .pre-commit-hooks.yaml, driven by the real pre-commit in a throwaway git repository.

pre-commit clones the hook repository at a commit and pip-installs it, so the hook source here is a
snapshot of this working tree committed into a temporary repository (the working tree may hold
changes that HEAD does not). Installing the hook's environment needs PyPI; without a network the
test skips and says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git (apt-get install git)")

NETWORK_ERRORS = ("Could not find a version", "No matching distribution", "Failed to establish a new connection",
                  "Temporary failure in name resolution", "Network is unreachable", "NewConnectionError",
                  "ConnectTimeoutError", "Max retries exceeded")

BAD = textwrap.dedent("""\
    #include <linux/module.h>
    #include <linux/kprobes.h>

    static struct kprobe kp;

    static int __init kp_init(void)
    {
    	kp.addr = (kprobe_opcode_t *)0xffffffff81000000;
    	return register_kprobe(&kp);
    }
    module_init(kp_init);
    """)
CLEAN = BAD.replace("\tkp.addr = (kprobe_opcode_t *)0xffffffff81000000;\n", '\tkp.symbol_name = "kernel_clone";\n')
KALLSYMS = BAD.replace("0xffffffff81000000", 'kallsyms_lookup_name("kernel_clone")')


def git_env(home) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT")) and k != "PYTHONPATH"}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="T",
               GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.org",
               PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    return env


def sh(cwd, *args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(list(args), cwd=str(cwd), env=env, capture_output=True, text=True, timeout=900)
    if check and r.returncode != 0:
        raise AssertionError(f"{args} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def snapshot(dest, env: dict[str, str]) -> str:
    """Commit this working tree (tracked and untracked, not ignored) into a new repository; its sha."""
    dest.mkdir()
    listed = sh(ROOT, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", env=env).stdout
    for rel in filter(None, listed.split("\0")):
        if rel.startswith(("corpus/", "bench/")) or not (ROOT / rel).is_file():
            continue  # not needed to install the hook (and a deleted file is still listed as cached)
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest / rel)
    assert (dest / ".pre-commit-hooks.yaml").exists()
    sh(dest, "git", "init", "-q", env=env)
    sh(dest, "git", "add", "-A", env=env)
    sh(dest, "git", "commit", "-qm", "snapshot for the pre-commit test", env=env)
    return sh(dest, "git", "rev-parse", "HEAD", env=env).stdout.strip()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A git repository with the hooks installed; yields (path, env, pre-commit command)."""
    if not (ROOT / ".git").exists():
        pytest.skip("the source tree is not a git checkout")
    base = tmp_path_factory.mktemp("precommit")
    env = git_env(base / "pre-commit-home")
    rev = snapshot(base / "hooks", env)
    proj = base / "project"
    proj.mkdir()
    sh(proj, "git", "init", "-q", env=env)
    (proj / ".pre-commit-config.yaml").write_text(textwrap.dedent(f"""\
        repos:
          - repo: {base / 'hooks'}
            rev: {rev}
            hooks:
              - id: probe-migrator
              - id: probe-migrator-fix
        """))
    sh(proj, "git", "add", ".pre-commit-config.yaml", env=env)
    sh(proj, "git", "commit", "-qm", "pre-commit config", env=env)
    pre_commit = [sys.executable, "-m", "pre_commit"]
    sh(proj, *pre_commit, "install", env=env)
    r = sh(proj, *pre_commit, "install-hooks", env=env, check=False)
    if r.returncode != 0:
        out = r.stdout + r.stderr
        log = base / "pre-commit-home" / "pre-commit.log"
        if log.exists():
            out += log.read_text(errors="replace")
        if any(e in out for e in NETWORK_ERRORS):
            pytest.skip("pre-commit could not install the hook environment (no network to PyPI?): " + out[-400:])
        raise AssertionError("pre-commit install-hooks failed:\n" + out)
    return proj, env, pre_commit


@pytest.fixture
def repo(project):
    """The project, with whatever a test leaves staged or untracked cleaned up afterwards."""
    yield project
    proj, env, _ = project
    sh(proj, "git", "reset", "-q", env=env)
    sh(proj, "git", "clean", "-fdq", env=env)


def head(proj, env) -> str:
    return sh(proj, "git", "rev-parse", "HEAD", env=env).stdout.strip()


def test_manifest_is_valid():
    pre_commit = pytest.importorskip("pre_commit.clientlib")
    hooks = pre_commit.load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"probe-migrator", "probe-migrator-fix"}
    assert by_id["probe-migrator"]["entry"] == "probe-migrator check"
    assert set(by_id["probe-migrator"]["types_or"]) == {"c", "python"}
    assert by_id["probe-migrator-fix"]["stages"] == ["manual"]
    from identify.identify import tags_from_filename

    for name in ("mod.c", "probes.h", "tool.py"):  # the files the hook is meant to see
        assert tags_from_filename(name) & set(by_id["probe-migrator"]["types_or"]), name
    assert not tags_from_filename("notes.txt") & set(by_id["probe-migrator"]["types_or"])


def test_commit_adding_an_address_probe_is_rejected(repo):
    proj, env, _ = repo
    before = head(proj, env)
    (proj / "kp.c").write_text(BAD)
    sh(proj, "git", "add", "kp.c", env=env)
    r = sh(proj, "git", "commit", "-m", "add a probe by address", env=env, check=False)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "probe-migrator" in out and "Failed" in out
    assert "kp.c:8:5: error: kprobe address hard-coded as 0xffffffff81000000" in out
    assert "[addr-literal]" in out
    assert head(proj, env) == before  # nothing was committed


def test_clean_commit_passes(repo):
    proj, env, _ = repo
    before = head(proj, env)
    (proj / "clean.c").write_text(CLEAN)
    (proj / "notes.txt").write_text("kp.addr = (kprobe_opcode_t *)0xffffffff81000000;\n")  # not C: not checked
    sh(proj, "git", "add", "clean.c", "notes.txt", env=env)
    r = sh(proj, "git", "commit", "-m", "a probe by symbol", env=env, check=False)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "probe-migrator" in out and "Passed" in out
    assert "probe-migrator fix" not in out  # the fix hook runs only in the manual stage
    assert head(proj, env) != before


def test_fix_hook_runs_in_the_manual_stage(repo):
    proj, env, pre_commit = repo
    (proj / "ks.c").write_text(KALLSYMS)
    sh(proj, "git", "add", "ks.c", env=env)
    r = sh(proj, *pre_commit, "run", "probe-migrator-fix", "--hook-stage", "manual", "--files", "ks.c", env=env,
           check=False)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out  # pre-commit fails a hook that modified files
    fixed = (proj / "ks.c").read_text()
    assert "kallsyms_lookup_name" not in fixed and '"kernel_clone"' in fixed, fixed
    r = sh(proj, *pre_commit, "run", "probe-migrator", "--files", "ks.c", env=env, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
