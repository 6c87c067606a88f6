"""Why people stopped (CONSORT and STROBE: losses with reasons): the follow-up file's reason
column read through the codebook, kept in the participants table, counted among dropouts in
results.json and protected like every other count; the generator writes it for dropouts only."""

from __future__ import annotations

import collections
import dataclasses
import filecmp
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis import codebook
from analysis.errors import InputError
from analysis.ingest import quality
from analysis.ingest.clean import clean_cohort, write_outputs
from analysis.models.results import build_results, load_processed, stop_reasons_summary
from analysis.privacy import cells, counts
from analysis.privacy.disclosure import Table
from analysis.synthetic import process, specs, writers
from analysis.synthetic.writers import generate_cohort
from conftest import SMALL

FOLLOWUP, COLUMN = "followup.csv", "Alasan berhenti"
PARTICIPANT = "dropout ~ age_40_plus + garment + log_messages_before_session2"
HAZARD = "dropout ~ C(session) + age_40_plus + garment"
PRESENT = {"hadir", "h", "✓", "v", "1", "ya"}  # the generator's marks of presence

# What staff write, in Indonesian and English, and the code each means (the list).
SPELLINGS = {
    "found_work": ["sudah bekerja", "dapat kerja", "kerja lagi", "Sudah Bekerja", "found work"],
    "time": ["waktu", "bentrok jadwal", "tidak ada waktu", "Tidak ada waktu", "no time"],
    "cost": ["kuota", "pulsa", "ongkos", "biaya transport", "KUOTA", "cost of data"],
    "smartphone": ["tidak punya hp", "hp rusak", "tidak paham aplikasi", "Tidak punya HP",
                   "no smartphone"],
    "not_interested": ["tidak tertarik", "kurang minat", "not interested"],
    "health_family": ["sakit", "urusan keluarga", "mengurus anak", "family", "sick"],
    "other": ["lainnya", "lain-lain", "Lain-lain", "other"],
}


def _read(folder, name=FOLLOWUP) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def _key(phone: str) -> str:
    """A phone however it is spelt, as its last nine digits (no pipeline code)."""
    return re.sub(r"\D", "", phone)[-9:]


def stop_reasons_by_hand(folder) -> dict:
    """Reasons among dropouts counted straight from the raw files, without the pipeline: a
    dropout came to session 1 and not to the last; the generator's spellings give the codes."""
    spelt = {s.strip().casefold(): code for code, (_, spellings) in specs.STOP_REASONS.items()
             for s in spellings}
    sheet = _read(folder, "attendance.csv")
    present = sheet.filter(like="Sesi").apply(lambda c: c.str.strip().str.lower().isin(PRESENT))
    dropped = present.iloc[:, 0] & ~present.iloc[:, -1]
    dropouts = {_key(p) for p in sheet.loc[dropped, "No HP"]}
    followup = _read(folder)
    reasons = {_key(p): r.strip().casefold() for p, r in zip(followup["No HP"], followup[COLUMN],
                                                              strict=True)}
    given = collections.Counter(spelt[reasons[d]] for d in dropouts if reasons.get(d))
    return {"n_dropouts": len(dropouts), "n_known": sum(given.values()),
            "n_unknown": len(dropouts) - sum(given.values()),
            "reasons": {code: given.get(code, 0) for code in specs.STOP_REASONS}}


def _results(processed, min_cell=5) -> dict:
    """results.json of a processed cohort (few Monte Carlo tables: the p-values are not what
    these tests are about)."""
    return build_results(load_processed(processed), PARTICIPANT, HAZARD, min_cell=min_cell,
                         influence=False, monte_carlo_tables=99)


def _processed(folder, tmp_path):
    processed = tmp_path / "processed" / folder.name
    write_outputs(clean_cohort(folder), processed, tmp_path / "interim" / folder.name)
    return processed


@pytest.fixture(scope="module")
def small_results(small_processed) -> dict:
    return _results(small_processed)


# --- the codebook ------------------------------------------------------------------------------

@pytest.mark.parametrize("spelling, code", [(s, c) for c, spellings in SPELLINGS.items()
                                            for s in spellings])
def test_each_spelling_staff_write_is_its_code(spelling, code):
    coded = codebook.code_values(pd.Series([spelling, f"  {spelling} "]), "stop_reason",
                                 FOLLOWUP, COLUMN, pd.Series([2, 3]), allow_missing=True)
    assert list(coded) == [code, code]


def test_every_listed_spelling_means_one_code_and_every_code_has_labels():
    seen: dict[str, str] = {}
    for code, spec in codebook.load_codebook()["variables"]["stop_reason"]["values"].items():
        for spelling in spec["raw"]:
            folded = codebook.fold_value(spelling)
            assert seen.setdefault(folded, code) == code, (spelling, seen[folded], code)
        for lang in ("id", "en"):
            assert codebook.label("stop_reason", code, lang) != code
    assert codebook.codes("stop_reason") == ["found_work", "time", "cost", "smartphone",
                                             "not_interested", "health_family", "other"]


def test_the_generators_spellings_are_all_in_the_codebook():
    lookup = codebook.value_lookup("stop_reason")
    for code, (_, spellings) in specs.STOP_REASONS.items():
        assert {lookup[codebook.fold_value(s)] for s in spellings} == {code}
        assert len(spellings) >= 2, code  # staff spell each reason more than one way


def test_a_blank_reason_is_missing_not_an_error():
    coded = codebook.code_values(pd.Series(["", "  ", "sakit"]), "stop_reason", FOLLOWUP, COLUMN,
                                 pd.Series([2, 3, 4]), allow_missing=True)
    assert list(coded) == [None, None, "health_family"]


@pytest.mark.parametrize("header", ["Alasan berhenti", "ALASAN TIDAK MELANJUTKAN", "Alasan",
                                    "Reason for stopping", "reason", "Alasan berhenti:"])
def test_the_reason_column_is_found_by_its_header(header):
    mapping = codebook.match_headers(["No HP", "Terdaftar BPJSTK", "Aktif sebagai reseller",
                                      header], "followup", FOLLOWUP)
    assert mapping[header] == "stop_reason"


def test_the_reason_column_is_optional():
    assert "stop_reason" not in codebook.match_headers(
        ["No HP", "Terdaftar BPJSTK", "Aktif sebagai reseller"], "followup", FOLLOWUP).values()


# --- cleaning ----------------------------------------------------------------------------------

def test_an_unknown_reason_is_one_error_naming_file_row_column_and_value(cohort_copy):
    table = _read(cohort_copy)
    table.loc[[1, 4], COLUMN] = ["bosan", "Bosan "]  # one label, two rows: one line to fix
    table.to_csv(cohort_copy / FOLLOWUP, index=False)
    with pytest.raises(InputError) as caught:
        clean_cohort(cohort_copy)
    message = str(caught.value)
    assert "\n" not in message and "problems in the raw files" not in message
    assert message.startswith(f"{cohort_copy / FOLLOWUP} row 3, column `{COLUMN}`: 'bosan' is "
                              "not a known stop_reason label (codes: cost, found_work, "
                              "health_family, not_interested, other, smartphone, time) in rows "
                              "3, 6 (2 rows)")
    assert "Add the spelling to src/analysis/codebook.yml" in message


def test_reasons_reach_the_participants_table_and_the_quality_record(small_cohort):
    cleaned = clean_cohort(small_cohort)
    people = cleaned.participants
    assert set(people["stop_reason"].dropna()) <= set(codebook.codes("stop_reason"))
    assert people.loc[people["completed"], "stop_reason"].isna().all()  # completers: blank
    assert people.loc[people["dropout"], "stop_reason"].notna().any()
    record = cleaned.quality["stop_reasons"]
    assert (record["available"], record["file"], record["column"]) == (True, FOLLOWUP, COLUMN)
    assert record["given"] == record["by_dropouts"] == people["stop_reason"].notna().sum()
    assert record["warnings"] == []
    lines, warnings = quality.console_lines(SMALL.id, cleaned.quality["summary"])
    assert f"  {FOLLOWUP}: {record['given']} reason(s) for stopping given ({record['given']} by " \
           "dropouts, 0 by completers, 0 by people who never came to session 1)" in lines
    assert warnings == []


def test_a_followup_file_without_reasons_is_read_and_says_so(cohort_copy):
    _read(cohort_copy).drop(columns=[COLUMN]).to_csv(cohort_copy / FOLLOWUP, index=False)
    cleaned = clean_cohort(cohort_copy)
    assert cleaned.participants["stop_reason"].isna().all()
    assert cleaned.participants["bpjstk_enrolled"].notna().any()  # the rest of the file is read
    record = cleaned.quality["stop_reasons"]
    assert (record["available"], record["unavailable_because"], record["given"]) == (
        False, "no_reason_column", 0)
    lines, _ = quality.console_lines(SMALL.id, cleaned.quality["summary"])
    assert any("no column of reasons for stopping" in line for line in lines)
    block = stop_reasons_summary(cleaned.participants, cleaned.quality)
    assert (block["available"], block["unavailable_because"], block["reasons"]) == (
        False, "no_reason_column", [])
    assert block["n_dropouts"] == cleaned.participants["dropout"].sum()
    assert block["n_known"] is None
    for make in (lambda: cells.stop_reason({"stop_reasons": block}, "found_work"),
                 lambda: cells.stop_reasons_total({"stop_reasons": block}, "n_known")):
        with pytest.raises(cells.UnknownCell):
            make()
    table = Table()
    counts._stop_reasons(table, {"stop_reasons": block}, {"dropouts": block["n_dropouts"]})
    assert not table.cells  # nothing to show, nothing to protect


def test_no_followup_file_at_all(cohort_copy):
    (cohort_copy / FOLLOWUP).unlink()
    cleaned = clean_cohort(cohort_copy)
    assert cleaned.participants["stop_reason"].isna().all()
    assert cleaned.quality["stop_reasons"]["unavailable_because"] == "no_followup_file"
    block = stop_reasons_summary(cleaned.participants, cleaned.quality)
    assert (block["available"], block["unavailable_because"]) == (False, "no_followup_file")


def test_a_reason_given_by_a_completer_is_kept_counted_apart_and_a_warning(cohort_copy, tmp_path):
    """Kept, not quarantined (the row's BPJSTK and reseller answers are sound), never counted
    among the dropouts' reasons, and a warning naming the rows for staff to resolve."""
    truth = stop_reasons_by_hand(cohort_copy)
    sheet = _read(cohort_copy, "attendance.csv")
    present = sheet.filter(like="Sesi").apply(lambda c: c.str.strip().str.lower().isin(PRESENT))
    completers = {_key(p) for p in sheet.loc[present.iloc[:, 0] & present.iloc[:, -1], "No HP"]}
    table = _read(cohort_copy)
    rows = [i for i, p in enumerate(table["No HP"]) if _key(p) in completers][:2]
    table.loc[rows, COLUMN] = ["Sakit", "kerja lagi"]
    table.to_csv(cohort_copy / FOLLOWUP, index=False)

    cleaned = clean_cohort(cohort_copy)
    entry = cleaned.quality["files"][FOLLOWUP]
    assert entry["rows_in"] == entry["kept"] + entry["quarantined"] == len(table)
    assert entry["quarantined"] == 0
    people = cleaned.participants
    assert sorted(people.loc[people["completed"], "stop_reason"].dropna()) == [
        "found_work", "health_family"]
    record = cleaned.quality["stop_reasons"]
    assert record["by_completers"] == 2
    assert record["warnings"] == [{"code": "stop_reason_from_completer", "file": FOLLOWUP,
                                   "column": COLUMN, "count": 2, "rows": [r + 2 for r in rows]}]
    assert record["warnings"] == cleaned.quality["summary"]["stop_reasons"]["warnings"]
    assert all(w["code"] != "stop_reason_from_completer"  # the report words each of these
               for w in cleaned.quality["summary"]["warnings"])
    _, warnings = quality.console_lines("c", cleaned.quality["summary"])
    assert warnings == [f"c: {FOLLOWUP}: 2 reason(s) for stopping given for people who came to "
                        f"the final session (column `{COLUMN}`, row(s) {rows[0] + 2}, "
                        f"{rows[1] + 2}): kept, but not counted among the dropouts' reasons; "
                        "check the attendance sheet or the follow-up file"]
    block = _results(_processed(cohort_copy, tmp_path))["stop_reasons"]
    assert {r["code"]: r["n"] for r in block["reasons"]} == truth["reasons"]  # unchanged
    assert block["n_known"] == truth["n_known"]


def test_counts_in_are_kept_plus_quarantined_with_reasons(cohort_copy):
    table = _read(cohort_copy)
    stranger = table.iloc[[0]].assign(**{"No HP": "0899-0000-3333", COLUMN: "pulsa"})
    blank = pd.DataFrame([[""] * table.shape[1]], columns=table.columns)
    pd.concat([table, stranger, blank]).to_csv(cohort_copy / FOLLOWUP, index=False)
    cleaned = clean_cohort(cohort_copy)
    for file, entry in cleaned.quality["files"].items():
        assert entry["rows_in"] == entry["kept"] + entry["quarantined"], file
    assert cleaned.quality["files"][FOLLOWUP]["reasons"] == {"blank row": 1,
                                                             "person not on the roster": 1}
    assert cleaned.quality["stop_reasons"]["given"] == \
        cleaned.participants["stop_reason"].notna().sum()  # the stranger's reason is not one


# --- results.json ------------------------------------------------------------------------------

def test_results_count_the_reasons_as_a_hand_count_of_the_raw_files(small_cohort, small_results):
    results = small_results
    block, truth = results["stop_reasons"], stop_reasons_by_hand(small_cohort)
    assert block["available"] is True and block["unavailable_because"] is None
    assert [r["code"] for r in block["reasons"]] == codebook.codes("stop_reason")
    assert {r["code"]: r["n"] for r in block["reasons"]} == truth["reasons"]
    assert (block["n_dropouts"], block["n_known"], block["n_unknown"]) == (
        truth["n_dropouts"], truth["n_known"], truth["n_unknown"])
    assert block["n_dropouts"] == results["funnel"]["dropouts"]
    assert block["n_known"] > 0 and block["n_unknown"] > 0  # the small cohort has both
    json.dumps(block)  # plain JSON


def test_every_reason_count_has_a_cell_name_and_a_misspelt_one_is_an_error(small_results):
    results = small_results
    for code in codebook.codes("stop_reason"):
        assert cells.stop_reason(results, code) == f"stop_reasons/{code}/n"
    assert cells.stop_reasons_total(results, "n_known") == "stop_reasons/n_known"
    for make in (lambda: cells.stop_reason(results, "found_job"),
                 lambda: cells.stop_reason(results, "n_known"),
                 lambda: cells.stop_reasons_total(results, "n_dropouts")):
        with pytest.raises(cells.UnknownCell, match="no count .* in results.json"):
            make()


@pytest.mark.parametrize("min_cell", [3, 5, 10])
def test_small_reason_counts_are_hidden_and_none_can_be_worked_out(small_processed, min_cell):
    from test_disclosure import attack_stop_reasons

    results = _results(small_processed, min_cell)
    people = load_processed(small_processed)["participants"]
    table = counts.cohort_table(results, people, min_cell)
    reason_cells = [n for n in table.cells if n.startswith("stop_reasons/")]
    assert len(reason_cells) == len(codebook.codes("stop_reason")) + 2
    hidden = set(results["disclosure"]["hidden"])
    small = {n for n in reason_cells if 0 < table.cells[n].value < min_cell}
    assert small <= hidden, small - hidden  # primary suppression
    ranges = attack_stop_reasons(results)
    assert ranges and all(lo is None or lo < hi for lo, hi in ranges.values()), ranges


# --- the generator -----------------------------------------------------------------------------

def test_the_drawn_reasons_have_the_specs_shares():
    n = 60_000
    spec = dataclasses.replace(SMALL, seed=3)
    drawn = process.draw_stop_reasons(spec, np.ones(n, bool), np.random.default_rng([3, 5]))
    given = [c for c in drawn if c is not None]
    p = spec.stop_reason_given
    assert abs(len(given) / n - p) < 4 * math.sqrt(p * (1 - p) / n)
    shares = collections.Counter(given)
    for code, (share, _) in specs.STOP_REASONS.items():
        assert abs(shares[code] / len(given) - share) < 4 * math.sqrt(share * (1 - share)
                                                                      / len(given)), code
    assert math.isclose(sum(s for s, _ in specs.STOP_REASONS.values()), 1.0)
    assert process.draw_stop_reasons(spec, np.zeros(50, bool),
                                     np.random.default_rng(1)) == [None] * 50


def test_a_large_generated_cohorts_reasons_have_the_specs_shares(tmp_path):
    """Over 2,000 participants (about 700 dropouts), read from the written file by hand."""
    spec = dataclasses.replace(specs.SUKABUMI, id="reasons-large", n_registered=2200,
                               n_enrolled=2000, seed=17, dropouts_at=None, intermittent_at=None)
    truth = stop_reasons_by_hand(generate_cohort(spec, tmp_path))
    dropouts, known = truth["n_dropouts"], truth["n_known"]
    assert dropouts > 500
    p = spec.stop_reason_given
    assert abs(known / dropouts - p) < 4 * math.sqrt(p * (1 - p) / dropouts)
    for code, (share, _) in specs.STOP_REASONS.items():
        assert abs(truth["reasons"][code] / known - share) < 4 * math.sqrt(
            share * (1 - share) / known), code


def test_completers_leave_the_reason_blank_and_most_dropouts_give_one(small_cohort):
    sheet = _read(small_cohort, "attendance.csv")
    present = sheet.filter(like="Sesi").apply(lambda c: c.str.strip().str.lower().isin(PRESENT))
    completers = {_key(p) for p in sheet.loc[present.iloc[:, 0] & present.iloc[:, -1], "No HP"]}
    followup = _read(small_cohort)
    assert list(followup.columns)[-1] == COLUMN
    given = followup[COLUMN] != ""
    assert not any(_key(p) in completers for p in followup.loc[given, "No HP"])
    truth = stop_reasons_by_hand(small_cohort)
    assert truth["n_known"] > truth["n_unknown"] > 0
    assert followup.loc[given, COLUMN].nunique() > 3  # spelt several ways


def test_the_reasons_are_seeded_and_leave_every_other_draw_as_it_was(tmp_path, monkeypatch):
    """The reasons come from a stream of their own: written without them (a draw that touches
    no random stream), every file but the follow-up is the same, byte for byte, and the
    follow-up is the same but for its reason column."""
    with_reasons = generate_cohort(SMALL, tmp_path / "a")
    again = generate_cohort(SMALL, tmp_path / "b")
    monkeypatch.setattr(writers, "draw_stop_reasons", lambda spec, dropout, rng: [None] *
                        len(dropout))
    without = generate_cohort(SMALL, tmp_path / "c")
    files = sorted(p.relative_to(with_reasons) for p in with_reasons.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(without) for p in without.rglob("*") if p.is_file())
    for f in files:
        assert filecmp.cmp(with_reasons / f, again / f, shallow=False), f  # seeded
        if f.name != FOLLOWUP:
            assert filecmp.cmp(with_reasons / f, without / f, shallow=False), f
    a, c = _read(with_reasons), _read(without)
    assert (c[COLUMN] == "").all() and (a[COLUMN] != "").any()
    pd.testing.assert_frame_equal(a.drop(columns=[COLUMN]), c.drop(columns=[COLUMN]))


def test_the_demo_data_but_the_reasons_is_as_it_was(tmp_path, monkeypatch):
    """The demo raw data as committed, against the generator writing no reasons (what it wrote
    before the column): every file but the follow-up identical, and the follow-up identical
    but for its reason column. The reasons themselves are the generator's (test_synthetic)."""
    from conftest import PROJECT_ROOT

    monkeypatch.setattr(writers, "draw_stop_reasons", lambda spec, dropout, rng: [None] *
                        len(dropout))
    for spec in specs.DEMO_COHORTS:
        shipped = PROJECT_ROOT / "data" / "raw" / spec.id
        before = generate_cohort(spec, tmp_path)
        files = sorted(p.relative_to(before) for p in before.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file())
        for f in files:
            if f.name != FOLLOWUP:
                assert filecmp.cmp(before / f, shipped / f, shallow=False), f
        pd.testing.assert_frame_equal(_read(shipped).drop(columns=[COLUMN]),
                                      _read(before).drop(columns=[COLUMN]))
        truth = stop_reasons_by_hand(shipped)
        assert 0 < truth["n_unknown"] < truth["n_known"]
    assert stop_reasons_by_hand(PROJECT_ROOT / "data" / "raw" / specs.JAKARTA.id)[
        "n_dropouts"] == 19  # 48 at session 1, 29 at the last


# --- the report's section -------------------------------------------------------------------

def _section_text(results: dict, lang: str = "en") -> str:
    import html
    import re

    from analysis.report import sections

    page = sections.stop_reasons(results, lang)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_report_shows_each_reason_through_its_cell(small_results):
    """min_cell 1 hides nothing: every reason's count as results.json holds it, in words."""
    from analysis import codebook

    shown = {**small_results, "disclosure": {**small_results["disclosure"], "hidden": []}}
    text = _section_text(shown)
    block = shown["stop_reasons"]
    assert f"{block['n_known']} of the {block['n_dropouts']} dropouts gave their reason" in text
    for reason in block["reasons"]:
        assert f"{codebook.label('stop_reason', reason['code'], 'en')} {reason['n']}" in text
    assert f"No reason given {block['n_unknown']}" in text


def test_the_report_hides_what_the_protection_hides_and_says_so(small_results):
    from analysis.report.markup import HIDDEN_MARK

    hidden = [c for c in small_results["disclosure"]["hidden"] if c.startswith("stop_reasons/")]
    text = _section_text(small_results)
    if all(r["n"] == 0 or f"stop_reasons/{r['code']}/n" in hidden
           for r in small_results["stop_reasons"]["reasons"]):
        assert "Too few dropouts per reason" in text and "Reason Dropped out" not in text
    else:
        assert f" {HIDDEN_MARK} " in f" {text} " or not hidden


def test_a_cohort_without_reasons_says_how_to_record_them(small_results):
    none = {**small_results, "stop_reasons": {**small_results["stop_reasons"],
                                              "available": False, "reasons": []}}
    assert "holds no reasons for stopping" in _section_text(none)
    assert "Alasan berhenti" in _section_text(none, "id")
