"""fix --patch-dir as a kernel maintainer receives it (issue 17): the real scripts/checkpatch.pl,
git am of the whole series (cover letter included), git format-patch's names and numbering, no
local paths in the mails, a cover letter whose counts match the series.

checkpatch.pl comes from the kernel source Debian ships (``linux-source-X.Y``: .ci/run installs
whichever the archive offers): an extracted tree in $PM_LINUX_SOURCE or /usr/src, else the newest
/usr/src/linux-source-*.tar.* is opened once and the three files checkpatch --no-tree reads are
kept in the cache directory.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_modules

from migrator.check.registry import all_rules
from migrator.fix.patches import diffstat, patch_filename, subject_tag
from migrator.fix.symbols import load, release_from_name

MAP_NAME = "debian-6.1.0-56-amd64.kallsyms.gz"
NAME, MAIL = "Ada Lovelace", "ada@example.org"
RULES = {r.name: r.code for r in all_rules()}
GIT = ["git", "-c", f"user.name={NAME}", "-c", f"user.email={MAIL}"]
CHECKPATCH_FILES = ("checkpatch.pl", "spelling.txt", "const_structs.checkpatch")  # what --no-tree reads

# What checkpatch --strict may still report on the corpus series, and why. Nothing else is allowed,
# and every entry here must still be needed (the test fails on a stale one).
#
# 1. The rule texts cite the upstream commit that unexported kallsyms_lookup_name(). checkpatch looks
#    a cited id up in the git tree it runs in; outside a kernel git tree (this test) every id is
#    "unknown". In the kernel tree the commit exists and its title matches the citation. The form of
#    the citation (commit <12 hex> ("<title>")) is still checked here: GIT_COMMIT_ID is not allowed.
CITED_COMMITS = {"0bd476e6c671", "ac3b43283923"}
# 2. Style the module already has: fix edits spans and never reformats, so a migrated line keeps the
#    file's indentation, line ends and layout. Each (file, type) is cross-checked below: checkpatch
#    --file on the original file must report the same type.
INHERITED = {
    "corpus/b/stap2008_kretprobes.c": (
        {"SPACING", "LEADING_SPACE", "LONG_LINE", "SUSPECT_CODE_INDENT"},
        "SystemTap-generated code (2008): two-space indents, `.field=value` initialisers, one long "
        "line per probe-table entry; the migrated entries and loop keep that layout"),
    "corpus/b/stap48_probes.c": (
        {"SPACING", "LEADING_SPACE", "LONG_LINE", "TYPECAST_INT_CONSTANT"},
        "SystemTap 4.8-generated code: two-space indents, one long `.field=value` line per probe-table "
        "entry, `.address=(unsigned long)0x...ULL`; the migrated entries keep that layout"),
    "corpus/blind/blklat.c": (
        {"LEADING_SPACE"}, "the module is indented with four spaces; the migrated statements keep it"),
    "corpus/a/sysmap_openat.c": (
        {"DOS_LINE_ENDINGS"}, "the file has CRLF line ends; the migrated lines keep them"),
    "corpus/b/jprobe_kallsyms.c": (
        {"ASSIGN_IN_IF"}, "the module tests `(ret = register_jprobe(...)) < 0`; the port renames the "
        "call and keeps the statement"),
    "corpus/b/jprobe_symbol.c": (
        {"PREFER_PR_LEVEL"}, "the module prints with printk(KERN_INFO ...); the port renames the member "
        "it prints and keeps the call"),
}
_MSG = re.compile(r"^(?P<file>.+?):(?:(?P<line>\d+):)? (?P<level>ERROR|WARNING|CHECK):(?P<type>[A-Z0-9_]+): "
                  r"(?P<text>.*)$")


# -- finding checkpatch.pl ---------------------------------------------------------------------------
def _version_key(path: Path) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", path.name)]


def _cache_root() -> Path:
    base = os.environ.get("PROBE_MIGRATOR_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "probe-migrator")
    return Path(base) / "checkpatch"


def _extract_checkpatch(tarball: Path, cache: Path) -> Path:
    """The scripts/ files checkpatch --no-tree needs, out of a kernel source tarball, into the cache
    (once per tarball: its name, size and mtime name the directory)."""
    st = tarball.stat()
    dest = cache / f"{tarball.name}-{st.st_size}-{int(st.st_mtime)}"
    if (dest / "checkpatch.pl").exists():
        return dest / "checkpatch.pl"
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".extract-", dir=cache))
    try:
        if shutil.which("tar"):  # GNU tar runs xz/bzip2 in a separate process: faster than tarfile
            subprocess.run(["tar", "-xf", str(tarball), "-C", str(work), "--wildcards",
                            *(f"*/scripts/{f}" for f in CHECKPATCH_FILES)], check=True, timeout=900)
        else:
            with tarfile.open(tarball) as tf:
                for member in tf:
                    if member.isfile() and re.fullmatch(r"[^/]+/scripts/(" + "|".join(
                            map(re.escape, CHECKPATCH_FILES)) + ")", member.name):
                        tf.extract(member, work, filter="data")
        found = list(work.glob("*/scripts/checkpatch.pl"))
        if not found:
            raise FileNotFoundError(f"no scripts/checkpatch.pl in {tarball}")
        os.chmod(found[0], 0o755)
        try:
            os.rename(found[0].parent, dest)
        except OSError:  # another run got there first
            if not (dest / "checkpatch.pl").exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest / "checkpatch.pl"


def find_checkpatch(fallback_cache: Path) -> Path | None:
    trees = [Path(os.environ["PM_LINUX_SOURCE"])] if os.environ.get("PM_LINUX_SOURCE") else []
    trees += sorted((p for p in Path("/usr/src").glob("linux-source-*") if p.is_dir()), key=_version_key,
                    reverse=True)
    for tree in trees:
        if (tree / "scripts" / "checkpatch.pl").is_file():
            return tree / "scripts" / "checkpatch.pl"
    tarballs = sorted((p for p in Path("/usr/src").glob("linux-source-*.tar.*") if p.is_file()),
                      key=_version_key, reverse=True)
    if not tarballs:
        return None
    try:
        return _extract_checkpatch(tarballs[0], _cache_root())
    except OSError:
        return _extract_checkpatch(tarballs[0], fallback_cache)


@pytest.fixture(scope="session")
def checkpatch(tmp_path_factory) -> Path:
    if shutil.which("perl") is None:
        pytest.skip("perl is not installed (checkpatch.pl is a perl script)")
    script = find_checkpatch(tmp_path_factory.mktemp("checkpatch-cache"))
    if script is None:
        pytest.skip("no kernel source for scripts/checkpatch.pl: install Debian's linux-source-X.Y "
                    "(.ci/run does) or point PM_LINUX_SOURCE at an extracted tree")
    return script


def run_checkpatch(script: Path, files: list[Path], *extra: str) -> list[dict[str, str]]:
    """checkpatch --no-tree --strict on files, outside any git tree; one dict per message."""
    with tempfile.TemporaryDirectory() as cwd:
        env = dict(os.environ, GIT_DIR=os.path.join(cwd, "no-git"))
        r = subprocess.run(["perl", str(script), "--no-tree", "--strict", "--terse", "--show-types", "--no-summary",
                            "--color=never", *extra, *map(str, files)], cwd=cwd, env=env, capture_output=True,
                           text=True, timeout=600)
    # (stderr may hold checkpatch's own noise: --strict --file without a tree looks for $root/include)
    assert r.returncode in (0, 1), r.stderr
    messages = []
    for line in r.stdout.splitlines():
        m = _MSG.match(line)
        assert m, f"unreadable checkpatch line: {line!r}"
        messages.append(m.groupdict())
    return messages


# -- the corpus series ---------------------------------------------------------------------------------
def need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (.ci/run installs it with apt-get)")


def pm(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migrator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)


class Series:
    def __init__(self, tree: Path, out: Path, map_path: Path, stderr: str) -> None:
        self.tree, self.out, self.map_path, self.stderr = tree, out, map_path, stderr
        self.cover = out / "0000-cover-letter.patch"
        self.patches = sorted(p for p in out.glob("*.patch") if p != self.cover)
        self.all = [self.cover, *self.patches]

    @staticmethod
    def log_of(mail: Path) -> str:
        """The commit message part of a mail: after the headers, up to the --- line."""
        text = mail.read_text()
        body = text.split("\n\n", 1)[1]
        return body.split("\n---\n", 1)[0]

    @staticmethod
    def subject_of(mail: Path) -> str:
        head = mail.read_text().split("\n\n", 1)[0]
        m = re.search(r"^Subject: (.*(?:\n .*)*)", head, re.M)
        assert m, mail
        return m.group(1).replace("\n ", " ")

    def path_of(self, mail: Path) -> str:
        return re.search(r"^diff --git a/(\S+) ", mail.read_text(), re.M).group(1)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> Series:
    """`fix --symbols MAP --patch-dir OUT --signoff --cover-letter corpus/` in a git repository holding
    a copy of the corpus; the map is passed by its absolute path (which must not leak into a mail)."""
    need("git")
    root = tmp_path_factory.mktemp("series")
    tree = root / "tree"
    # corpus/wild holds shapes scored by tests/test_wild.py, not migration examples
    shutil.copytree(CORPUS, tree / "corpus", ignore=shutil.ignore_patterns("*.fixed", "*.expected", "wild"))
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    subprocess.run(["git", "config", "user.name", NAME], cwd=tree, check=True)
    subprocess.run(["git", "config", "user.email", MAIL], cwd=tree, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tree, check=True)
    subprocess.run(["git", "commit", "-qm", "legacy modules"], cwd=tree, check=True)
    map_path = tree / "corpus" / "maps" / MAP_NAME
    out = root / "out"
    r = pm("fix", "--symbols", str(map_path), "--patch-dir", str(out), "--signoff", "--cover-letter", "corpus/",
           cwd=tree)
    assert r.returncode == 1, r.stderr
    s = Series(tree, out, map_path, r.stderr)
    assert s.cover.exists() and len(s.patches) >= 20
    return s


def test_checkpatch_strict_is_clean_on_every_mail(series, checkpatch):
    messages = run_checkpatch(checkpatch, series.all)
    by_file: dict[str, list[dict[str, str]]] = {str(p): [] for p in series.all}
    for m in messages:
        by_file[m["file"]].append(m)
    used_inherited: set[tuple[str, str]] = set()
    used_commits: set[str] = set()
    unexplained = []
    for mail in series.all:
        text = mail.read_text()
        diff_start = text[: text.find("\ndiff --git ")].count("\n") + 2 if "\ndiff --git " in text else 10 ** 9
        source = series.path_of(mail) if mail != series.cover else None
        for m in by_file[str(mail)]:
            line = int(m["line"] or 0)
            if m["type"] == "UNKNOWN_COMMIT_ID" and line < diff_start:
                cited = re.search(r"'([0-9a-f]+)'", m["text"]).group(1)  # type: ignore[union-attr]
                if cited in CITED_COMMITS:
                    used_commits.add(cited)
                    continue
            if source in INHERITED and m["type"] in INHERITED[source][0] and line >= diff_start:
                used_inherited.add((source, m["type"]))
                continue
            unexplained.append(f"{mail.name}:{line}: {m['level']}:{m['type']}: {m['text']}")
    counts = Counter(m["level"] for m in messages)
    print(f"\ncheckpatch --strict on {len(series.all)} mails ({len(series.patches)} patches + cover letter): "
          f"{counts['ERROR']} errors, {counts['WARNING']} warnings, {counts['CHECK']} checks, all of them "
          f"allow-listed; clean mails: {sum(1 for p in series.all if not by_file[str(p)])}")
    assert not unexplained, "\n".join(unexplained)
    # the allow-list is exact: every entry is still needed ...
    assert used_commits == CITED_COMMITS
    assert used_inherited == {(f, t) for f, (types, _why) in INHERITED.items() for t in types}
    # ... and the style really is the module's own: checkpatch --file on the original reports it too
    originals = [series.tree / f for f in INHERITED]
    before = {(os.path.relpath(m["file"], series.tree), m["type"]) for m in run_checkpatch(checkpatch, originals, "--file")}
    for f, (types, why) in INHERITED.items():
        for t in types:
            assert (f, t) in before, f"{f}: {t} is not in the original file, so not inherited ({why})"


def test_git_am_applies_the_whole_series_cover_letter_included(series, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(series.tree), str(clone)], check=True)
    # git am stops at a cover letter ("Patch is empty"): it has no diff. --skip goes on with the rest.
    r = subprocess.run([*GIT, "am", "--keep-cr", *map(str, series.all)], cwd=clone, capture_output=True, text=True)
    assert r.returncode != 0 and "Patch is empty" in r.stdout + r.stderr, r.stdout + r.stderr
    r = subprocess.run([*GIT, "am", "--skip"], cwd=clone, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    _assert_migrated(series, clone)


def test_git_am_empty_drop_takes_the_series_in_one_command(series, tmp_path):
    usage = subprocess.run(["git", "am", "-h"], capture_output=True, text=True)
    if "--empty" not in usage.stdout + usage.stderr:
        pytest.skip("this git am has no --empty (git >= 2.35 has it)")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(series.tree), str(clone)], check=True)
    r = subprocess.run([*GIT, "am", "--keep-cr", "--empty=drop", *map(str, series.all)], cwd=clone,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Skipping" in r.stdout  # the cover letter
    _assert_migrated(series, clone)
    # git format-patch of what was applied names and numbers the mails as fix did
    fp = tmp_path / "fp"
    subprocess.run([*GIT, "format-patch", "-q", "--cover-letter", "-o", str(fp), f"HEAD~{len(series.patches)}"],
                   cwd=clone, check=True)
    assert sorted(p.name for p in fp.iterdir()) == sorted(p.name for p in series.all)
    for ours in series.patches:
        theirs = fp / ours.name
        assert Series.subject_of(theirs) == Series.subject_of(ours)
        stat = re.compile(r"\n---\n(.*?\n)\n", re.S)
        assert stat.search(theirs.read_text()).group(1) == stat.search(ours.read_text()).group(1), ours.name
    assert Series.subject_of(fp / "0000-cover-letter.patch").startswith(f"[PATCH 00/{len(series.patches)}] ")


def _assert_migrated(series: Series, clone: Path) -> None:
    for module in corpus_modules():
        fixed = module.with_name(module.name + ".fixed")
        want = fixed.read_bytes() if fixed.exists() else module.read_bytes()
        assert (clone / "corpus" / module.relative_to(CORPUS)).read_bytes() == want, module
    n = len(series.patches)
    log = subprocess.run(["git", "log", f"-{n}", "--reverse", "--format=%s%x00%an <%ae>%x00%(trailers:key=Signed-off-by,valueonly)%x01"],
                         cwd=clone, capture_output=True, text=True, check=True).stdout
    commits = [c.strip("\n").split("\0") for c in log.split("\x01") if c.strip()]
    assert len(commits) == n
    for (subject, author, signoff), mail in zip(commits, series.patches, strict=True):
        assert Series.subject_of(mail).endswith("] " + subject)
        assert author == f"{NAME} <{MAIL}>" and signoff.strip() == f"{NAME} <{MAIL}>"
    base = subprocess.run(["git", "log", "-1", "--format=%s", f"HEAD~{n}"], cwd=clone, capture_output=True,
                          text=True, check=True).stdout.strip()
    assert base == "legacy modules"  # the cover letter made no commit


def test_no_local_path_in_any_mail(series):
    banned = ["/home", "/root", "/tmp", "/work", str(series.map_path), str(series.tree), str(series.out),
              os.path.realpath(series.map_path)]
    for mail in series.all:
        text = mail.read_text()
        for b in banned:
            assert b not in text, f"{mail.name} holds {b}"
    m = load(str(series.map_path))
    resolved = [p for p in series.patches if "resolved with the symbol map" in Series.log_of(p).replace("\n", " ")]
    assert resolved
    for p in resolved:  # the map is named by what identifies the kernel
        log = Series.log_of(p).replace("\n", " ")
        assert f"{MAP_NAME} (Linux 6.1.0-56-amd64, sha256 {m.sha256[:12]})" in log
    cover = series.cover.read_text()
    assert f"Symbol map: {MAP_NAME}" in cover and m.sha256 in cover and "Kernel release: 6.1.0-56-amd64" in cover


def test_cover_letter_summary_matches_the_series(series):
    cover = Series.log_of(series.cover)
    n = len(series.patches)
    assert Series.subject_of(series.cover) == f"[PATCH {0:0{len(str(n))}d}/{n}] corpus: locate kprobes by symbol_name, not by address"
    assert re.search(rf"^Files \({n} patches\):$", cover, re.M)
    listed = re.findall(r"^ +(\d+)/(\d+) (\S+): (\d+) probes?$", cover, re.M)
    assert [(int(a), int(b), p) for a, b, p, _c in listed] == [(i, n, series.path_of(p)) for i, p in
                                                              enumerate(series.patches, 1)]
    # per rule: the [rule] tags of the changes in the patch bodies
    per_rule = {name: int(c) for name, code, c in re.findall(r"^  ([a-z-]+) \((PM\d+)\): (\d+)$", cover, re.M)
                if RULES[name] == code}
    counted: Counter[str] = Counter()
    per_patch = []
    for p in series.patches:
        changes = re.split(r"\n(?:Addresses were resolved|Not changed here)", Series.log_of(p))[0]
        tags = Counter(t for t in re.findall(r"\[([a-z-]+)\]", changes) if t in RULES)
        counted += tags
        per_patch.append(sum(tags.values()))
    assert per_rule == dict(counted)
    assert [int(c) for *_x, c in listed] == per_patch
    total = re.search(r"\((\d+) findings fixed; (\d+) probe\s+points", cover)
    assert total and int(total.group(1)) == sum(counted.values())
    # offsets: every "Probe point:" line of the bodies, and the share that is build-specific
    points = [x for p in series.patches for x in re.findall(r"^  Probe point: (\S+)", Series.log_of(p), re.M)]
    nonzero = sum(1 for x in points if re.search(r"\+0x[0-9a-f]+\.$", x))
    assert int(total.group(2)) == len(points)
    assert re.search(rf"Offsets: {nonzero} of {len(points)} probe points have a non-zero offset", cover)
    # not fixed: what fix printed on stderr, every line accounted for
    notes = re.findall(r"^(\S+?):(\d+):\d+: note: not fixed \[([a-z-]+)\]", series.stderr, re.M)
    assert re.search(rf"^Not fixed \({len(notes)} findings, left for a human\), and why:$", cover, re.M)
    grouped = " ".join(re.findall(r"^\* (\S+): \[", cover, re.M))
    for path, line, _rule in notes:
        assert re.search(rf"(?:^| ){re.escape(path)}:(?:\d+,)*{line}(?:,|$| )", grouped), (path, line)
    # the shortlog: the subjects, in order
    shortlog = re.search(rf"^{NAME} \({n}\):\n((?:  .*\n)+)", cover + "\n", re.M)
    assert shortlog and [s.strip() for s in shortlog.group(1).splitlines()] == [
        Series.subject_of(p).split("] ", 1)[1] for p in series.patches]


def test_bodies_say_which_offsets_are_build_specific(series):
    for p in series.patches:
        log = Series.log_of(p)
        flat = re.sub(r"\s+", " ", log)
        offsets = re.findall(r"Probe point: \S+?\+(0x[0-9a-f]+)\.", flat)
        if offsets:  # a non-zero offset is never called portable
            assert "is not portable" in flat and "on any build" not in flat and "which is portable" not in flat
            for off in offsets:
                assert f"The offset {off} is specific to the build" in flat, p.name
        elif "Probe point:" in flat:
            assert "Every probe now sits at a function entry (offset 0), which is portable" in flat
    sysmap = next(p for p in series.patches if series.path_of(p) == "corpus/a/sysmap_openat.c")
    flat = re.sub(r"\s+", " ", Series.log_of(sysmap))
    assert ("Probe point: do_sys_openat2+0x11. The offset 0x11 is specific to the build the map describes "
            "(Linux 6.1.0-56-amd64, map sha256") in flat


def test_mails_look_like_git_format_patch(series):
    n = len(series.patches)
    for i, p in enumerate(series.patches, 1):
        text = p.read_text()
        head = text.split("\n\n", 1)[0]
        assert head.startswith("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n")
        assert re.search(rf"^From: {NAME} <{MAIL}>$", head, re.M)
        assert re.search(r"^Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$", head, re.M)
        subject = Series.subject_of(p)
        tag = f"[PATCH {i:0{len(str(n))}d}/{n}] "
        assert subject.startswith(tag)
        title = subject[len(tag):]
        assert len(title) < 75 and p.name == patch_filename(i, title)
        assert all(len(line) <= 78 for line in head.splitlines())
        log = Series.log_of(p)
        assert all(len(line) <= 75 and line == line.rstrip() for line in log.splitlines()), p.name
        assert log.endswith(f"\n\nSigned-off-by: {NAME} <{MAIL}>")
        path = series.path_of(p)
        directory = os.path.dirname(path)
        module = os.path.splitext(os.path.basename(path))[0]
        if sum(os.path.dirname(series.path_of(q)) == directory for q in series.patches) > 1:
            prefix = f"{directory}: {module}: "  # several patches there: the module's name says which
        else:
            prefix = f"{directory}: "  # the subsystem: the directory in the repository
        if len(prefix + "locate kprobe by symbol") <= 72:
            assert title.startswith(prefix), title
        else:  # too long for a title: the module's name alone
            assert title.startswith(f"{module}: "), title


# -- small series: numbering, prefixes, identities, subsystems ---------------------------------------
LITERAL_MODULE = """\
#include <linux/module.h>
#include <linux/kprobes.h>
static struct kprobe kp = {
	.addr = (kprobe_opcode_t *)0xffffffff81363fb1,
};
static int __init m_init(void)
{
	return register_kprobe(&kp);
}
module_init(m_init);
MODULE_DESCRIPTION("%s");
MODULE_LICENSE("GPL");
"""


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    need("git")
    repo = tmp_path / "repo"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return repo


def _isolated_git_env(home: Path) -> dict[str, str]:
    """No global or system git identity: only what the repository or --from says."""
    home.mkdir(exist_ok=True)
    return dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home), GIT_CONFIG_NOSYSTEM="1",
                GIT_CONFIG_GLOBAL=os.devnull)


def test_lone_patch_is_unnumbered_and_numbered_with_a_cover_letter(tmp_path):
    repo = _repo(tmp_path, {"samples/kprobes/openat_probe.c": LITERAL_MODULE % "open() tracer"})
    mapfile = str(CORPUS / "maps" / MAP_NAME)
    env = _isolated_git_env(tmp_path / "home")
    r = pm("fix", "--symbols", mapfile, "--patch-dir", "out", "--from", "Ada Lovelace <ada@example.org>", ".",
           cwd=repo, env=env)
    assert r.returncode == 1, r.stderr
    (mail,) = (repo / "out").iterdir()
    assert mail.name == "0001-samples-kprobes-locate-kprobe-kp-by-symbol_name.patch"
    assert Series.subject_of(mail) == "[PATCH] samples/kprobes: locate kprobe kp by symbol_name"
    assert "Signed-off-by" not in mail.read_text()  # only with --signoff
    r = pm("fix", "--symbols", mapfile, "--patch-dir", "out2", "--cover-letter", "--subject-prefix", "RFC PATCH v2",
           "--signoff", "--from", "Ada Lovelace <ada@example.org>", ".", cwd=repo, env=env)
    assert r.returncode == 1, r.stderr
    names = sorted(p.name for p in (repo / "out2").iterdir())
    assert names == ["0000-cover-letter.patch", "0001-samples-kprobes-locate-kprobe-kp-by-symbol_name.patch"]
    assert Series.subject_of(repo / "out2" / names[0]) == (
        "[RFC PATCH v2 0/1] samples/kprobes: locate kprobes by symbol_name, not by address")
    assert Series.subject_of(repo / "out2" / names[1]).startswith("[RFC PATCH v2 1/1] samples/kprobes: ")


def test_run_from_a_subdirectory_paths_are_from_the_top(tmp_path):
    """git format-patch writes paths from the top of the repository; so does fix, wherever it runs."""
    repo = _repo(tmp_path, {"samples/kprobes/openat_probe.c": LITERAL_MODULE % "open() tracer"})
    env = _isolated_git_env(tmp_path / "home")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "legacy"], cwd=repo, check=True, env=env)
    here = repo / "samples" / "kprobes"
    r = pm("fix", "--symbols", str(CORPUS / "maps" / MAP_NAME), "--patch-dir", str(tmp_path / "out"), "--signoff",
           "--from", f"{NAME} <{MAIL}>", "openat_probe.c", cwd=here, env=env)
    assert r.returncode == 1, r.stderr
    (mail,) = (tmp_path / "out").iterdir()
    assert "\ndiff --git a/samples/kprobes/openat_probe.c b/samples/kprobes/openat_probe.c\n" in mail.read_text()
    assert "* samples/kprobes/openat_probe.c:4: " in mail.read_text()
    subprocess.run([*GIT, "am", str(mail)], cwd=repo, check=True, env=env)
    assert '.symbol_name = "do_sys_openat2"' in (here / "openat_probe.c").read_text()


def test_signoff_needs_an_identity(tmp_path):
    repo = _repo(tmp_path, {"m.c": LITERAL_MODULE % "x"})
    env = _isolated_git_env(tmp_path / "home")
    r = pm("fix", "--symbols", str(CORPUS / "maps" / MAP_NAME), "--patch-dir", "out", "--signoff", "m.c",
           cwd=repo, env=env)
    assert r.returncode == 2 and "--signoff needs your identity" in r.stderr
    assert not (repo / "out").exists()
    r = pm("fix", "--patch-dir", "out", "--from", "no address", "m.c", cwd=repo, env=env)
    assert r.returncode == 2 and "--from needs 'Name <mail>'" in r.stderr
    r = pm("fix", "--signoff", "m.c", cwd=repo, env=env)
    assert r.returncode == 2 and "go with --patch-dir" in r.stderr


def test_from_with_a_non_ascii_name_passes_checkpatch(tmp_path, checkpatch):
    repo = _repo(tmp_path, {"mytrace.c": LITERAL_MODULE % "mytrace: trace opens"})
    env = _isolated_git_env(tmp_path / "home")
    r = pm("fix", "--symbols", str(CORPUS / "maps" / MAP_NAME), "--patch-dir", "out", "--signoff",
           "--from", "Jöhn Q. Dœ <jqd@example.org>", "mytrace.c", cwd=repo, env=env)
    assert r.returncode == 1, r.stderr
    (mail,) = (repo / "out").iterdir()
    text = mail.read_text()
    assert "\nFrom: =?UTF-8?q?J=C3=B6hn=20Q=2E=20D=C5=93?= <jqd@example.org>\n" in text
    assert "\n\nSigned-off-by: Jöhn Q. Dœ <jqd@example.org>\n---\n" in text
    # at the repository root the subsystem comes from MODULE_DESCRIPTION("mytrace: ...")
    assert Series.subject_of(mail) == "[PATCH] mytrace: locate kprobe kp by symbol_name"
    assert run_checkpatch(checkpatch, [mail]) == []
    subprocess.run(["git", "add", "mytrace.c"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "legacy"], cwd=repo, check=True, env=env)
    subprocess.run([*GIT, "am", str(mail)], cwd=repo, check=True, env=env)
    author = subprocess.run(["git", "log", "-1", "--format=%an <%ae>"], cwd=repo, capture_output=True, text=True,
                            check=True).stdout.strip()
    assert author == "Jöhn Q. Dœ <jqd@example.org>"


def test_subject_falls_back_to_the_module_name(tmp_path):
    repo = _repo(tmp_path, {"probe_open.c": LITERAL_MODULE % "Trace opens"})
    r = pm("fix", "--symbols", str(CORPUS / "maps" / MAP_NAME), "--patch-dir", "out", "probe_open.c", cwd=repo,
           env=_isolated_git_env(tmp_path / "home"))
    (mail,) = (repo / "out").iterdir()
    assert Series.subject_of(mail) == "[PATCH] probe_open: locate kprobe kp by symbol_name", r.stderr


# -- the pieces -------------------------------------------------------------------------------------
def test_map_identity(tmp_path):
    assert release_from_name("System.map-6.1.0-57-amd64") == "6.1.0-57-amd64"
    assert release_from_name("debian-6.1.0-56-amd64.kallsyms.gz") == "6.1.0-56-amd64"
    assert release_from_name("vmlinux-5.15.0-91-generic.map") == "5.15.0-91-generic"
    assert release_from_name("kallsyms.txt") is None and release_from_name("System.map") is None
    text = b"ffffffff81000000 T _stext\nffffffff81000010 T vfs_read\n"
    p = tmp_path / "kallsyms.gz"
    with gzip.open(p, "wb") as fh:
        fh.write(text)
    m = load(str(p))
    assert m.label == "kallsyms.gz" and m.release is None and m.sha256 == hashlib.sha256(text).hexdigest()
    assert m.identity == f"kallsyms.gz (sha256 {m.sha256[:12]})"
    banner = (b"# Linux version 6.12.9-amd64 (debian-kernel@lists.debian.org) (x86_64-linux-gnu-gcc-14 (Debian "
              b"14.2.0-12) 14.2.0, GNU ld (GNU Binutils for Debian) 2.43.50.20250108) #1 SMP PREEMPT_DYNAMIC "
              b"Debian 6.12.9-1 (2025-01-10)\n")
    q = tmp_path / "System.map"
    q.write_bytes(banner + text)
    m = load(str(q))
    assert m.release == "6.12.9-amd64" and m.build == "#1 SMP PREEMPT_DYNAMIC Debian 6.12.9-1 (2025-01-10)"
    assert m.identity.startswith("System.map (Linux 6.12.9-amd64, sha256 ")
    assert str(tmp_path) not in m.resolve(0xFFFFFFFF80000000).refused  # type: ignore[operator]


def test_numbering_names_and_diffstat_as_git_writes_them():
    assert subject_tag("PATCH", 2, 5, True) == "[PATCH 2/5]"
    assert subject_tag("PATCH", 2, 15, True) == "[PATCH 02/15]"
    assert subject_tag("PATCH", 0, 15, True) == "[PATCH 00/15]"
    assert subject_tag("PATCH", 1, 1, False) == "[PATCH]"
    assert subject_tag("RFC PATCH v2", 1, 3, True) == "[RFC PATCH v2 1/3]"
    assert patch_filename(1, "corpus/blind-layers-2: ksym_probe: locate kprobes probe_a, probe_b by symbol_name") \
        == "0001-corpus-blind-layers-2-ksym_probe-locate-kprobes-prob.patch"
    assert patch_filename(12, "a..b: x -- y.") == "0012-a.b-x-y.patch"
    assert diffstat([("f", b"+a\n" * 30), ("g", b"+a\n-b\n")]) == (
        " f | 30 ++++++++++++++++++++++++++++++\n g |  2 +-\n 2 files changed, 31 insertions(+), 1 deletion(-)\n")
    assert diffstat([("f", b"-a\n")]).endswith(" 1 file changed, 1 deletion(-)\n")
