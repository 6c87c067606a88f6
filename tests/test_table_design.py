"""Tables designed before they are suppressed: no report shows a table whose counts are all
hidden. Such a breakdown is a sentence that says which one, why (min_cell) and where the answer
is (the pooled report, or a broader table the report shows), naming no group and no count; the
hidden-count note comes only with something it explains. Hand-made results, no build."""

from __future__ import annotations

import copy
import html
import re

import pytest

from analysis.privacy.cells import CellName
from analysis.report import figures, sections
from analysis.report.labels import group_label
from analysis.report.markup import HIDDEN_MARK, Count


def words(page: str) -> str:
    """What a reader reads: no tags, entities decoded, spaces collapsed."""
    page = re.sub(r"</?(strong|em)>", "", page)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def _groups(rows: dict, merged: dict | None = None) -> list[dict]:
    return [{"group": g, "n": n, "completed": c, "dropouts": n - c, "completion_rate": c / n,
             "merged_from": (merged or {}).get(g)} for g, (n, c) in rows.items()]


def jakarta_like(min_cell: int = 5) -> dict:
    """The Jakarta demo's shape (48 → 29 completed) with nothing hidden yet."""
    test = {"test": "Fisher exact", "p_value": 0.134}
    return {
        "parameters": {"min_cell": min_cell},
        "cohort": {"session_dates": ["2023-08-08", "2023-08-15", "2023-08-22"]},
        "funnel": {"enrolled": 48, "completed": 29, "dropouts": 19,
                   "dropouts_after_session": {"1": 18, "2": 1}},
        "retention": {
            "age_group": {"groups": _groups({"under_40": (20, 15), "40_plus": (28, 14)}),
                          "test": test},
            "age_class": {"groups": _groups({"under_30": (6, 4), "30_39": (14, 11),
                                             "40_49": (23, 12), "50_plus": (5, 2)}),
                          "test": {**test, "p_value": 0.21}},
            "sector": {"groups": _groups(
                {"garment_textile": (18, 7), "electronics_automotive": (7, 5), "other": (23, 17)},
                {"other": ["food_processing", "retail_hospitality"]}),
                "test": {**test, "p_value": 0.05}},
        },
        "retention_curves": {},
        "followup": {v: {"n_known": 48, "yes": y, "by_completion": {
            "n_known": 48, "test": {"test": "Fisher exact", "p_value": 0.4},
            "groups": [{"group": "completed", "n": 29, "yes": c},
                       {"group": "dropout", "n": 19, "yes": y - c}]}}
            for v, y, c in (("bpjstk_enrolled", 16, 12), ("reseller_active", 12, 11))},
        "quality": {"files": {"followup.csv": {}}},
        "models": {"participant": {"method": "firth", "events": 19, "n_people": 48,
                                   "calibration": [
                                       {"group": 1, "n": 12, "predicted": 0.1685, "observed": 2 / 12},
                                       {"group": 2, "n": 12, "predicted": 0.3047, "observed": 3 / 12},
                                       {"group": 3, "n": 12, "predicted": 0.4476, "observed": 5 / 12},
                                       {"group": 4, "n": 12, "predicted": 0.6843, "observed": 9 / 12}]}},
        "disclosure": {"hidden": []},
    }


def hide(results: dict, *names: str) -> dict:
    results = copy.deepcopy(results)
    results["disclosure"]["hidden"] = sorted({*results["disclosure"]["hidden"], *names})
    return results


def outcomes(variable: str, *groups: str) -> list[str]:
    """The completed and dropped-out counts of some groups of a breakdown."""
    return [f"retention/{variable}/{g}/{k}" for g in groups for k in ("completed", "dropouts")]


AGE_CLASSES = ("under_30", "30_39", "40_49", "50_plus")
# Jakarta's age classes: every group's size shown, every completion count hidden
JAKARTA_AGE_CLASS = outcomes("age_class", *AGE_CLASSES)
# and its sector table: garment shown whole, the others hidden
JAKARTA_SECTOR = outcomes("sector", "electronics_automotive", "other")


# --- the rule --------------------------------------------------------------------------------

def _counts(*cells) -> list[Count]:
    """Counts from (value, hidden) pairs."""
    results = {"disclosure": {"hidden": [f"x/{i}" for i, (_, h) in enumerate(cells) if h]}}
    return [Count(results, CellName(f"x/{i}"), v) for i, (v, _) in enumerate(cells)]


@pytest.mark.parametrize("cells, withheld, reasons", [
    ([(4, True), (11, True)], True, True),             # every count hidden
    ([(4, True), (6, False)], False, False),           # one count shown: a table
    ([(4, True), (0, False), (11, True)], False, True),  # a shown zero: "nobody in this group"
    ([(0, False), (0, False)], False, False),          # nothing hidden: "nobody" is an answer
    ([(7, False), (5, False)], False, False),
    ([], False, False),
])
def test_a_table_is_a_sentence_when_every_count_it_is_about_is_hidden(cells, withheld, reasons):
    assert sections._all_inner_hidden(_counts(*cells)) is withheld
    # reasons for stopping: a reason nobody gave is an empty row of the list, not an answer
    assert sections._all_inner_hidden(_counts(*cells), empty_zeros=True) is reasons


def test_a_breakdown_with_a_zero_shown_among_hidden_counts_stays_a_table():
    # nobody aged 50 and over dropped out: that is shown, so the table is
    results = jakarta_like()
    results["retention"]["age_class"]["groups"][3].update(completed=5, dropouts=0)
    hidden = [c for c in JAKARTA_AGE_CLASS if c != "retention/age_class/50_plus/dropouts"]
    results = hide(results, *hidden, "retention/age_class/50_plus/n")
    page = sections.profile(results, "en")
    assert "<caption>Age class</caption>" in page
    assert 'data-cell="retention/age_class/50_plus/dropouts">0<' in page
    # none of risk group 2 dropped out: a calibration table too
    results = hide(jakarta_like(), "calibration/1/events", "calibration/3/events",
                   "calibration/4/events")
    results["models"]["participant"]["calibration"][1]["observed"] = 0.0
    page = sections._calibration(results["models"]["participant"], "en", results)
    assert "<table" in page and "0.0%" in page


# --- completion by group ---------------------------------------------------------------------

def test_a_breakdown_with_every_completion_count_hidden_is_a_sentence_in_both_languages():
    results = hide(jakarta_like(min_cell=7), *JAKARTA_AGE_CLASS, *JAKARTA_SECTOR)
    en, idn = (sections.profile(results, lang) for lang in ("en", "id"))
    assert "<caption>Age class" not in en and "retention/age_class/" not in en
    assert "<strong>Age class</strong>: too few people per group in this cohort to show the " \
           "counts (a count below 7 is hidden, and so are the counts that would give it away)." \
           in en
    assert "Across all cohorts: see the pooled report." in en
    assert "<strong>Kelas usia</strong>: di kohort ini terlalu sedikit orang per kelompok" in idn
    assert "jumlah di bawah 7 orang disembunyikan" in idn and "lihat laporan gabungan" in idn
    # the age groups (under 40, 40 and over) are shown: the sentence points there
    assert "The broader groups are in the table 'Age group' in this section." in words(en)
    assert "Kelompok yang lebih besar ada di tabel 'Kelompok usia' pada bagian ini." in words(idn)
    # the other tables stay tables
    assert "<caption>Age group" in en and "<caption>Previous sector" in en


def test_the_sentence_names_no_group_and_states_no_count():
    results = hide(jakarta_like(), *JAKARTA_AGE_CLASS)
    for lang in ("en", "id"):
        sentence = next(p for p in sections.profile(results, lang).split("\n")
                        if "<strong>" in p)
        text = words(sentence)
        assert re.findall(r"\d+", text) == ["5"], text  # min_cell, its one number
        for g in AGE_CLASSES:
            assert group_label("age_class", g, lang) not in text


def test_a_withheld_breakdown_drops_its_test_line_and_its_merged_groups_note():
    sector_hidden = outcomes("sector", "garment_textile", "electronics_automotive", "other")
    results = hide(jakarta_like(), *sector_hidden)
    page = words(sections.profile(results, "en"))
    assert "Previous sector: too few people per group" in page
    assert "'Other' includes" not in page and "Food & beverage" not in page
    # one p-value per shown table (age group, age class), none for the sector
    assert page.count("Fisher's exact test") == 2 and "p-value is not shown" not in page


def test_a_breakdown_with_a_count_shown_stays_a_table_with_its_marks():
    results = hide(jakarta_like(), *JAKARTA_SECTOR)
    page = sections.profile(results, "en")
    assert "<caption>Previous sector</caption>" in page
    assert 'data-cell="retention/sector/garment_textile/completed">7<' in page
    assert f'data-cell="retention/sector/other/dropouts" class="hidden-count">{HIDDEN_MARK}<' \
        in page
    text = words(page)
    assert "The test's p-value is not shown" in text
    assert "'Other' includes: Food & beverage, Retail & hospitality." in text
    assert "too few people per group" not in text


def test_no_broader_table_is_named_when_it_is_not_shown():
    both = outcomes("age_group", "under_40", "40_plus") + JAKARTA_AGE_CLASS
    results = hide(jakarta_like(), *both)
    page = words(sections.profile(results, "en"))
    assert "Age group: too few people per group" in page
    assert "Age class: too few people per group" in page
    assert "broader groups" not in page and "see the pooled report" in page
    # a cohort without the age-group table: no pointer either
    results = hide(jakarta_like(), *JAKARTA_AGE_CLASS)
    del results["retention"]["age_group"]
    assert "broader groups" not in words(sections.profile(results, "en"))


# --- the hidden-count note -------------------------------------------------------------------

NOTE = "means a number is hidden to protect participants' privacy"


def test_the_hidden_count_note_comes_only_with_a_shown_table_that_has_a_mark():
    assert NOTE not in words(sections.profile(jakarta_like(), "en"))  # nothing hidden
    # the only marks were in a table now said in words: no note
    withheld_only = hide(jakarta_like(), *JAKARTA_AGE_CLASS)
    assert NOTE not in words(sections.profile(withheld_only, "en"))
    assert "angka disembunyikan untuk melindungi privasi" not in words(
        sections.profile(withheld_only, "id"))
    # a shown table with a mark: the note, once
    marked = hide(jakarta_like(), *JAKARTA_AGE_CLASS, *JAKARTA_SECTOR)
    assert words(sections.profile(marked, "en")).count(NOTE) == 1


def test_the_note_explains_a_bar_or_curve_the_figures_leave_out():
    # the age-group table is a sentence, so its bars are left out of the figure: the note says
    # why (bars are drawn only for groups whose numbers are all shown)
    age = outcomes("age_group", "under_40", "40_plus")
    assert NOTE in words(sections.profile(hide(jakarta_like(), *age), "en"))
    results = jakarta_like()
    results["retention_curves"] = {"age_group": {"test": {"test": "log-rank", "p_value": 0.2},
        "curves": {g: [{"session": 1, "retained": 1.0, "at_risk": n},
                       {"session": 2, "retained": 0.6, "at_risk": n}]
                   for g, n in (("under_40", 20), ("40_plus", 28))}}}
    assert NOTE not in words(sections.profile(results, "en"))
    assert NOTE in words(sections.profile(hide(results, "curve/age_group/40_plus/1"), "en"))


# --- follow-up by completion -----------------------------------------------------------------

BPJSTK_YES = ["followup/bpjstk_enrolled/completed/yes", "followup/bpjstk_enrolled/dropout/yes"]
RESELLER_YES = ["followup/reseller_active/completed/yes", "followup/reseller_active/dropout/yes"]


def test_follow_up_tables_with_every_yes_hidden_are_sentences_without_p_values():
    results = hide(jakarta_like(min_cell=6), *BPJSTK_YES, *RESELLER_YES)
    en, idn = (sections.followup(results, lang) for lang in ("en", "id"))
    assert "<table" not in en and "<table" not in idn
    text = words(en)
    assert ("Enrolled in BPJS Ketenagakerjaan, completers and dropouts compared: too few people "
            "per group in this cohort to show the counts (a count below 6 is hidden") in text
    assert "Active reseller, completers and dropouts compared: too few" in text
    assert text.count("see the pooled report") == 2
    assert "Fisher" not in text and "p-value" not in text and NOTE not in text
    # the totals stay in the text above, as the public report showed them
    assert "16 were enrolled in BPJS Ketenagakerjaan. 12 of 48 were active resellers." in text
    assert "<strong>Terdaftar BPJS Ketenagakerjaan</strong>, yang selesai dibandingkan dengan " \
           "yang berhenti: di kohort ini terlalu sedikit" in idn
    assert "jumlah di bawah 6 orang" in idn


def test_a_follow_up_table_with_a_yes_shown_stays_a_table():
    results = hide(jakarta_like(), BPJSTK_YES[1], "followup/bpjstk_enrolled/yes", *RESELLER_YES)
    page = sections.followup(results, "en")
    assert "<caption>Enrolled in BPJS Ketenagakerjaan</caption>" in page
    assert 'data-cell="followup/bpjstk_enrolled/completed/yes">12<' in page
    assert "<caption>Active reseller" not in page
    assert words(page).count(NOTE) == 1


# --- calibration -----------------------------------------------------------------------------

CALIBRATION_EVENTS = [f"calibration/{g}/events" for g in (1, 2, 3, 4)]


def test_calibration_with_every_observed_count_hidden_is_said_in_words():
    results = hide(jakarta_like(min_cell=6), *CALIBRATION_EVENTS)
    model = results["models"]["participant"]
    en = sections._calibration(model, "en", results)
    idn = sections._calibration(model, "id", results)
    assert "<table" not in en and "<table" not in idn
    text = words(en)
    assert text.startswith("Calibration: if the model fits")  # what the check is
    assert "The check was done, with 4 risk groups of about equal size" in text
    assert "from the lowest risk group to the highest: 16.9%, 30.5%, 44.8% and 68.4%." in text
    assert "The observed counts of dropouts per risk group are too small to show in this " \
           "cohort (a count below 6 is hidden" in text
    assert "16,9%, 30,5%, 44,8% dan 68,4%" in words(idn) and "di bawah 6 orang" in words(idn)
    assert "41.7%" not in text and "12" not in text and NOTE not in text


def test_calibration_with_an_observed_share_shown_is_a_table_with_the_note():
    results = hide(jakarta_like(), "calibration/1/events", "calibration/2/events")
    page = sections._calibration(results["models"]["participant"], "en", results)
    assert "<caption>Table: calibration" in page and "41.7%" in page
    assert words(page).count(NOTE) == 1
    shown = sections._calibration(jakarta_like()["models"]["participant"], "en", jakarta_like())
    assert "<table" in shown and NOTE not in words(shown)


def test_a_hidden_group_size_hides_its_observed_share_too():
    # the share needs both counts: a hidden size leaves nothing of the row to compare
    sizes = [f"calibration/{g}/n" for g in (1, 2, 3, 4)]
    results = hide(jakarta_like(), *sizes)
    page = sections._calibration(results["models"]["participant"], "en", results)
    assert "<table" not in page and "The check was done" in words(page)


# --- the figure ------------------------------------------------------------------------------

def test_a_figure_panel_whose_bars_are_all_hidden_says_so_and_its_text_claims_none():
    results = hide(jakarta_like(), *outcomes("age_group", "under_40", "40_plus"))
    fig = figures.profile(results, "en")
    age, sector = fig.axes
    assert len(age.patches) == 0 and len(sector.patches) == 3
    assert any("No bar shown" in t.get_text() for t in age.texts)
    assert not any("No bar shown" in t.get_text() for t in sector.texts)
    alt = figures.profile_alt(results, "en")
    assert "Age group: no group shown" in alt and "Under 40" not in alt


# --- a whole cohort --------------------------------------------------------------------------

INNER = re.compile(r"^(retention/[^/]+/[^/]+/(completed|dropouts)|followup/[^/]+/[^/]+/yes"
                   r"|stop_reasons/(?!n_known|n_unknown)[^/]+/n)$")


def test_no_table_of_a_cohort_report_shows_only_hidden_marks(small_processed):
    """The small test cohort (26 people, 8 dropouts: most counts hidden), every section."""
    from analysis.models.results import build_results, load_processed
    from test_disclosure import read_tables

    results = build_results(load_processed(small_processed),
                            "dropout ~ age_40_plus + garment + log_messages_before_session2",
                            "dropout ~ C(session) + age_40_plus + garment", influence=False,
                            monte_carlo_tables=99)
    assert results["disclosure"]["hidden"]
    for lang in ("id", "en"):
        page = "".join(f(results, lang) for f in (sections.profile, sections.followup,
                                                  sections.models, sections.stop_reasons))
        for found in read_tables(page):
            inner = [text for row in found["rows"] for name, text in row
                     if name and INNER.match(name)]
            if inner:
                assert any(text != HIDDEN_MARK for text in inner), found["caption"]
        sentences = page.count("too few people per group") + page.count(
            "terlalu sedikit orang per kelompok")
        assert sentences, "the small cohort hides whole breakdowns"


@pytest.mark.e2e
def test_no_table_of_the_demo_build_shows_only_hidden_marks(demo_project):
    """The issue's first check, on the four demo cohorts and the pooled report as `make report
    pooled` builds them: every table with inner counts shows at least one of them."""
    from analysis.synthetic.specs import DEMO_COHORTS
    from test_disclosure import read_tables

    pages = [demo_project.reports / spec.id / f"report{s}.html" for spec in DEMO_COHORTS
             for s in ("", ".en")]
    pages += [demo_project.reports / "pooled" / f"report{s}.html" for s in ("", ".en")]
    checked = 0
    for page in pages:
        for found in read_tables(page.read_text(encoding="utf-8")):
            inner = [text for row in found["rows"] for name, text in row
                     if name and INNER.match(name.split(":")[-1])]
            if inner:
                checked += 1
                assert any(text != HIDDEN_MARK for text in inner), (page, found["caption"])
    assert checked >= 3 * len(pages), checked  # the breakdowns are there to check
