"""`python -m analysis …`: the commands the Makefile runs, with errors a person can act on.

Every command prints one clear line on bad input and exits 2; it never shows a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

import yaml

from analysis.errors import InputError, ModelSpecError, PrivacyLeak

# jsonschema (under papermill, nbformat and nbconvert) compiles a Lark grammar at import for its
# optional "iri" format check when rfc3987-syntax is installed (JupyterLab brings it): 0.9 s in
# every command. No notebook schema uses that format, and nbformat checks no formats; a module
# marked absent is skipped (jsonschema imports it under `suppress(ImportError)`).
sys.modules.setdefault("rfc3987_syntax", None)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LANGS = ("id", "en")


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def run_notebook(args) -> int:
    """Execute a notebook (analysis.runner); a failing cell becomes one line on stderr."""
    from papermill.exceptions import PapermillExecutionError

    from analysis.runner import execute

    parameters = {k: yaml.safe_load(v) for k, v in args.parameter}
    try:
        execute(Path(args.notebook), Path(args.output), parameters,
                settings=Path(args.settings) if args.settings else None)
    except PapermillExecutionError as exc:
        name = Path(args.notebook).name
        if exc.ename in ("InputError", "PrivacyLeak", "ModelSpecError", "NotEstimable",
                         "DisclosureError", "ReleaseMismatch"):
            return _fail(exc.evalue)
        return _fail(f"{name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}")
    return 0


def check(args) -> int:
    """Every problem of each cohort's raw files at once; non-zero when one must be fixed."""
    from analysis.ingest.preflight import preflight

    failed = 0
    for cohort in args.cohorts:
        found = preflight(Path(args.data_dir) / "raw" / cohort)
        for line in found.summary:
            print(line)
        for line in found.warnings:
            print(f"warning: {line}", file=sys.stderr)
        for line in found.errors:
            print(f"error: {line}", file=sys.stderr)
        if found.errors:
            failed += 1
            print(f"{cohort}: {len(found.errors)} problem(s) to fix in the raw files (listed "
                  "above); nothing was built", file=sys.stderr)
        else:
            print(f"{cohort}: raw files read without errors ({len(found.warnings)} warning(s))")
    return 2 if failed else 0


def quality_summary(args) -> int:
    """The data-quality summary of a cleaned cohort (quality.json), after `make report`'s
    cleaning step: what was read, kept, quarantined, merged and linked, and its warnings."""
    import json

    from analysis.ingest.quality import console_lines

    path = Path(args.data_dir) / "processed" / args.cohort / "quality.json"
    quality = json.loads(path.read_text(encoding="utf-8"))
    lines, warnings = console_lines(args.cohort, quality["summary"])
    print("\n".join(lines))
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    return 0


def render(args) -> int:
    """An executed report notebook -> report.html and report.pdf, in the edition's folder
    (reports/<cohort>/, or reports/<cohort>/team/ for the evaluation team's edition; both read
    reports/<cohort>/results.json)."""
    from analysis.outputs import load_results
    from analysis.report import editions
    from analysis.report.render import render_report

    folder = Path(args.reports_dir) / args.cohort
    results = editions.for_edition(load_results(folder / "results.json"), args.edition)
    out = editions.folder(folder, args.edition)
    suffix = "" if args.lang == "id" else f".{args.lang}"
    render_report(out / "notebooks" / f"{args.notebook}.{args.lang}.ipynb", results, args.lang,
                  out / f"report{suffix}.html", out / f"report{suffix}.pdf")
    return 0


def check_privacy(args) -> int:
    from analysis.privacy.leaks import scan

    cohorts = args.cohort
    raws = [Path(args.data_dir) / "raw" / c for c in cohorts]
    outputs = [] if args.only_also else [
        place for c in cohorts for place in (Path(args.data_dir) / "processed" / c,
                                             Path(args.reports_dir) / c)]
    outputs += map(Path, args.also)
    hits = scan(raws[0] if len(raws) == 1 else raws, [d for d in outputs if d.exists()],
                interim_root=Path(args.data_dir) / "interim")
    names = ", ".join(cohorts)
    if hits:
        for file, person in hits[:20]:
            print(f"privacy: {file} contains a {person.kind} from {person.source}", file=sys.stderr)
        raise PrivacyLeak(f"{len(hits)} roster name(s) or phone number(s) found in outputs of "
                          f"{names}; nothing may be shared until this is fixed")
    if args.stamp:
        Path(args.stamp).write_text(f"no roster name or phone found in {', '.join(map(str, outputs))}\n",
                                    encoding="utf-8")
    print(f"privacy check passed for {names}")
    return 0


def build_date(results_files) -> str | None:
    """The index's build date: SOURCE_DATE_EPOCH when set (reproducible builds), else the day
    the newest results.json was written (UTC), so rebuilding the index alone from the same
    results gives the same page."""
    import datetime as dt
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        if not results_files:
            return None
        epoch = max(Path(p).stat().st_mtime for p in results_files)
    return dt.datetime.fromtimestamp(int(float(epoch)), dt.UTC).date().isoformat()


def index(args) -> int:
    from analysis.outputs import atomic_write, load_results
    from analysis.report.render import PLANNING, render_index

    reports = Path(args.reports_dir)
    found = sorted(reports.glob("*/results.json"))
    cohorts = [load_results(p) for p in found  # cohort reports; the pooled and power below
               if p.parent.name not in PLANNING and "funnel" in load_results(p)]
    planning = []
    for name in PLANNING:
        folder = reports / name
        files = {p.name for p in folder.glob("report*.*")} if folder.is_dir() else set()
        if (folder / "results.json").exists() and files:
            planning.append((load_results(folder / "results.json"), files))
    page = render_index(cohorts, planning, build_date(found))
    atomic_write(reports / "index.html", lambda p: p.write_text(page, encoding="utf-8"))
    return 0


def chat_summary(args) -> int:
    """Per-sender counts for any WhatsApp export, as CSV on stdout."""
    from analysis.ingest.chat import parse_exports, sender_summary

    records = parse_exports([Path(p) for p in args.exports], args.date_order)
    try:
        sys.stdout.write(sender_summary(records).to_csv(index=False))
        sys.stdout.flush()
    except BrokenPipeError:  # `| head` closed the pipe: not an error
        sys.stderr.close()
    return 0


def validate(args) -> int:
    """Simulation study: bias and interval coverage of every model the report shows."""
    from analysis.planning.simulation import study

    formulas = {k: v for k, v in (("participant", args.participant_formula),
                                  ("hazard_logit", args.hazard_formula),
                                  ("hazard_cloglog", args.hazard_formula)) if v}
    table = study(args.replications, sizes=args.sizes, seed=args.seed, formulas=formulas)
    print(f"{args.replications} synthetic cohorts per size; truth = the generator's effects "
          "(logit hazard) or the pseudo-true value on 400,000 participants (the others); "
          "auto = the method the report uses")
    print(f"{'model':<15}{'n':>5} {'term':<30}{'method':<20}{'truth':>7}{'bias':>8}"
          f"{'coverage':>10}{'MC SE':>7}{'firth':>7}{'failed':>7}")
    for row in table.itertuples():
        print(f"{row.model:<15}{row.n:>5} {row.term:<30}{row.method:<20}{row.truth:>7.2f}"
              f"{row.bias:>8.3f}{row.coverage:>10.1%}{row.coverage_se:>7.1%}"
              f"{row.firth_share:>7.0%}{int(row.failed):>7}")
    print("MC SE = Monte Carlo standard error of the coverage; firth = share of fits by Firth; "
          "failed = maximum likelihood separated or did not converge (left out of the columns)")
    return 0


def generate(args) -> int:
    from analysis.synthetic.specs import DEMO_COHORTS
    from analysis.synthetic.writers import generate_cohort

    specs = DEMO_COHORTS
    if args.delivery is not None:
        if args.participants is not None or args.edge or args.messages is not None or args.id:
            return _fail("--delivery writes the Jakarta demo reshaped: not with --participants, "
                         "--edge, --messages or --id")
        return _generate_delivery(args.delivery, args.out)
    if args.participants is not None:
        from analysis.synthetic.writers import scale_spec

        try:
            specs = [scale_spec(args.participants, args.messages, args.id)]
        except ValueError as exc:
            return _fail(str(exc))
    elif args.messages is not None or args.id is not None:
        return _fail("--messages and --id go with --participants N")
    elif args.edge:
        from analysis.synthetic.edge_cohorts import EDGE_COHORTS, LARGE

        specs = [*EDGE_COHORTS.values(), *([LARGE] if args.large else [])]
    for spec in specs:
        print(generate_cohort(spec, args.out))
    return 0


def _generate_delivery(delivery: str, out: str) -> int:
    """The Jakarta demo delivered in the given shapes (analysis.synthetic.deliveries), its id the demo's
    with the shapes appended (demo-2023-08-jakarta+xlsx-title-rows+honorifics)."""
    import tempfile

    from analysis.synthetic.deliveries import SHAPES, deliver, delivery_id
    from analysis.synthetic.specs import JAKARTA
    from analysis.synthetic.writers import generate_cohort

    shapes = [s.strip() for s in delivery.split(",") if s.strip()]
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown or not shapes:
        return _fail(f"--delivery {delivery}: unknown shape(s) {', '.join(unknown) or '(none)'}; "
                     f"known: {', '.join(SHAPES)}")
    with tempfile.TemporaryDirectory() as scratch:
        clean = generate_cohort(JAKARTA, scratch)
        try:
            print(deliver(clean, shapes, out, cohort_id=delivery_id(JAKARTA.id, shapes)))
        except ValueError as exc:  # two shapes that cannot combine
            return _fail(str(exc))
    return 0


def new_cohort(args) -> int:
    """Start data/raw/<ID>/ for staff to fill (cohort.yml, BACA-SAYA.md, whatsapp/)."""
    from analysis.ingest.new_cohort import start_cohort

    folder = start_cohort(args.id, Path(args.data_dir) / "raw")
    shown = folder.relative_to(Path.cwd()) if folder.is_relative_to(Path.cwd()) else folder
    print(f"dibuat / started {shown}/: cohort.yml, BACA-SAYA.md, whatsapp/")
    print(f"berikutnya / next: isi cohort.yml dan taruh berkasnya (BACA-SAYA.md) / fill in "
          f"cohort.yml and add the files (BACA-SAYA.md); then make check COHORT={args.id}")
    return 0


def record_release(args) -> int:
    """Keep what the pooled report showed, once it passed its checks (`make pooled`)."""
    from analysis.outputs import load_results
    from analysis.privacy.releases import ReleaseMismatch, keep

    given = load_results(Path(args.reports_dir) / "pooled" / "results.json")["disclosure"].get(
        "given_away_by_cohort_reports", [])
    if given:
        print(f"warning: {len(given)} implied counts are given away by the cohort reports on "
              "their own (a group merged into 'other' that another breakdown's groups pin): "
              f"{', '.join(given)}. The pooled report adds nothing to it. A cohort report built "
              "since its protection covers merged groups (joint.hidden_cells) gives none "
              "away: rebuild those cohorts' reports (make report) before they are sent",
              file=sys.stderr)
    try:
        kept = keep(Path(args.reports_dir) / "pooled" / "release.json", Path(args.releases_dir))
    except ReleaseMismatch as error:
        return _fail(str(error))
    if kept is None:
        print("pooled report: the same cohorts as the last release; no new release recorded")
    else:
        print(f"pooled report: what it shows is recorded in {kept} (keep it with data/raw: "
              "every later pooled report is protected against it)")
    return 0


def _stop(signum, frame):
    """make (Ctrl-C, a CI timeout) sends TERM: unwind, so temporary files are removed."""
    raise SystemExit(128 + signum)


def main(argv=None) -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("run-notebook", help="execute a notebook with papermill")
    p.add_argument("notebook")
    p.add_argument("output")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                   metavar=("NAME", "VALUE"))
    p.add_argument("--settings", help="a processed cohort.json whose `analysis` block sets "
                   "parameters (before -p)")
    p.set_defaults(func=run_notebook)

    p = commands.add_parser("check", help="list every problem of cohorts' raw files at once")
    p.add_argument("cohorts", nargs="+", metavar="COHORT")
    p.add_argument("--data-dir", default=str(PROJECT_ROOT / "data"))
    p.set_defaults(func=check)

    p = commands.add_parser("quality-summary", help="print a cleaned cohort's data-quality summary")
    p.add_argument("cohort")
    p.add_argument("--data-dir", default=str(PROJECT_ROOT / "data"))
    p.set_defaults(func=quality_summary)

    p = commands.add_parser("render", help="executed 03_report -> report.html and report.pdf")
    p.add_argument("cohort")
    p.add_argument("--lang", choices=LANGS, default="id")
    p.add_argument("--notebook", default="03_report", help="executed notebook to render")
    from analysis.report.editions import EDITIONS

    p.add_argument("--edition", choices=EDITIONS, default=EDITIONS[0],
                   help="team: every count, marked restricted, in reports/<cohort>/team/ "
                   "(the executed notebook from its notebooks/ there)")
    p.add_argument("--reports-dir", default=str(PROJECT_ROOT / "reports"))
    p.set_defaults(func=render)

    p = commands.add_parser("check-privacy", help="fail if a roster name or phone is in outputs")
    p.add_argument("cohort", nargs="+", help="one or more cohorts: every file is searched for "
                   "every one's roster names and phones")
    p.add_argument("--data-dir", default=str(PROJECT_ROOT / "data"))
    p.add_argument("--reports-dir", default=str(PROJECT_ROOT / "reports"))
    p.add_argument("--stamp", help="file to write when the check passes")
    p.add_argument("--also", action="append", default=[], metavar="PATH",
                   help="more outputs to scan, folders or files (e.g. reports/explore, reports)")
    p.add_argument("--only-also", action="store_true",
                   help="scan only the --also outputs, not each cohort's processed data and "
                   "reports folder (e.g. a team edition's folder, for every cohort's roster)")
    p.set_defaults(func=check_privacy)

    p = commands.add_parser("index", help="write reports/index.html")
    p.add_argument("--reports-dir", default=str(PROJECT_ROOT / "reports"))
    p.set_defaults(func=index)

    p = commands.add_parser("record-release",
                            help="keep what the pooled report showed (data/releases/pooled-<n>.json)")
    p.add_argument("--reports-dir", default="reports")
    p.add_argument("--releases-dir", default="data/releases")
    p.set_defaults(func=record_release)

    p = commands.add_parser("chat-summary", help="per-sender CSV for WhatsApp export(s)")
    p.add_argument("exports", nargs="+", metavar="EXPORT.txt")
    p.add_argument("--date-order", choices=("day_first", "month_first"),
                   help="how to read dd/mm vs mm/dd dates (default: inferred from the file)")
    p.set_defaults(func=chat_summary)

    p = commands.add_parser("validate", help="simulation study of ML and Firth against the truth")
    p.add_argument("--replications", type=int, default=1000)
    p.add_argument("--sizes", type=int, nargs="+", default=[48, 150])
    p.add_argument("--seed", type=int, default=2023)
    p.add_argument("--participant-formula", help="instead of the report's default")
    p.add_argument("--hazard-formula", help="instead of the report's default")
    p.set_defaults(func=validate)

    p = commands.add_parser("generate", help="write the synthetic demo cohorts")
    p.add_argument("--out", default=str(PROJECT_ROOT / "data" / "raw"))
    p.add_argument("--edge", action="store_true",
                   help="the unhappy cohorts (no dropouts, five people, no chat, …) instead")
    p.add_argument("--large", action="store_true", help="with --edge: also 10,000 participants")
    p.add_argument("--participants", type=int,
                   help="one synthetic cohort of this many participants (scale tests)")
    p.add_argument("--messages", type=int, help="with --participants: about this many messages")
    p.add_argument("--id", help="with --participants: the cohort's id (default scale-N)")
    from analysis.synthetic.deliveries import SHAPES

    p.add_argument("--delivery", metavar="SHAPE[,SHAPE…]",
                   help="the Jakarta demo as real files arrive, in these shapes (id "
                   "demo-2023-08-jakarta+SHAPE+…): " + ", ".join(SHAPES))
    p.set_defaults(func=generate)

    p = commands.add_parser("new-cohort", help="start data/raw/<ID>/ for a new cohort, to fill in")
    p.add_argument("id", metavar="ID", help="the cohort's folder name, e.g. 2024-03-bekasi")
    p.add_argument("--data-dir", default=str(PROJECT_ROOT / "data"))
    p.set_defaults(func=new_cohort)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (InputError, PrivacyLeak, ModelSpecError) as exc:
        return _fail(str(exc))
    except FileNotFoundError as exc:
        return _fail(f"{exc.filename}: not found")
    except IsADirectoryError as exc:
        return _fail(f"{exc.filename}: is a folder, not a file")


if __name__ == "__main__":
    sys.exit(main())
