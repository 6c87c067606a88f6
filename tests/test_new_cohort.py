"""`make cohort ID=...`: a new cohort's folder, its to-do list (`missing`) and the refusals."""

import re
import shutil
import subprocess
import sys

import pytest
import yaml

from analysis.commands import main
from analysis.errors import InputError
from analysis.ingest import identity
from analysis.ingest.cohort import PLACEHOLDER, QUALITY_DEFAULTS, load_cohort
from analysis.ingest.new_cohort import missing, start_cohort, template
from analysis.ingest.preflight import check_cohort
from conftest import PROJECT_ROOT

ID = "2024-03-bekasi"
UNFILLED = ["title.id", "title.en", "place", "sessions.1.date", "sessions.2.date",
            "sessions.3.date", "facilitators.1"]
# What staff write over the placeholders, in the template's order (the small test cohort's dates).
FILLED = ["Pelatihan Reseller Digital — Bekasi, Maret 2024",
          "Digital Reseller Training — Bekasi, March 2024", "Bekasi",
          "2024-03-05", "2024-03-12", "2024-03-19", "Rina Evermos"]


@pytest.fixture
def no_key(monkeypatch, tmp_path):
    monkeypatch.delenv(identity.KEY_ENV, raising=False)
    monkeypatch.setattr(identity, "KEY_FILE", tmp_path / "no-such" / "pseudonym.key")


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv(identity.KEY_ENV, "0" * 64)


def fill(text: str, values=FILLED) -> str:
    """The template as staff leave it: each "ISI: ..." text replaced, in place."""
    values = iter(values)
    return "\n".join(line if line.startswith("#") else
                     re.sub(r'"ISI:[^"]*"', lambda m: f'"{next(values)}"', line)
                     for line in text.splitlines())


# A line of the template's optional parts: "#files:", "#  roster: ..." (a note is "# ID: ...")
OPTIONAL_LINE = re.compile(r"^#((?:  )*[a-z_]+:.*)$")


def uncommented(text: str) -> str:
    """The template with its optional parts switched on."""
    return "\n".join(OPTIONAL_LINE.sub(r"\1", line) for line in text.splitlines())


def listing(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_the_command_writes_the_folder_to_fill(tmp_path, capsys):
    assert main(["new-cohort", ID, "--data-dir", str(tmp_path)]) == 0
    raw = tmp_path / "raw"
    assert listing(raw) == [ID, f"{ID}/BACA-SAYA.md", f"{ID}/cohort.yml", f"{ID}/whatsapp"]
    folder = raw / ID
    spec = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
    assert spec["id"] == ID and spec["synthetic"] is False and spec["language"] == "id"
    note = (folder / "BACA-SAYA.md").read_text(encoding="utf-8")
    assert note.index("Apa yang ditaruh di mana") < note.index("What goes where")  # id first
    for text in ("roster", "attendance", "followup", "whatsapp/", "linkage_overrides.csv",
                 "pseudonym", f"make check COHORT={ID}", f"make report COHORT={ID}"):
        assert text in note, text
    assert "{cohort_id}" not in note
    out = capsys.readouterr().out
    assert f"make check COHORT={ID}" in out


def test_the_template_is_yaml_and_every_key_is_one_load_cohort_reads(tmp_path, key):
    import papermill

    text = template("cohort.yml", ID)
    for variant in (text, uncommented(text)):  # as written, and with every optional part used
        spec = yaml.safe_load(variant)
        assert sum('"ISI:' in line for line in variant.splitlines()
                   if not line.startswith("#")) == len(UNFILLED)
        folder = tmp_path / ID
        folder.mkdir(exist_ok=True)
        (folder / "cohort.yml").write_text(fill(variant), encoding="utf-8")
        cohort = load_cohort(folder)
        assert cohort.extra == {}  # nothing load_cohort does not read
        assert set(spec["title"]) == {"id", "en"}
        assert all(set(s) == {"date"} for s in spec["sessions"])
    assert set(spec["files"]) == {"roster", "attendance", "followup"}
    assert set(spec["whatsapp"]) == {"date_order"} and cohort.chat_date_order == "day_first"
    assert cohort.quality == spec["quality"] == QUALITY_DEFAULTS  # the defaults, as it says
    declared = papermill.inspect_notebook(str(PROJECT_ROOT / "notebooks/02_dropout_model.ipynb"))
    assert set(spec["analysis"]) <= set(declared)
    assert spec["files"]["attendance"] == {"file": "absensi.xlsx", "sheet": "Sesi"}


def test_every_note_in_the_template_is_in_both_languages():
    blocks, block = [], []
    for line in template("cohort.yml", ID).splitlines() + [""]:
        if line.startswith("#") and not OPTIONAL_LINE.match(line):
            block.append(line)
        elif block:
            blocks.append("\n".join(block))
            block = []
    assert len(blocks) >= 11
    for note in blocks:
        assert "ID:" in note and "EN:" in note, note
        assert note.index("ID:") < note.index("EN:"), note


def test_load_cohort_names_every_field_still_to_fill(tmp_path):
    folder = start_cohort(ID, tmp_path)
    with pytest.raises(InputError) as refused:
        load_cohort(folder)
    line = str(refused.value)
    assert "\n" not in line and line.startswith(str(folder / "cohort.yml"))
    assert f"still to fill in: {', '.join(UNFILLED)} " in line
    text = (folder / "cohort.yml").read_text(encoding="utf-8")
    half = fill(text, FILLED[:3] + [PLACEHOLDER.lower() + " later"] + FILLED[4:])  # any case
    (folder / "cohort.yml").write_text(half, encoding="utf-8")
    with pytest.raises(InputError, match=r"still to fill in: sessions\.1\.date \("):
        load_cohort(folder)


def test_a_started_folder_lists_what_is_still_to_do(tmp_path, no_key):
    folder = start_cohort(ID, tmp_path)
    errors, warnings = missing(folder)
    assert len(errors) == 4, errors
    assert all(field in errors[0] for field in UNFILLED)
    assert "no roster file" in errors[1] and "no attendance file" in errors[2]
    assert "No pseudonym key" in errors[3]
    assert len(warnings) == 2
    assert "no follow-up file" in warnings[0] and "no WhatsApp export" in warnings[1]
    # make check on it lists exactly that, before reading any table
    assert check_cohort(folder) == (errors, warnings)


def test_a_filled_folder_has_nothing_missing(tmp_path, small_cohort, key):
    folder = start_cohort(ID, tmp_path)
    text = (folder / "cohort.yml").read_text(encoding="utf-8")
    (folder / "cohort.yml").write_text(fill(text), encoding="utf-8")
    for name in ("roster.csv", "attendance.csv"):
        shutil.copy(small_cohort / name, folder / name)
    errors, warnings = missing(folder)
    assert errors == []
    assert len(warnings) == 2  # no follow-up, no chat: the report says so
    shutil.copy(small_cohort / "followup.csv", folder / "followup.csv")
    # the export as the phone makes it: a zip, any name
    shutil.make_archive(str(folder / "whatsapp" / "WhatsApp Chat - Reseller Bekasi"), "zip",
                        small_cohort / "whatsapp")
    assert missing(folder) == ([], [])
    assert load_cohort(folder).synthetic is False
    errors, _ = check_cohort(folder)  # and then the tables themselves are read: all is well
    assert errors == []


def test_missing_names_two_candidate_rosters(tmp_path, small_cohort, key):
    folder = start_cohort(ID, tmp_path)
    shutil.copy(small_cohort / "roster.csv", folder / "roster.csv")
    shutil.copy(small_cohort / "roster.csv", folder / "Roster.txt")
    errors, _ = missing(folder)
    assert any("roster.csv" in e and "Roster.txt" in e for e in errors), errors


@pytest.mark.parametrize("bad", ["2024 03 bekasi", "../bekasi", "raw/2024-03-bekasi", "-bekasi",
                                 "bekasi.2024", "kohort-é", "a" * 65, "pooled", "Power", ""])
def test_an_unsafe_id_is_refused_and_nothing_written(tmp_path, capsys, bad):
    assert main(["new-cohort", "--data-dir", str(tmp_path), "--", bad]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "2024-03-bekasi" in err
    assert listing(tmp_path) == []


@pytest.mark.parametrize("existing", [ID, ID.upper()])
def test_an_existing_folder_is_refused_and_left_alone(tmp_path, capsys, existing):
    raw = tmp_path / "raw"
    (raw / existing).mkdir(parents=True)
    (raw / existing / "roster.csv").write_text("mine\n", encoding="utf-8")
    before = listing(tmp_path)
    assert main(["new-cohort", ID, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err
    assert listing(tmp_path) == before
    assert (raw / existing / "roster.csv").read_text(encoding="utf-8") == "mine\n"


@pytest.fixture
def project(make_project):
    """A copy of the project (conftest: its venv the checkout's, found current by make, so
    nothing is reinstalled) with no data/ folder at all."""
    return make_project(raw=None, name="new-cohort-project")


def make(project, *args):
    """make in the project, on a machine with no pseudonym key (its HOME has none)."""
    return project.make("--no-print-directory", *args,
                        env={identity.KEY_ENV: None, "HOME": str(project.root / "home")})


def test_make_cohort(project):
    root = project.root
    listed = make(project, "help")
    assert re.search(r"make cohort +start data/raw/<ID>/", listed.stdout), listed.stdout
    usage = make(project, "cohort")
    assert usage.returncode == 2 and "make cohort ID=2024-03-bekasi" in usage.stderr
    assert not (root / "data").exists()
    done = make(project, "cohort", f"ID={ID}")
    assert done.returncode == 0, done.stderr
    folder = root / "data" / "raw" / ID
    assert listing(folder) == ["BACA-SAYA.md", "cohort.yml", "whatsapp"]
    assert f"make check COHORT={ID}" in done.stdout
    again = make(project, "cohort", f"ID={ID}")
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = make(project, "cohort", "ID=bekasi maret")
    assert bad.returncode == 2 and "not a safe folder name" in bad.stderr
    check = make(project, "check", f"COHORT={ID}")  # what is still to do, and nothing built
    assert check.returncode == 2 and "Traceback" not in check.stderr
    errors = [line for line in check.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 4 and "title.id" in errors[0], check.stderr
    assert listing(root / "data") == ["raw", f"raw/{ID}", *(f"raw/{ID}/{p}" for p in
                                                               listing(folder))]


def test_the_module_runs_as_the_makefile_runs_it(tmp_path):
    done = subprocess.run([sys.executable, "-m", "analysis", "new-cohort", ID, "--data-dir",
                           tmp_path], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "raw" / ID / "cohort.yml").is_file()


def test_make_leaves_out_only_folders_whose_values_are_placeholders(tmp_path):
    # the Makefile's grep follows load_cohort's rule: a value starting with "ISI:", not any
    # "isi:" in the text ("Komisi: ...") nor one in a comment
    for cohort, text in {"filled": 'id: filled\ntitle: {id: "Komisi: Bekasi", en: x}\n'
                                   "# ISI: a comment left in\n",
                         "started": 'id: started\ntitle:\n  id: "ISI: judul kohort"\n',
                         "facilitator": 'id: facilitator\nfacilitators:\n  - "isi: nama"\n'}.items():
        (tmp_path / "data" / "raw" / cohort).mkdir(parents=True)
        (tmp_path / "data" / "raw" / cohort / "cohort.yml").write_text(text, encoding="utf-8")
    done = subprocess.run(["make", "-s", "-f", str(PROJECT_ROOT / "Makefile"), "print-STARTED",
                           "print-ALL_COHORTS"], cwd=tmp_path, capture_output=True, text=True)
    note, *printed = done.stdout.splitlines()
    assert printed == ["facilitator started", "filled"]
    assert note.startswith("note: not built, cohort.yml still to fill in: facilitator started")
