import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.synthetic.specs import JAKARTA, SUKABUMI
from analysis.synthetic.writers import generate_cohort

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# A small cohort for fast tests: same generator, fewer people, its own seed.
SMALL = dataclasses.replace(
    SUKABUMI, id="test-small", n_registered=30, n_enrolled=26, seed=11,
    title={"id": "Kohort Uji Kecil (DATA SINTETIS)", "en": "Small Test Cohort (SYNTHETIC DATA)"},
    session_dates=[dt.date(2024, 3, 5), dt.date(2024, 3, 12), dt.date(2024, 3, 19)],
    group_start=dt.date(2024, 2, 27),
)


# The long model fits of test files this conftest does not own, marked slow here so that
# `make test-fast` (the edit loop, `-m "not e2e and not slow"`) stays under two minutes; `make
# test` runs them. (file -> test functions: the simulation study's table, 30 replications at
# n = 48, about 25 s; build_results with every check on 8 formulas and with MICE, about 45 s.)
# The files may carry @pytest.mark.slow themselves instead; a name no longer there marks nothing.
SLOW_FITS = {
    "test_simulation.py": {"test_every_replication_is_accounted_for",
                           "test_every_reported_model_is_studied_as_the_report_fits_it",
                           "test_firth_always_gives_finite_estimates",
                           "test_intervals_cover_their_truth", "test_estimates_land_near_the_truth"},
    "test_formulas.py": {"test_any_formula_fits_and_every_term_gets_a_label_in_both_languages",
                         "test_complete_cases_are_counted_per_formula",
                         "test_same_processed_data_give_byte_identical_results_json"},
    "test_missing.py": {"test_blank_cells_are_missing_counted_and_imputed_as_a_sensitivity_check"},
    "test_synthetic.py": {
        "test_a_scale_cohort_has_the_participants_and_about_the_messages_asked_for"},
}


# The fixtures below that copy the project to run make in it (seconds to minutes): a test that
# asks for one, directly or through a fixture of its own, is e2e whether or not its file says so.
BUILT_PROJECTS = {"make_project", "small_project", "demo_project", "built_cohort"}


def pytest_collection_modifyitems(items):
    for item in items:
        if getattr(item, "originalname", item.name) in SLOW_FITS.get(item.path.name, ()):
            item.add_marker(pytest.mark.slow)
        if BUILT_PROJECTS & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def small_cohort(tmp_path_factory) -> Path:
    """A generated raw cohort folder, made once per test run (read-only: copy before editing)."""
    return generate_cohort(SMALL, tmp_path_factory.mktemp("raw"))


@pytest.fixture
def cohort_copy(small_cohort, tmp_path) -> Path:
    """A private copy of the small cohort that a test may damage."""
    import shutil

    target = tmp_path / "raw" / small_cohort.name
    shutil.copytree(small_cohort, target)
    return target


@pytest.fixture(scope="session")
def small_processed(small_cohort, tmp_path_factory) -> Path:
    """The small cohort cleaned: data/processed/<id>/ as 02_dropout_model reads it."""
    from analysis.ingest.clean import clean_cohort, write_outputs

    data = tmp_path_factory.mktemp("data")
    write_outputs(clean_cohort(small_cohort), data / "processed" / small_cohort.name,
                  data / "interim" / small_cohort.name)
    return data / "processed" / small_cohort.name


def run_analysis(*args) -> subprocess.CompletedProcess:
    """`python -m analysis ...` from the project folder, as the Makefile runs it."""
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True)


# --- a project of its own: the checkout copied, driven by make as staff drive it -------------

# What make and Python must not carry in from the shell that runs pytest (`make test` itself
# passes its flags down in MAKEFLAGS; a COHORT= on its command line would reach the copy's make).
NOT_INHERITED = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEFILES", "COHORT", "COHORTS", "ID",
                 "PYTHONPATH", "VIRTUAL_ENV")


SKIPPED = {".git", ".venv", "reports", "__pycache__", ".pytest_cache", ".ruff_cache"}


def _committed(path: Path) -> bool:
    """Without git: what .gitignore would let in (no outputs, venv or caches; under data/raw
    the README and the synthetic cohorts only, never a real one)."""
    if SKIPPED & set(path.parts) or path.parts[:2] in (("data", "processed"), ("data", "interim")):
        return False
    if path.parts[:2] != ("data", "raw") or len(path.parts) < 4:
        return path.parts[:2] != ("data", "raw") or path.name == "README.md"
    spec = PROJECT_ROOT / "data" / "raw" / path.parts[2] / "cohort.yml"
    return spec.is_file() and "synthetic: true" in spec.read_text(encoding="utf-8")


def project_files() -> list[str]:
    """The checkout's files as a clone has them: tracked ones as they are in the working tree
    (edits included), and new files git does not ignore (a module not yet added). Never what
    .gitignore keeps out: outputs, the venv, real cohorts under data/raw."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                                 "--exclude-standard"], cwd=PROJECT_ROOT, capture_output=True,
                                check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an unpacked archive)
        listed = []
        for folder, subfolders, files in os.walk(PROJECT_ROOT):
            here = Path(folder).relative_to(PROJECT_ROOT)
            subfolders[:] = [d for d in subfolders if d not in SKIPPED]
            listed += [str(here / f) for f in files if _committed(here / f)]
    return [name for name in listed if name and (PROJECT_ROOT / name).is_file()]


def _link_venv(root: Path, newest: float) -> None:
    """root/.venv: the checkout's venv, nothing reinstalled. Its entries (bin, lib, pyvenv.cfg,
    ...) are links, so Python takes root/.venv as its prefix; the stamp .installed is the
    project's own file, dated after `newest` (the newest file copied: copy2 keeps each file's
    time, so an input of the stamp edited a minute ago is older still), so make finds the venv
    current. The shared stamp is never read or touched: whether the checkout's own stamp is older
    than its pyproject.toml (edited, say, for a pytest option) does not matter here, and make
    never runs scripts/bootstrap-venv.sh, which would write through these links."""
    venv = root / ".venv"
    venv.mkdir()
    shared = PROJECT_ROOT / ".venv"
    for entry in shared.iterdir():
        if entry.name not in (".installed", ".lock"):
            (venv / entry.name).symlink_to(entry)
    stamp = venv / ".installed"
    stamp.touch()
    os.utime(stamp, (max(newest + 1, stamp.stat().st_mtime),) * 2)


@dataclasses.dataclass
class Project:
    """A copy of the project in a folder of its own, with make run in it exactly as staff run it
    in the checkout (the same Makefile, notebooks, src and venv)."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def env(self, changes: dict | None = None) -> dict:
        """The environment make runs in: the caller's, less what would leak in (above), with
        the copy's src/ first on the path (the venv's editable install points at the
        checkout's src/, and the notebooks' kernels inherit this)."""
        env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        env["PYTHONPATH"] = str(self.root / "src")
        for key, value in (changes or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def make(self, *args, env: dict | None = None) -> subprocess.CompletedProcess:
        """`make ARGS` in the project; `env` changes the environment (None removes a name)."""
        return subprocess.run(["make", *map(str, args)], cwd=self.root, capture_output=True,
                              text=True, env=self.env(env))

    def popen_make(self, *args, **kwargs) -> subprocess.Popen:
        return subprocess.Popen(["make", *map(str, args)], cwd=self.root, env=self.env(),
                                **kwargs)

    def run_analysis(self, *args) -> subprocess.CompletedProcess:
        """`python -m analysis ...` in the project, with its venv, as its Makefile runs it."""
        return subprocess.run([str(self.root / ".venv" / "bin" / "python"), "-m", "analysis",
                               *map(str, args)], cwd=self.root, capture_output=True, text=True,
                              env=self.env())

    def build(self, *args) -> subprocess.CompletedProcess:
        """make ARGS, which must succeed."""
        done = self.make(*args)
        assert done.returncode == 0, f"make {' '.join(map(str, args))}: {done.stderr[-3000:]}"
        return done


def new_project(folder: Path, raw="demo") -> Project:
    """The project copied into `folder` (empty or missing). raw="demo": data/raw as committed
    (the demo cohorts); a list of cohort folders: data/raw holds copies of those only (an empty
    list: an empty data/raw, for a test to write into); None: no data/ folder at all."""
    folder.mkdir(parents=True, exist_ok=True)
    newest = 0.0
    for name in project_files():
        if raw != "demo" and name.startswith("data/"):
            continue
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, target)
        newest = max(newest, target.stat().st_mtime)
    project = Project(folder)
    if raw not in ("demo", None):
        project.raw.mkdir(parents=True, exist_ok=True)
        for cohort in raw:
            shutil.copytree(cohort, project.raw / Path(cohort).name)
    _link_venv(folder, newest)
    # the guard: a test must never make the shared venv rebuild itself
    stale = project.make("-q", ".venv/.installed")
    assert stale.returncode == 0, f"make would rebuild the copy's (shared) venv: {stale.stderr}"
    return project


@pytest.fixture(scope="session")
def make_project(tmp_path_factory):
    """make_project(raw="demo", name="project"): a fresh copy of the project (new_project) in
    a temporary folder, for a test that builds with make; see also the built projects below."""
    def make(raw="demo", name="project") -> Project:
        return new_project(tmp_path_factory.mktemp(name), raw)
    return make


@pytest.fixture(scope="session")
def small_project(make_project, small_cohort) -> Project:
    """The small cohort alone in a project, built by `make report pooled` (once per test run;
    read-only): its report in both languages, HTML and PDF, the privacy check, the pooled
    report and the index."""
    project = make_project([small_cohort], name="small-project")
    project.build("report", "pooled")
    return project


@pytest.fixture(scope="session")
def demo_project(make_project) -> Project:
    """The checkout's own demo cohorts (data/raw as committed) built as staff build them:
    `make report pooled power`, once per test run (read-only). Tests of what the demo reports
    look like read these, never the developer's reports/."""
    project = make_project(name="demo-project")
    project.build("-j2", "report", "pooled", "power")
    return project


@pytest.fixture(scope="session")
def built_cohort(small_project) -> dict:
    """The small cohort as `make report` built it (small_project), for every test that reads a
    built report (read-only)."""
    cohort = SMALL.id
    return {"cohort": cohort, "raw": small_project.raw / cohort, "data": small_project.data,
            "reports": small_project.reports / cohort, "project": small_project}


@pytest.fixture(scope="session")
def jakarta_raw(tmp_path_factory) -> Path:
    """The Jakarta demo's raw folder, generated once per test run (read-only: deliver or copy
    it before editing)."""
    return generate_cohort(JAKARTA, tmp_path_factory.mktemp("jakarta"))


@pytest.fixture(scope="session")
def jakarta_cleaned(jakarta_raw):
    """The clean Jakarta demo cleaned once: the numbers every delivery of it must give."""
    from analysis.ingest.clean import clean_cohort

    return clean_cohort(jakarta_raw)
