"""The generator: deterministic, realistic, and faithful to the published aggregates and its truth."""

import dataclasses
import filecmp
import json

import pandas as pd
import pytest

from analysis import features
from analysis.ingest.clean import clean_cohort
from analysis.models.results import fit_model
from analysis.synthetic import specs
from analysis.synthetic.writers import generate_cohort
from conftest import PROJECT_ROOT

PRESENT = {"hadir", "h", "✓", "v", "1", "ya"}


def attendance_by_session(folder):
    """Counted straight from attendance.csv, without the pipeline's code."""
    sheet = pd.read_csv(folder / "attendance.csv", dtype=str, keep_default_na=False)
    sessions = [c for c in sheet.columns if c.lower().startswith("sesi")]
    return [int(sheet[c].str.strip().str.lower().isin(PRESENT).sum()) for c in sessions]


def test_jakarta_demo_reproduces_48_30_29():
    folder = PROJECT_ROOT / "data" / "raw" / "demo-2023-08-jakarta"
    assert attendance_by_session(folder) == [48, 30, 29]
    truth = json.loads((folder / "synthetic_truth.json").read_text())
    assert truth["attended_by_session"] == [48, 30, 29]


def test_shipped_demo_cohorts_are_what_the_generator_makes(tmp_path):
    for spec in specs.DEMO_COHORTS:
        fresh = generate_cohort(spec, tmp_path)
        shipped = PROJECT_ROOT / "data" / "raw" / spec.id
        files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file())
        for f in files:
            assert filecmp.cmp(fresh / f, shipped / f, shallow=False), f"{spec.id}/{f}: run make data"


def test_generated_raw_files_are_messy_like_real_ones(small_cohort):
    roster = pd.read_csv(small_cohort / "roster.csv", dtype=str)
    phones = roster["No. HP / WhatsApp"]
    assert phones.str.startswith("+62").any() and phones.str.startswith("08").any()
    assert phones.str.startswith("628").any() or phones.str.contains("-").any()
    chat = (small_cohort / "whatsapp" / "chat.txt").read_text(encoding="utf-8")
    assert "<Media tidak disertakan>" in chat and "bergabung menggunakan tautan" in chat
    cohort = (small_cohort / "cohort.yml").read_text(encoding="utf-8")
    assert "synthetic: true" in cohort


@pytest.mark.slow
def test_hazard_model_recovers_the_generators_true_effects(tmp_path):
    # no nicknames: every sender links, so activity is measured without error
    spec = dataclasses.replace(specs.SUKABUMI, id="recovery", n_registered=2200,
                               n_enrolled=2000, seed=5, nickname_share=0.0)
    folder = generate_cohort(spec, tmp_path)
    cleaned = clean_cohort(folder)
    table = features.hazard_frame(cleaned.person_period, cleaned.participants)
    _, fit = fit_model(table, "dropout ~ C(session) + age_40_plus + garment + "
                       "log_messages_before_session", "hazard_formula")
    terms = {t["term"]: t for t in fit["terms"]}
    for term, truth in specs.TRUE_EFFECTS.items():
        if term == "intercept_by_session":
            continue
        name = "log_messages_before_session" if term.startswith("log1p") else term
        estimate, se = terms[name]["estimate"], terms[name]["std_error"]
        assert abs(estimate - truth) < 3 * se, (term, estimate, truth, se)


def test_a_scale_cohort_has_the_participants_and_about_the_messages_asked_for(tmp_path):
    """`python -m analysis generate --participants N --messages M`: a cohort of any size for
    the scale figures, with its truth file and synthetic marking."""
    import json

    from analysis.ingest import chat
    from conftest import run_analysis

    done = run_analysis("generate", "--participants", 300, "--messages", 6000, "--out", tmp_path,
                        "--id", "scale-test")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "scale-test"
    truth = json.loads((folder / "synthetic_truth.json").read_text())
    assert truth["attended_by_session"][0] == 300
    assert "synthetic: true" in (folder / "cohort.yml").read_text()
    records = chat.parse_export(folder / "whatsapp" / "chat.txt")
    written = int((records["kind"] != "system").sum())
    assert 6000 <= written <= 6000 * 1.15, written  # plus the facilitators' messages
    assert run_analysis("generate", "--messages", 10, "--out", tmp_path).returncode == 2
    assert "expected at least 5" in run_analysis("generate", "--participants", 2, "--out",
                                                 tmp_path).stderr
