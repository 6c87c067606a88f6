"""The unhappy cohorts, each built with `make report` in both languages: every one gets a
report, and the report says in words what its data could not support."""

import html
import json
import re
from pathlib import Path

import pytest

from analysis.synthetic.edge_cohorts import EDGE_COHORTS
from analysis.synthetic.writers import generate_cohort

pytestmark = pytest.mark.e2e

# cohort -> (English sentence, Indonesian sentence) its report must carry
EXPLAINED = {
    "edge-no-dropouts": ("nobody dropped out of this cohort (26 participants)",
                         "tidak ada peserta yang berhenti di kohort ini (26 peserta)"),
    "edge-all-drop-out": ("all 26 participants dropped out, so there is nobody to compare",
                          "semua 26 peserta berhenti, jadi tidak ada pembanding"),
    "edge-one-dropout-session": ("The logit hazard model above, by Firth's method, gives finite",
                                 "Model hazard logit di atas, dengan metode Firth"),
    "edge-one-session": ("This programme had one session only.",
                         "Program ini hanya punya satu sesi."),
    "edge-two-sessions": ("does not vary in this cohort: Session",
                          "tidak bervariasi di kohort ini: Sesi"),
    "edge-five-people": ("only 5 participants have complete data and a model needs at least 10",
                         "hanya 5 peserta dengan data lengkap, padahal model butuh sedikitnya 10"),
    "edge-all-under-40": ("does not vary in this cohort: Aged 40 and over",
                          "tidak bervariasi di kohort ini: Usia 40 tahun ke atas"),
    "edge-all-over-40": ("does not vary in this cohort: Aged 40 and over",
                         "tidak bervariasi di kohort ini: Usia 40 tahun ke atas"),
    "edge-one-sector": ("does not vary in this cohort: Garment & textile sector",
                        "tidak bervariasi di kohort ini: Sektor garmen & tekstil"),
    "edge-no-chat": ("This cohort has no WhatsApp group export",
                     "Kohort ini tidak punya ekspor grup WhatsApp"),
    "edge-no-participant-messages": ("No participant message could be linked to the roster",
                                     "Tidak ada pesan peserta yang dapat dikaitkan"),
    "edge-nobody-linked": ("No participant message could be linked to the roster (31 senders, 29 "
                           "unmatched)", "Tidak ada pesan peserta yang dapat dikaitkan"),
    "edge-no-followup": ("This cohort has no follow-up file",
                         "Kohort ini tidak punya berkas tindak lanjut"),
    "edge-blank-followup": ("This cohort's follow-up file is blank",
                            "Berkas tindak lanjut kohort ini kosong"),
    "edge-ages-missing": ("missing for every participant: Aged 40 and over",
                          "kosong untuk semua peserta: Usia 40 tahun ke atas"),
}


@pytest.fixture(scope="module")
def project(make_project):
    """A copy of the project (conftest) whose data/raw holds only the unhappy cohorts, built by
    `make -k -j2 report`."""
    built = make_project([], name="edge-project")
    for spec in EDGE_COHORTS.values():
        generate_cohort(spec, built.raw)
    return {"root": built.root, "make": built.make("-k", "-j2", "report")}


def test_every_unhappy_cohort_builds(project):
    done = project["make"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr


def _text(path: Path) -> str:
    page = re.sub(r"data:image/png;base64,[^\"]+", "", path.read_text(encoding="utf-8"))
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


@pytest.mark.parametrize("cohort", sorted(EXPLAINED))
def test_the_report_says_what_could_not_be_estimated(project, cohort):
    reports = project["root"] / "reports" / cohort
    for name in ("report.html", "report.pdf", "report.en.html", "report.en.pdf", "privacy.ok"):
        assert (reports / name).exists(), name
    english, indonesian = EXPLAINED[cohort]
    assert english in _text(reports / "report.en.html")
    assert indonesian in _text(reports / "report.html")
    for name in ("report.en.html", "report.html"):  # no table cell gives up without a reason
        page = (reports / name).read_text(encoding="utf-8")
        assert "<td>not estimable</td>" not in page and "<td>tidak dapat diestimasi</td>" not in page


def test_every_unhappy_cohorts_pdf_is_tagged_with_figure_texts(project):
    """Whatever the report leaves out (no retention, no chat, no model), its PDFs stay tagged,
    with their language, a text alternative on every figure left and every font embedded."""
    from test_pdf_structure import pdf_problems

    pdfs = sorted((project["root"] / "reports").glob("*/report*.pdf"))
    assert len(pdfs) == 2 * len(EDGE_COHORTS)
    for pdf in pdfs:
        assert pdf_problems(pdf) == [], pdf


@pytest.mark.parametrize("cohort", sorted(EDGE_COHORTS))
def test_the_attacker_recovers_no_hidden_count_of_an_unhappy_cohort(project, cohort):
    """Five people, one sector, everybody dropping out: whatever the shape, no count the report
    hides can be worked out from the ones it shows (tests/test_disclosure.py)."""
    import pandas as pd

    from test_disclosure import assert_nothing_recovered, same_people

    reports = project["root"] / "reports" / cohort
    results = json.loads((reports / "results.json").read_text())
    participants = pd.read_parquet(project["root"] / "data" / "processed" / cohort /
                                   "participants.parquet")
    links = same_people(participants, results)
    for name in ("report.html", "report.en.html"):
        assert_nothing_recovered(reports / name, links)


def test_a_session_without_dropouts_gets_a_finite_firth_estimate(project):
    results = json.loads((project["root"] / "reports" / "edge-one-dropout-session" /
                          "results.json").read_text())
    hazard = results["models"]["hazard_logit"]
    assert results["funnel"]["dropouts_after_session"]["2"] == 0  # all stopped after session 1
    session = next(t for t in hazard["terms"] if t["term"] == "C(session)[T.3]")
    assert hazard["method"] == "firth"
    assert all(map(lambda v: abs(v) < 50, (session["estimate"], session["ci_low"],
                                           session["ci_high"])))


@pytest.mark.slow
def test_ten_thousand_participants_build_and_say_how_influence_was_computed(make_project):
    from analysis.synthetic.edge_cohorts import LARGE

    project = make_project([], name="large-project")
    generate_cohort(LARGE, project.raw)
    project.build("report")
    reports = project.reports / LARGE.id
    results = json.loads((reports / "results.json").read_text())
    assert results["funnel"]["enrolled"] == 10_000
    influence = results["models"]["participant"]["influence"]
    assert {v["method"] for v in influence.values()} == {"one-step approximation"}
    assert "one-step approximation (Pregibon 1981)" in _text(reports / "report.en.html")
    assert "pendekatan satu langkah (Pregibon 1981)" in _text(reports / "report.html")
