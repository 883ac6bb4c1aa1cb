"""Benchmark: probe-migrator against the I/O floor and Coccinelle on a whole Linux tree.

    python bench/run.py [--tree DIR] [--json bench/results.json]

Without --tree it installs Debian's linux-source-6.12 (apt-get, as root) if needed and unpacks it
under bench/.work/. Everything is measured in this one run on this machine and reported as ratios:
  floor       read and byte-search every .c/.h file in one Python process (page cache warm)
  cold        probe-migrator check with an empty result cache
  warm        probe-migrator check again, cache filled
              (--rounds rounds of these three back to back; the median round's ratios are reported)
  spatch      Coccinelle with bench/addr.cocci (the same addr writes), --jobs = cores, if installed
  one file    probe-migrator check on one corpus module vs `python -c pass` (median of runs)
It prints a table and writes the numbers as JSON. This is a benchmark, not a test: .ci/run does
not run it.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = os.path.join(HERE, ".work")


def ensure_tree() -> str:
    found = sorted(glob.glob(os.path.join(WORK, "linux-source-6.12*")))
    if found:
        return found[-1]
    tarballs = sorted(glob.glob("/usr/src/linux-source-6.12*.tar.xz"))
    if not tarballs:
        if os.geteuid() != 0:
            sys.exit("bench: run as root (to apt-get install linux-source-6.12) or pass --tree DIR")
        subprocess.run(["apt-get", "install", "-y", "-q", "linux-source-6.12"], check=True)
        tarballs = sorted(glob.glob("/usr/src/linux-source-6.12*.tar.xz"))
    os.makedirs(WORK, exist_ok=True)
    subprocess.run(["tar", "xf", tarballs[-1], "-C", WORK], check=True)
    return sorted(glob.glob(os.path.join(WORK, "linux-source-6.12*")))[-1]


def ensure_tool() -> str:
    venv = os.path.join(WORK, "venv")
    exe = os.path.join(venv, "bin", "probe-migrator")
    if not os.path.exists(exe):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "--force-reinstall", "--no-deps", ROOT],
                   check=True)
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", ROOT], check=True)
    return exe


def floor(tree: str) -> tuple[float, int, int]:
    """Read and byte-search every .c/.h file: the cost no checker can avoid."""
    start = time.perf_counter()
    files = hits = 0
    for root, dirs, names in os.walk(tree):
        dirs[:] = [d for d in dirs if d != ".git"]
        for n in names:
            if n.endswith((".c", ".h")):
                with open(os.path.join(root, n), "rb") as fh:
                    hits += b"kprobe" in fh.read()
                files += 1
    return time.perf_counter() - start, files, hits


def timed(cmd: list[str], **kw: object) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    """Wall time of one command."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - start, proc


# RUSAGE_CHILDREN's maxrss is the largest child this process ever waited for, so a fresh parent
# measures each command: the peak of the command and its worker processes, nothing earlier.
_PEAK = ("import resource, subprocess, sys\n"
         "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_rss_kb(cmd: list[str]) -> int:
    """Peak resident memory (KB) of the largest process of one command."""
    out = subprocess.run([sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


def median_wall(cmd: list[str], runs: int = 11) -> float:
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree")
    ap.add_argument("--json", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--rounds", type=int, default=5, help="rounds of floor/cold/warm; the median is reported")
    ap.add_argument("--tool", help="probe-migrator to measure (default: a regular, non-editable install of this "
                                    "tree in bench/.work/venv, as users get it)")
    args = ap.parse_args()
    args.tool = args.tool or ensure_tool()
    tree = args.tree or ensure_tree()
    cores = os.cpu_count() or 1
    tool = [args.tool, "check", "--format", "json", "-q"]
    floor(tree)  # warm the page cache
    # Rounds of floor, cold, warm back to back: on a shared machine one round's CPU speed can differ
    # from the next by 20%, so each ratio is taken within a round and the median round is reported.
    rounds = []
    for _ in range(args.rounds):
        t_floor, nfiles, nkprobe = floor(tree)
        cache = tempfile.mkdtemp(prefix="pm-bench-cache-")
        t_cold, proc = timed(tool + ["--cache-dir", cache, tree])
        t_warm, _ = timed(tool + ["--cache-dir", cache, tree])
        shutil.rmtree(cache, ignore_errors=True)
        rounds.append({"floor_s": t_floor, "cold_s": t_cold, "warm_s": t_warm,
                       "cold_over_floor": t_cold / t_floor, "warm_over_floor": t_warm / t_floor})
        print(f"round {len(rounds)}: floor {t_floor:.2f} s, cold {t_cold:.2f} s ({t_cold / t_floor:.2f}x), "
              f"warm {t_warm:.2f} s ({t_warm / t_floor:.2f}x)", flush=True)
    findings = len(json.loads(proc.stdout or b"[]"))
    internal = proc.stderr.count(b"internal error")
    mid = sorted(rounds, key=lambda r: r["cold_over_floor"])[len(rounds) // 2]
    t_floor, t_cold = mid["floor_s"], mid["cold_s"]
    warm_mid = sorted(rounds, key=lambda r: r["warm_over_floor"])[len(rounds) // 2]
    t_warm = warm_mid["warm_s"] * t_floor / warm_mid["floor_s"]  # the median warm ratio, on this floor
    # the one-file path before spatch: a long spatch run leaves the machine slower for a while
    module = os.path.join(ROOT, "corpus", "a", "sct_guard.c")
    t_pass = median_wall([os.path.join(os.path.dirname(args.tool), "python"), "-c", "pass"])
    t_one = median_wall([args.tool, "check", "--no-cache", module])
    t_spatch = None
    if shutil.which("spatch"):
        t_spatch, _ = timed(["spatch", "--sp-file", os.path.join(HERE, "addr.cocci"), "--dir", tree,
                             "--jobs", str(cores), "--very-quiet", "--no-show-diff"])
    rss_one = peak_rss_kb([args.tool, "check", "--no-cache", module])
    rss_pass = peak_rss_kb([os.path.join(os.path.dirname(args.tool), "python"), "-c", "pass"])
    rss_cold = peak_rss_kb(tool + ["--no-cache", tree])
    cache = tempfile.mkdtemp(prefix="pm-bench-cache-")
    peak_rss_kb(tool + ["--cache-dir", cache, tree])
    rss_warm = peak_rss_kb(tool + ["--cache-dir", cache, tree])
    shutil.rmtree(cache, ignore_errors=True)
    # throughput on the candidate files: what the prefilter lets through
    sys.path.insert(0, ROOT)
    from migrator.check.discover import worth_parsing

    cand_files = cand_bytes = 0
    for root, _dirs, names in os.walk(tree):
        for n in names:
            if n.endswith((".c", ".h")):
                with open(os.path.join(root, n), "rb") as fh:
                    data = fh.read()
                if worth_parsing(data, os.path.join(root, n)):
                    cand_files += 1
                    cand_bytes += len(data)
    results = {
        "tree": tree, "cores": cores, "files": nfiles, "files_with_kprobe": nkprobe,
        "floor_s": t_floor, "cold_s": t_cold, "warm_s": t_warm, "spatch_s": t_spatch,
        "cold_over_floor": t_cold / t_floor, "warm_over_floor": t_warm / t_floor,
        "ours_over_spatch": (t_cold / t_spatch) if t_spatch else None,
        "peak_rss_mb_cold": rss_cold / 1024, "peak_rss_mb_warm": rss_warm / 1024,
        "findings": findings, "internal_errors": internal, "rounds": rounds,
        "one_file_ms": t_one * 1000, "python_pass_ms": t_pass * 1000, "one_file_over_pass_ms": (t_one - t_pass) * 1000,
        "one_file_peak_rss_mb": rss_one / 1024, "python_pass_peak_rss_mb": rss_pass / 1024,
        "candidate_files": cand_files, "candidate_mb": cand_bytes / 1e6,
        "candidates_per_s_cold": cand_files / t_cold, "candidate_mb_per_s_cold": cand_bytes / 1e6 / t_cold,
    }
    rows = [
        ("I/O floor (read + byte search)", f"{t_floor:.2f} s", "1.00x"),
        ("check, cold cache", f"{t_cold:.2f} s", f"{t_cold / t_floor:.2f}x floor (median of {len(rounds)} rounds)"),
        ("check, warm cache", f"{t_warm:.2f} s", f"{t_warm / t_floor:.2f}x floor (median of {len(rounds)} rounds)"),
        (f"spatch --jobs {cores}", f"{t_spatch:.2f} s" if t_spatch else "not installed",
         f"ours/spatch {t_cold / t_spatch:.2f}" if t_spatch else "-"),
        ("one file (median)", f"{t_one * 1000:.0f} ms", f"+{(t_one - t_pass) * 1000:.0f} ms over python -c pass"),
        ("one file, peak memory", f"{rss_one / 1024:.0f} MB", f"python -c pass: {rss_pass / 1024:.0f} MB"),
        ("peak memory, whole tree", f"{max(rss_cold, rss_warm) / 1024:.0f} MB", "(largest process)"),
        ("candidates", f"{cand_files} files, {cand_bytes / 1e6:.1f} MB",
         f"{cand_files / t_cold:.0f} files/s, {cand_bytes / 1e6 / t_cold:.1f} MB/s cold"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, ratio in rows:
        print(f"{name:<{width}}  {value:>18}  {ratio}")
    print(f"{findings} findings, {internal} internal errors, {nfiles} files")
    with open(args.json, "w") as fh:
        json.dump(results, fh, indent=2)


if __name__ == "__main__":
    main()
