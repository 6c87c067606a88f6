"""`make bench`, part two: how the pipeline's cost grows with the cohort.

Synthetic cohorts of 1,000 / 10,000 / 100,000 participants (about 100 messages per participant
in the WhatsApp export) are built from the raw folder to both languages' PDFs, each in a project
folder of its own that borrows this checkout's Makefile, notebooks, code and venv. The commands
are the Makefile's own (`make -n report`), run one by one so each is timed: wall seconds and the
peak resident memory of the step's processes (the kernel papermill starts included). Then a demo
cohort rebuilt after one raw file changes, and a `make report` with nothing to do.

Figures are printed, never asserted: these machines are noisy. Generated cohorts are kept under
data/interim/bench/scale/ (gitignored), so a second run times the pipeline, not the generator.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

from bench_progress import bar

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "data" / "interim" / "bench" / "scale"
BORROWED = ("Makefile", "notebooks", "src", "scripts", "requirements.lock", "pyproject.toml", ".venv")
STEPS = ("01 clean", "02 model", "03 report", "render", "privacy")

# Runs one command; prints its wall time and the peak memory of the largest process it started.
TIMED = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(["bash", "-c", sys.argv[1]], cwd=sys.argv[2], capture_output=True, text=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "returncode": done.returncode,
                  "stderr": done.stderr[-2000:]}))
"""


def step_of(command: str) -> str:
    if "01_clean" in command:
        return "01 clean"
    if "02_dropout_model" in command:
        return "02 model"
    if "03_report" in command:
        return "03 report"
    if " render " in command:
        return "render"
    return "privacy"  # the cohort's leak check, the index and the all-reports check


# `make bench` runs this inside make: its variables would make the inner makes print
# "Entering directory" lines and share the outer job server
ALONE = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}


def make_commands(project: Path, target: str = "report") -> list[str]:
    """The commands `make` would run, continuation lines joined."""
    dry = subprocess.run(["make", "-n", "--no-print-directory", target], cwd=project,
                         capture_output=True, text=True, check=True, env=ALONE).stdout
    return [c.strip() for c in re.sub(r"\\\n\s*", " ", dry).splitlines() if c.strip()]


def timed(command: str, cwd: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", TIMED, command, str(cwd)], capture_output=True,
                          text=True, check=True, env=ALONE)
    result = json.loads(done.stdout)
    if result["returncode"] != 0:
        raise SystemExit(f"failed in {cwd}: {command}\n{result['stderr']}")
    return result


def project_with(raw_cohorts: list[Path], where: Path) -> Path:
    """A project folder with these raw cohorts and this checkout's code; no outputs yet."""
    shutil.rmtree(where, ignore_errors=True)
    (where / "data" / "raw").mkdir(parents=True)
    for name in BORROWED:
        (where / name).symlink_to(ROOT / name)
    for raw in raw_cohorts:  # hard links: make sees the files (a symlinked folder hides them)
        shutil.copytree(raw, where / "data" / "raw" / raw.name, copy_function=os.link)
    return where


def generated(participants: int, messages: int) -> Path:
    """The scale cohort's raw folder, generated once and kept."""
    cohort_id = f"scale-{participants}"
    raw = WORK / "raw" / f"{cohort_id}-{messages}"
    if not (raw / cohort_id / "cohort.yml").exists():
        shutil.rmtree(raw, ignore_errors=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "analysis", "generate", "--participants",
                        str(participants), "--messages", str(messages), "--out", str(raw)],
                       check=True)
        print(f"  generated {cohort_id} ({messages:,} messages) in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    return raw / cohort_id


def build(participants: int, per_participant: int) -> dict:
    raw = generated(participants, participants * per_participant)
    project = project_with([raw], WORK / f"project-{participants}")
    chat = sum(f.stat().st_size for f in (raw / "whatsapp").glob("*")) / 1e6
    steps = {s: {"seconds": 0.0, "peak_mb": 0.0} for s in STEPS}
    commands = make_commands(project)
    with bar(len(commands), f"{participants:,} participants", unit="command") as progress:
        for command in commands:
            progress.set_postfix_str(step_of(command))
            result = timed(command, project)
            step = steps[step_of(command)]
            step["seconds"] += result["seconds"]
            step["peak_mb"] = max(step["peak_mb"], result["peak_mb"])
            progress.update()
    results = json.loads((project / "reports" / raw.name / "results.json").read_text())
    influence = results["models"].get("participant", {}).get("influence") or {}
    methods = sorted({v.get("method", "exact refits") for v in influence.values()})
    return {"participants": participants, "chat_mb": chat, "steps": steps,
            "influence": ", ".join(methods) or "not computed"}


def scale_table(rows: list[dict]) -> None:
    print("\nScale: raw folder -> both languages' HTML and PDF (seconds / peak MB per step)")
    header = f"{'step':<12}" + "".join(f"{r['participants']:>18,}" for r in rows)
    growth = [f"x{b['participants'] // a['participants']}" for a, b in pairwise(rows)]
    print(header + "".join(f"{'growth ' + g:>14}" for g in growth))
    for step in (*STEPS, "total"):
        cells, seconds = "", []
        for r in rows:
            if step == "total":
                s = sum(v["seconds"] for v in r["steps"].values())
                mb = max(v["peak_mb"] for v in r["steps"].values())
            else:
                s, mb = r["steps"][step]["seconds"], r["steps"][step]["peak_mb"]
            seconds.append(s)
            cells += f"{s:>10.1f} s {mb:>5.0f}M"
        ratios = "".join(f"{b / a:>14.1f}" for a, b in pairwise(seconds))
        print(f"{step:<12}{cells}{ratios}")
    for r in rows:
        total = sum(v["seconds"] for v in r["steps"].values())
        peak = max(v["peak_mb"] for v in r["steps"].values())
        print(f"  {r['participants']:>7,} participants, {r['chat_mb']:.0f} MB chat export: "
              f"{total:.1f} s, peak {peak:.0f} MB; influence: {r['influence']}")
        if r["participants"] == 10_000:
            print(f"    target: under 60 s from raw folder to both PDFs: "
                  f"{'met' if total < 60 else 'NOT met'}")
        if r["participants"] == 100_000:
            print(f"    target: peak memory under 4 GB: {'met' if peak < 4096 else 'NOT met'}")


def rebuild_and_noop(cohort: str) -> None:
    """A demo cohort rebuilt after its roster changes, then `make report` with nothing to do."""
    project = project_with([ROOT / "data" / "raw" / cohort], WORK / "project-demo")
    with bar(7, f"{cohort}: build, rebuild, 5 with nothing to do", unit="build") as progress:
        subprocess.run(["make", "report"], cwd=project, capture_output=True, check=True, env=ALONE)
        progress.update()
        roster = project / "data" / "raw" / cohort / "roster.csv"
        roster.unlink()  # a copy of its own, so touching it leaves the checkout's alone
        shutil.copy2(ROOT / "data" / "raw" / cohort / "roster.csv", roster)
        os.utime(roster)
        start = time.perf_counter()
        subprocess.run(["make", "report"], cwd=project, capture_output=True, check=True, env=ALONE)
        rebuild = time.perf_counter() - start
        progress.update()
        noop = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(["make", "report"], cwd=project, capture_output=True, check=True,
                           env=ALONE)
            noop.append(time.perf_counter() - start)
            progress.update()
    print(f"\nBuilds: {cohort} rebuilt after its roster changed: {rebuild:.1f} s "
          f"(target 25 s: {'met' if rebuild <= 25 else 'NOT met'}); make report with nothing "
          f"to do: {min(noop):.2f} s best of 5 (target 0.5 s: "
          f"{'met' if min(noop) < 0.5 else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--messages-per-participant", type=int, default=100)
    parser.add_argument("--demo", default="demo-2023-08-jakarta",
                        help="the cohort timed for a rebuild ('' to skip)")
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        print(f"building {n:,} participants ...", flush=True)
        rows.append(build(n, args.messages_per_participant))
    if rows:
        scale_table(rows)
    if args.demo:
        rebuild_and_noop(args.demo)


if __name__ == "__main__":
    main()
