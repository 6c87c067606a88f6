"""Hidden counts are named once (analysis.privacy.cells): a name that the protection did not make
is an error, never a count shown by mistake."""

import pytest

from analysis.privacy import cells
from analysis.privacy.counts import cohort_table
from analysis.report.markup import HIDDEN_MARK, Count

RESULTS = {
    "funnel": {"enrolled": 12, "completed": 8, "dropouts": 4, "dropouts_after_session": {"1": 4}},
    "retention": {"sector": {"groups": [
        {"group": "garment_textile", "n": 9, "completed": 6, "dropouts": 3},
        {"group": "other", "n": 3, "completed": 2, "dropouts": 1}]}},
    "missingness": {"age": {"missing": 0, "share": 0.0}},
    "retention_curves": {}, "followup": {}, "models": {"participant": {}},
    "disclosure": {"min_cell": 5, "hidden": ["retention/sector/other/dropouts"]},
}
REASONS = {**RESULTS, "stop_reasons": {
    "available": True, "unavailable_because": None, "n_dropouts": 4, "n_known": 3, "n_unknown": 1,
    "reasons": [{"code": "found_work", "n": 2}, {"code": "time", "n": 1}, {"code": "other", "n": 0}]}}


@pytest.mark.parametrize("make", [
    lambda: cells.retention(RESULTS, "sectr", "other", "dropouts"),       # variable
    lambda: cells.retention(RESULTS, "sector", "garment", "dropouts"),    # group
    lambda: cells.retention(RESULTS, "sector", "other", "dropout"),       # count
    lambda: cells.missing(RESULTS, "agee"),
    lambda: cells.funnel(RESULTS, "enroled"),
    lambda: cells.followup(RESULTS, "bpjstk_enrolled", "yes"),
    lambda: cells.curve_step(RESULTS, "sector", "other", 1),
    lambda: cells.stop_reason(RESULTS, "found_work"),                     # no reasons held
    lambda: cells.stop_reason(REASONS, "foundwork"),                      # code
    lambda: cells.stop_reason(REASONS, "cost"),                           # a code not held
    lambda: cells.stop_reasons_total(REASONS, "n_knwon"),                 # count
    lambda: cells.stop_reason({**REASONS, "stop_reasons": {"available": False, "reasons": []}},
                              "found_work"),                              # follow-up without them
])
def test_a_misspelt_cell_is_an_error(make):
    with pytest.raises(cells.UnknownCell, match="no count .* in results.json"):
        make()


def test_a_name_written_by_hand_is_refused():
    with pytest.raises(TypeError, match="analysis.privacy.cells"):
        cells.is_hidden(RESULTS, "retention/sector/other/dropouts")
    with pytest.raises(TypeError):
        Count(RESULTS, "retention/sector/other/dropout", 1)  # the typo would have shown the 1


def test_the_report_hides_what_the_protection_hid():
    hidden = Count(RESULTS, cells.retention(RESULTS, "sector", "other", "dropouts"), 1)
    shown = Count(RESULTS, cells.retention(RESULTS, "sector", "other", "completed"), 2)
    assert (hidden.text, shown.text) == (HIDDEN_MARK, "2")


def test_the_protection_names_its_counts_with_the_same_constructor():
    import pandas as pd

    people = pd.DataFrame({"enrolled": [True] * 12, "completed": [True] * 8 + [False] * 4,
                           "dropout": [False] * 8 + [True] * 4,
                           "sector": ["garment_textile"] * 9 + ["retail"] * 3, "age": 30})
    table = cohort_table(RESULTS, people, min_cell=5)
    assert all(isinstance(name, cells.CellName) for name in table.cells)
    assert cells.retention(RESULTS, "sector", "other", "dropouts") in table.cells


def test_reasons_for_stopping_are_named_by_the_same_constructor():
    import pandas as pd

    people = pd.DataFrame({"enrolled": [True] * 12, "completed": [True] * 8 + [False] * 4,
                           "dropout": [False] * 8 + [True] * 4,
                           "sector": ["garment_textile"] * 9 + ["retail"] * 3, "age": 30})
    table = cohort_table(REASONS, people, min_cell=5)
    names = {cells.stop_reason(REASONS, "found_work"), cells.stop_reason(REASONS, "other"),
             cells.stop_reasons_total(REASONS, "n_known"),
             cells.stop_reasons_total(REASONS, "n_unknown")}
    assert names <= set(table.cells) and all(isinstance(n, cells.CellName) for n in names)
    assert cells.stop_reason(REASONS, "time") == "stop_reasons/time/n"
    hidden = {**REASONS, "disclosure": {"hidden": ["stop_reasons/time/n"]}}
    assert cells.is_hidden(hidden, cells.stop_reason(REASONS, "time"))
    assert not cells.is_hidden(hidden, cells.stop_reason(REASONS, "found_work"))

