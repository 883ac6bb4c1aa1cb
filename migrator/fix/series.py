"""The mail series of ``fix --patch-dir``: one git format-patch mail per changed file, numbered
as git does, with a cover letter; subjects in the kernel's ``subsystem: summary`` habit, bodies
that say per probe what changed, why, and (for a non-zero offset) that it is build-specific.
Checked by tests/test_patch_series.py with the real scripts/checkpatch.pl and git am."""

from __future__ import annotations

import email.utils
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass

from migrator.check.registry import all_rules
from migrator.core.model import AddrSite
from migrator.fix.fixer import FileFix
from migrator.fix.patches import cover_mail, diffstat, mail, patch_filename, subject_tag, unified_diff, write_new_file
from migrator.fix.symbols import SymbolMap


def display_path(path: str) -> str:
    """The path as it appears in diff headers: relative to the current directory."""
    p = os.path.normpath(path)
    if os.path.isabs(p):
        rel = os.path.relpath(p)
        p = rel if not rel.startswith("..") else p.lstrip("/")
    return p.replace(os.sep, "/")


@dataclass
class Series:
    """How ``fix --patch-dir`` writes its mails (the options git format-patch has for the same)."""

    signoff: bool = False
    sender: str | None = None  # --from "Name <mail>": the From: header and the Signed-off-by
    subject_prefix: str = "PATCH"
    cover_letter: bool = False


JPROBE_RULE = "jprobe"  # rules/jprobe.py: its fixes port jprobes, not addresses
TITLE_MAX = 72  # a commit title (the Subject: after git am drops the [PATCH] tag) stays under 75
WRAP = 75  # checkpatch: commit message lines of at most 75 columns
FALLBACK_AUTHOR = "probe-migrator <probe-migrator@localhost>"
# commits the rule texts cite, with their titles, for the kernel's citation style:
# commit <12 hex> ("<title>") -- what checkpatch asks for (GIT_COMMIT_ID)
KNOWN_COMMITS = {
    "0bd476e6c671": "kallsyms: unexport kallsyms_lookup_name() and kallsyms_on_each_symbol()",
    "ac3b43283923": "module: replace module_layout with module_memory",
}
_BARE_COMMIT = re.compile(r"\bcommit ([0-9a-f]{12})\b(?!\s*\()")
_DESCRIPTION_SUBSYSTEM = re.compile(rb'MODULE_DESCRIPTION\(\s*"([A-Za-z][\w./-]*): ')


def identity(sender: str | None) -> str | None:
    """``Name <mail>``: from --from, else from git config user.name/user.email; None if neither."""
    if sender is not None:
        name, addr = email.utils.parseaddr(sender)
        if not name.strip() or "@" not in addr or any(c in sender for c in "\r\n"):
            raise ValueError(f"--from needs 'Name <mail>', got {sender!r}")
        return f"{name.strip()} <{addr}>"
    return _git_identity()


def write_series(patch_dir: str, changed: list[FileFix], fixes: list[FileFix], symbols: SymbolMap | None,
                 series: Series, ident: str | None) -> bool:
    """One mail per changed file, numbered as git format-patch numbers them, and the cover letter
    last (so a series with a cover letter is complete). False if a write failed."""
    err = sys.stderr
    author = ident or FALLBACK_AUTHOR
    when = time.time()
    total = len(changed)
    numbered = total > 1 or series.cover_letter
    root = repo_root()
    inside = [repo_path(ff.path, root) for ff in changed]
    paths = [p or display_path(ff.path) for p, ff in zip(inside, changed, strict=True)]
    dirs = [os.path.dirname(p) or None if p else None for p in inside]  # the subsystem: samples/kprobes
    entries: list[tuple[str, str, bytes]] = []  # (path, title, diff)
    try:
        os.makedirs(patch_dir, exist_ok=True)
        for n, (ff, path, directory) in enumerate(zip(changed, paths, dirs, strict=True), 1):
            diff = unified_diff(path, ff.original, ff.new or b"")
            shared = directory is not None and dirs.count(directory) > 1
            title, body = describe(ff, path, symbols, subsystem=subsystem(ff, directory), name_module=shared)
            if series.signoff and ident:
                body = body.rstrip("\n") + f"\n\nSigned-off-by: {ident}"
            subject = " ".join(x for x in (subject_tag(series.subject_prefix, n, total, numbered), title) if x)
            name = patch_filename(n, title)
            write_new_file(os.path.join(patch_dir, name), mail(path, diff, subject, body, author, when))
            err.write(f"{os.path.join(patch_dir, name)}\n")
            entries.append((path, title, diff))
        if series.cover_letter and changed:
            title, body = describe_series(changed, fixes, entries, symbols, author, dirs, root)
            subject = " ".join(x for x in (subject_tag(series.subject_prefix, 0, total, True), title) if x)
            name = os.path.join(patch_dir, "0000-cover-letter.patch")
            write_new_file(name, cover_mail(subject, body, author, when))
            err.write(f"{name}\n")
    except OSError as e:
        err.write(f"{patch_dir}: error: {e.strerror or e}; the series is incomplete\n")
        return False
    return True


def repo_root() -> str:
    """The top of the git work tree the current directory is in, else the current directory."""
    try:
        r = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, timeout=10)
        if r.returncode == 0 and r.stdout.strip():
            return r.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return os.getcwd()


def repo_path(path: str, root: str) -> str | None:
    """The path as git format-patch writes it: relative to the top of the repository (so ``git am``
    at the top applies the series wherever fix ran); None for a file outside it."""
    top = os.path.realpath(root)
    for candidate in (os.path.abspath(path), os.path.join(os.path.realpath(os.path.dirname(path) or "."),
                                                          os.path.basename(path))):
        rel = os.path.relpath(candidate, top)
        if not rel.startswith(".."):
            return rel.replace(os.sep, "/")
    return None


def subsystem(ff: FileFix, directory: str | None) -> str:
    """The ``subsystem:`` of a subject, as kernel commits name it: the module's directory in the
    repository (``samples/kprobes``), else the name its MODULE_DESCRIPTION starts with
    (``"mytrace: ..."``), else the module's name."""
    if directory:
        return directory
    named = _DESCRIPTION_SUBSYSTEM.search(ff.original)
    if named:
        return named.group(1).decode()
    return _module(ff.path)


def _module(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _probe_names(ff: FileFix) -> list[str]:
    probes: list[str] = []
    for a in ff.applied:
        subject = a.findings[0].subject
        name = getattr(subject, "probe", "") or getattr(subject, "name", "") or "probe"
        name = re.sub(r"^[\w]+#\d+:", "", name)
        if name not in probes:
            probes.append(name)
    return probes


def _title(prefix: str, probes: list[str], jprobes: list[str] | None = None) -> str:
    """``prefix: locate kprobes a, b by symbol_name`` (``port jprobes a, b to kprobes``), with fewer
    names until it fits TITLE_MAX."""
    if jprobes:
        probes = jprobes
    noun = f"{'j' if jprobes else 'k'}probe{'s' * (len(probes) != 1)}"
    verb, tail = ("port", "to kprobes") if jprobes else ("locate", "by symbol_name")
    for shown in range(min(len(probes), 4), 0, -1):
        names = ", ".join(probes[:shown]) + (f" and {len(probes) - shown} more" if len(probes) > shown else "")
        title = f"{prefix}: {verb} {noun} {names} {tail}"
        if len(title) <= TITLE_MAX:
            return title
    title = f"{prefix}: {verb} {noun} {tail}"
    return title if len(title) <= TITLE_MAX or jprobes else f"{prefix}: locate {noun} by symbol"


def _jprobe_names(ff: FileFix) -> list[str]:
    """The jprobes the file's fixes port to kprobes (rules/jprobe.py), in order."""
    return [str(getattr(f.subject, "name", "")) for a in ff.applied for f in a.findings if f.rule == JPROBE_RULE]


def describe(ff: FileFix, path: str, symbols: SymbolMap | None, subsystem: str | None = None,
             name_module: bool = False) -> tuple[str, str]:
    """Title (the Subject: without its [PATCH] tag) and body of the mail for one file."""
    module = _module(path)
    prefix = subsystem or module
    probes, jprobes = _probe_names(ff), _jprobe_names(ff)
    title = _title(f"{prefix}: {module}" if name_module and prefix != module else prefix, probes, jprobes)
    if len(title) > TITLE_MAX:
        title = _title(module, probes, jprobes)
    rules = {r.name: r for r in all_rules()}
    targets = [t for a in ff.applied for t in a.plan.targets]
    by_map = symbols is not None and any(symbols.label in e for a in ff.applied for e in a.plan.explanation)
    if path.endswith((".c", ".h")) and not any(isinstance(a.findings[0].subject, AddrSite) for a in ff.applied):
        intro = (f"Register the kprobes of {module} by .symbol_name/.offset instead of a raw address. "
                 "register_kprobe() resolves the symbol itself (kernel/kprobes.c, _kprobe_addr()), which works "
                 "under KASLR and, since Linux 5.7, without kallsyms_lookup_name().")
    else:  # tracefs definitions, BPF attach calls, perf kprobe events
        intro = (f"Name the kprobes of {module} by symbol and offset instead of a raw address. The kernel "
                 "resolves the symbol itself when it creates the probe, which works under KASLR.")
    if targets and all(off == 0 for _, off in targets):
        intro += (" Every probe now sits at a function entry (offset 0), which is portable: it "
                  "works on other builds of the kernel as long as they have these functions.")
    elif any(off for _, off in targets):
        intro += (" A non-zero offset is not portable: instruction boundaries move between builds of the "
                  "kernel, so each one below holds only for the build it was computed for and has to be "
                  "checked again for any other.")
    lines = [intro, ""]
    if jprobes:
        port = (f"Port the jprobes of {module} to kprobes. Jprobes were disabled in Linux 4.15 (register_jprobe() "
                "became a stub returning -ENOSYS) and then removed from include/linux/kprobes.h. A kprobe on "
                "the same function entry whose pre_handler reads the arguments with regs_get_kernel_argument() "
                "(arch/x86/include/asm/ptrace.h, x86 since Linux 4.20) sees the same arguments; the register "
                "each argument comes from is x86-64's calling convention.")
        lines = [port, ""] + (lines if any(a.findings[0].rule != JPROBE_RULE for a in ff.applied) else [])
    for a in ff.applied:
        f = a.findings[0]
        lines.append(f"* {path}:{f.line}: {f.message} [{f.rule}]")
        for extra in a.findings[1:]:
            lines.append(f"  also {extra.path}:{extra.line}: {extra.message} [{extra.rule}]")
        for e in a.plan.explanation:
            lines.append(f"  {e}.")
        resolved_here = symbols is not None and any(symbols.label in e for e in a.plan.explanation)
        for sym, off in a.plan.targets:
            lines.append(f"  {_probe_point(sym, off, symbols if resolved_here else None)}")
        for w in a.plan.warnings:
            lines.append(f"  WARNING: {w}.")
        why = _without_commit_ids(" ".join(rules[f.rule].why.split())).split(". ")
        lines.append(f"  Why: {'. '.join(why[:2]).rstrip('.')}. (probe-migrator explain {f.rule})")
        lines.append("")
    if symbols is not None and by_map:
        lines += [f"Addresses were resolved with the symbol map {symbols.identity}.", ""]
    if ff.refused:
        lines.append("Not changed here (need a human):")
        for finding, reason in ff.refused:
            lines.append(f"* {path}:{finding.line}: [{finding.rule}] {reason}")
        lines.append("")
    lines.append("Generated by probe-migrator fix; each change was re-checked before it was offered.")
    return title, "\n".join(_wrap(cite_commits(line)) for line in lines)


def _probe_point(sym: str, off: int, symbols: SymbolMap | None) -> str:
    if not off:
        return f"Probe point: {sym}, offset 0 (the function entry)."
    build = f"the build the map describes ({_build_of(symbols)})" if symbols else "the build it was computed for"
    return (f"Probe point: {sym}+{off:#x}. The offset {off:#x} is specific to {build}: check it on every "
            "other kernel.")


def _build_of(symbols: SymbolMap) -> str:
    release = f"Linux {symbols.release}, " if symbols.release else ""
    return f"{release}map sha256 {symbols.short_hash}"


def cite_commits(line: str) -> str:
    """``commit 0bd476e6c671`` -> ``commit 0bd476e6c671 ("kallsyms: unexport ...")``, the form
    checkpatch checks."""
    return _BARE_COMMIT.sub(lambda m: f'commit {m.group(1)} ("{KNOWN_COMMITS[m.group(1)]}")'
                            if m.group(1) in KNOWN_COMMITS else m.group(0), line)


def describe_series(changed: list[FileFix], fixes: list[FileFix], entries: list[tuple[str, str, bytes]],
                    symbols: SymbolMap | None, author: str, dirs: list[str | None], root: str) -> tuple[str, str]:
    """Title and body of the cover letter: what the series changes, per rule, what it leaves to a
    human and why, the symbol map it was resolved with, the shortlog and the diffstat."""
    total = len(changed)
    common = os.path.commonpath([d for d in dirs if d]) if all(dirs) else ""
    scope = common or (subsystem(changed[0], dirs[0]) if total == 1 else "kprobes")
    title = f"{scope}: locate kprobes by symbol_name, not by address"
    if len(title) > TITLE_MAX:
        title = "locate kprobes by symbol_name, not by address"
    per_rule: dict[str, int] = {}
    targets: list[tuple[str, int]] = []
    for ff in changed:
        for a in ff.applied:
            targets.extend(a.plan.targets)
            for f in a.findings:
                per_rule[f.rule] = per_rule.get(f.rule, 0) + 1
    codes = {r.name: r.code for r in all_rules()}
    width = len(str(total))
    lines = [
        f"This series registers the kprobes of {total} file{'s' * (total != 1)} by .symbol_name/.offset "
        "instead of raw addresses: register_kprobe() then resolves each probe in the running kernel "
        "(kernel/kprobes.c, _kprobe_addr()), under KASLR and, since Linux 5.7, without "
        "kallsyms_lookup_name(). One patch per file; each change was re-checked by probe-migrator "
        "before it was offered.",
        "",
        f"Files ({total} patch{'es' * (total != 1)}):",
    ]
    for n, (ff, (path, _title_n, _diff)) in enumerate(zip(changed, entries, strict=True), 1):
        count = sum(len(a.findings) for a in ff.applied)
        lines.append(f"  {n:>{width}}/{total} {path}: {count} probe{'s' * (count != 1)}")
    lines += ["", f"Probes migrated, per rule ({sum(per_rule.values())} findings fixed; {len(targets)} probe "
                  "points now named by symbol):"]
    for rule, count in sorted(per_rule.items(), key=lambda kv: (codes.get(kv[0], ""), kv[0])):
        lines.append(f"  {rule} ({codes.get(rule, '?')}): {count}")
    lines += _offsets_and_map(targets, symbols)
    lines += _not_fixed(fixes, root)
    lines += ["", f"{email.utils.parseaddr(author)[0] or author} ({total}):"]
    lines += [f"  {t}" for _path, t, _diff in entries]
    body = "\n".join(_wrap(cite_commits(line)) for line in lines)
    return title, body + "\n\n" + diffstat([(p, d) for p, _t, d in entries]).rstrip("\n")


def _offsets_and_map(targets: list[tuple[str, int]], symbols: SymbolMap | None) -> list[str]:
    """The cover letter's paragraphs on offsets (which are build-specific) and on the map."""
    nonzero = sum(1 for _, off in targets if off)
    lines = [""]
    if nonzero:
        lines.append(f"Offsets: {nonzero} of {len(targets)} probe points have a non-zero offset, which holds "
                     "only for the build it was computed for (instruction boundaries move between builds): "
                     "check those against every other kernel the modules are built for. "
                     f"The other {len(targets) - nonzero} sit at function entries (offset 0), which is portable.")
    else:
        lines.append(f"Offsets: all {len(targets)} probe points sit at function entries (offset 0), which is "
                     "portable to other builds that have these functions.")
    if symbols is not None:
        lines += ["", f"Symbol map: {symbols.label}"]
        if symbols.release:
            where = "its Linux version banner" if symbols.banner_release else "its file name"
            lines.append(f"  Kernel release: {symbols.release} (from {where})")
        else:
            lines.append("  Kernel release: not derivable from the map or its name")
        lines.append(f"  Build: {symbols.build}" if symbols.build else
                     "  Build: not recorded in the map (no Linux version banner)")
        lines.append(f"  sha256: {symbols.sha256} (of the uncompressed map)")
    return lines


def _not_fixed(fixes: list[FileFix], root: str) -> list[str]:
    """What the series leaves to a human, grouped by file, rule and reason."""
    lines: list[str] = []
    refused: dict[tuple[str, str, str], list[int]] = {}  # (file, rule, reason) -> lines
    for ff in fixes:
        for finding, reason in ff.refused:
            where = repo_path(finding.path, root) or display_path(finding.path)
            refused.setdefault((where, finding.rule, reason), []).append(finding.line)
    if refused:
        count = sum(len(v) for v in refused.values())
        lines += ["", f"Not fixed ({count} finding{'s' * (count != 1)}, left for a human), and why:"]
        for (path, rule, reason), at in refused.items():
            lines.append(f"* {path}:{','.join(map(str, at))}: [{rule}] {reason}")
    return lines


def _wrap(line: str, width: int = WRAP) -> str:
    if len(line) <= width:
        return line
    import textwrap

    indent = re.match(r"\s*(\* )?", line).group(0)  # type: ignore[union-attr]
    return textwrap.fill(line, width=width, subsequent_indent=" " * len(indent), break_long_words=False,
                         break_on_hyphens=False)


def _git_identity() -> str | None:
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5).stdout.strip()
        email_ = subprocess.run(["git", "config", "user.email"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = email_ = ""
    return f"{name} <{email_}>" if name and email_ else None


def _without_commit_ids(text: str) -> str:
    """A rule page's prose without the commit ids whose titles are not known here: checkpatch wants
    every commit cited in a mail as ``commit <sha> ("<title>")`` (cite_commits does the known ones)."""
    text = re.sub(r"commit ([0-9a-f]{12,40})[,;]?\s*", lambda m: m.group(0) if m.group(1) in KNOWN_COMMITS else "",
                  text)
    text = re.sub(r"[;,]\s*\)", ")", re.sub(r"\(\s*\)", "", text))
    return re.sub(r"\s+([,.;)])", r"\1", text)
