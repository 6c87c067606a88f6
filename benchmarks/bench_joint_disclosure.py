"""`make bench`, the joint disclosure control: how long protecting every report a reader can hold
at once takes (analysis.privacy.joint.protect_jointly) for 2, 10 and 50 cohorts.

Cohorts of 50 registered people are made up (analysis.synthetic.frames: every breakdown the
reports show, retention curves, follow-up, risk quartiles); each cohort's own protection is
computed first, as its build records it in results.json (`disclosure.hidden`), and the joint
protection starts from it. With `--release` the pooled report made before the last cohort is a
release on record too (its own joint protection is timed apart). Printed per run: cohorts, the
cells of the joint table (every report's counts, implied ones included), the counts the cohort
reports and the pooled report hide (only the pooled report hides more, as the pipeline runs it:
`hide_in={POOLED}`), the implied counts the cohort reports give away on their own
(`JointTable.given_away`), and the seconds: the cohorts' own protection, the release's, the
joint table, the joint protection.

Figures are printed, never asserted: these machines are noisy.
"""

from __future__ import annotations

import argparse
import time

from analysis.privacy import joint
from analysis.privacy.releases import release_of
from analysis.synthetic import frames


def run(k: int, people: int, min_cell: int, seed: int, release: bool) -> dict:
    made = frames.cohorts(k, people, seed=seed, min_cell=min_cell)
    start = time.perf_counter()
    cohorts = [joint.Cohort(i, counts, frame, hidden=joint.hidden_cells(counts, frame, min_cell, i))
               for i, counts, frame in made]
    own_seconds = time.perf_counter() - start
    releases, release_seconds = [], 0.0
    if release and k > 1:
        start = time.perf_counter()
        earlier = joint.joint_table(cohorts[:-1], min_cell)
        releases = [release_of(1, earlier, joint.protect_jointly(
            cohorts[:-1], min_cell, joint=earlier, hide_in={joint.POOLED}))]
        release_seconds = time.perf_counter() - start
    start = time.perf_counter()
    table = joint.joint_table(cohorts, min_cell, releases)
    table_seconds = time.perf_counter() - start
    start = time.perf_counter()
    hidden = joint.protect_jointly(cohorts, min_cell, joint=table, hide_in={joint.POOLED})
    joint_seconds = time.perf_counter() - start
    shown = {r: sum(c.shown for c in t.cells.values()) for r, t in table.own.items()}
    return {
        "cohorts": k, "cells": len(table.table.cells),
        "cohort_shown": sum(v for r, v in shown.items() if r != joint.POOLED),
        "cohort_hidden": sum(len(v) for r, v in hidden.items() if r != joint.POOLED),
        "given_away": len(table.given_away),
        "pooled_shown": shown[joint.POOLED], "pooled_hidden": len(hidden[joint.POOLED]),
        "own_s": own_seconds, "release_s": release_seconds, "table_s": table_seconds,
        "joint_s": joint_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cohorts", type=int, nargs="+", default=[2, 10, 50])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--min-cell", type=int, default=5)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--release", action="store_true",
                        help="an earlier pooled release (without the last cohort) on record")
    args = parser.parse_args()
    print(f"joint disclosure control: synthetic cohorts of {args.people} registered people, "
          f"min_cell {args.min_cell}" + (", an earlier release of all but the last cohort"
                                         if args.release else ""))
    columns = (("cohorts", 7), ("cells", 6), ("cohorts hide", 14), ("given away", 10),
               ("pooled hides", 12), ("own s", 6), ("release s", 9), ("table s", 7),
               ("joint s", 7))
    print("  ".join(f"{h:>{w}}" for h, w in columns))
    for k in args.cohorts:
        r = run(k, args.people, args.min_cell, args.seed, args.release)
        row = (r["cohorts"], r["cells"],
               f"{r['cohort_hidden']} of {r['cohort_shown']}", r["given_away"],
               f"{r['pooled_hidden']} of {r['pooled_shown']}",
               f"{r['own_s']:.1f}", f"{r['release_s']:.1f}", f"{r['table_s']:.1f}",
               f"{r['joint_s']:.1f}")
        print("  ".join(f"{v:>{w}}" for v, (_, w) in zip(row, columns, strict=True)),
              flush=True)

if __name__ == "__main__":
    main()
