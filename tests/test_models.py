"""Models pinned to numbers worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import features, models
from analysis.models.results import fit_model


def _participant_model(participants, formula, **options):
    return fit_model(features.participant_frame(participants), formula, "participant_formula",
                     **options)[1]


def _participants(a, b, c, d):
    """a = 40+ dropouts, b = 40+ completers, c = under-40 dropouts, d = under-40 completers."""
    rows = ([(True, True)] * a + [(True, False)] * b + [(False, True)] * c + [(False, False)] * d)
    frame = pd.DataFrame(rows, columns=["age_40_plus", "dropout"])
    frame["participant_id"] = [f"P{i:012x}" for i in range(len(frame))]
    frame["enrolled"] = True
    frame["completed"] = ~frame["dropout"]
    frame["garment"] = False
    frame["messages_before_session2"] = 0
    return frame


def test_logistic_odds_ratio_equals_the_cross_product_ratio():
    a, b, c, d = 12, 15, 7, 14
    fit = _participant_model(_participants(a, b, c, d), "dropout ~ age_40_plus")
    term = next(t for t in fit["terms"] if t["term"] == "age_40_plus")
    assert term["odds_ratio"] == pytest.approx(a * d / (b * c), rel=1e-6)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)  # Woolf's standard error
    assert term["std_error"] == pytest.approx(se, rel=1e-6)
    assert term["odds_ratio_ci_low"] == pytest.approx(math.exp(math.log(a * d / (b * c)) - 1.959964 * se),
                                                      rel=1e-5)
    assert fit["n_people"] == 48 and fit["events"] == 19 and fit["events_per_parameter"] == 19


def test_hazard_with_session_dummies_only_reproduces_life_table_hazards():
    # 40 at risk at session 2 with 10 events; 30 at risk at session 3 with 3 events
    rows = [(i, 2, i < 10) for i in range(40)] + [(i, 3, i < 13) for i in range(10, 40)]
    table = pd.DataFrame(rows, columns=["pid", "session", "dropout"])
    table["participant_id"] = table["pid"].map(lambda i: f"P{i:012x}")
    for column in ("age_40_plus", "garment"):
        table[column] = False
    table["messages_before_session"] = 0
    for link, inverse in (("logit", lambda x: 1 / (1 + np.exp(-x))),
                          ("cloglog", lambda x: 1 - np.exp(-np.exp(x)))):
        fit = fit_model(features.model_ready(table), "dropout ~ C(session)", "hazard_formula",
                        link, method="maximum likelihood")[1]
        est = {t["term"]: t["estimate"] for t in fit["terms"]}
        assert inverse(est["Intercept"]) == pytest.approx(10 / 40, rel=1e-6)
        assert inverse(est["Intercept"] + est["C(session)[T.3]"]) == pytest.approx(3 / 30, rel=1e-6)


def test_separation_switches_to_firth_and_says_why():
    fit = _participant_model(_participants(10, 0, 5, 20), "dropout ~ age_40_plus")
    assert fit["method"] == "firth" and fit["method_reason"] == "separation"
    assert any("separation" in p for p in fit["maximum_likelihood_problems"])
    term = next(t for t in fit["terms"] if t["term"] == "age_40_plus")
    assert np.isfinite([term["odds_ratio"], term["odds_ratio_ci_low"], term["odds_ratio_ci_high"]]).all()


def test_few_events_per_parameter_switch_to_firth():
    fit = _participant_model(_participants(4, 10, 3, 14), "dropout ~ age_40_plus")  # 7 events
    assert fit["method"] == "firth" and fit["method_reason"] == "few_events"


def test_enough_events_keep_maximum_likelihood():
    fit = _participant_model(_participants(12, 15, 7, 14), "dropout ~ age_40_plus")
    assert fit["method"] == "maximum likelihood" and fit["method_reason"] == "enough_events"


def test_sparse_sectors_merge_into_other():
    frame = pd.DataFrame({"sector": ["garment_textile"] * 6 + ["footwear_leather"] * 2 +
                          ["retail_hospitality"] * 3 + ["other"] * 1,
                          "enrolled": True, "completed": [True, False] * 6})
    frame["dropout"] = ~frame["completed"]
    groups = {g["group"]: g for g in models.retention_by(frame, "sector", min_cell=5)}
    assert set(groups) == {"garment_textile", "other"}
    assert groups["other"]["n"] == 6
    assert groups["other"]["merged_from"] == ["footwear_leather", "other", "retail_hospitality"]


def test_retention_curves_follow_a_hand_worked_kaplan_meier():
    # 6 people aged 40+: 2 stop after session 1, 1 after session 2, 3 complete;
    # 5 under 40: 1 stops after session 1, 4 complete
    after = [1, 1, 2, None, None, None, 1, None, None, None, None]
    frame = pd.DataFrame({"age_group": ["40_plus"] * 6 + ["under_40"] * 5, "enrolled": True,
                          "dropout_after_session": pd.array(after, dtype="Int64")})
    frame["dropout"] = frame["dropout_after_session"].notna()
    result = models.retention_curves(frame, "age_group", n_sessions=3, min_cell=1)
    older = [(p["session"], p["at_risk"], p["retained"]) for p in result["curves"]["40_plus"]]
    assert older == [(1, 6, 1.0), (2, 6, pytest.approx(4 / 6)), (3, 4, pytest.approx(3 / 6))]
    younger = [p["retained"] for p in result["curves"]["under_40"]]
    assert younger == [1.0, pytest.approx(4 / 5), pytest.approx(4 / 5)]
    assert result["test"]["test"] == "log-rank" and 0 < result["test"]["p_value"] < 1


def test_likelihood_ratio_p_value_is_the_hand_worked_g_test():
    a, b, c, d = 12, 15, 7, 14
    fit = _participant_model(_participants(a, b, c, d), "dropout ~ age_40_plus")
    observed = np.array([a, b, c, d], dtype=float)
    rows, cols = np.array([a + b, a + b, c + d, c + d]), np.array([a + c, b + d, a + c, b + d])
    expected = rows * cols / observed.sum()
    g = 2 * np.sum(observed * np.log(observed / expected))
    term = next(t for t in fit["terms"] if t["term"] == "age_40_plus")
    assert fit["test"] == "likelihood ratio"
    assert term["p_value"] == pytest.approx(stats.chi2.sf(g, 1), rel=1e-6)


def test_calibration_groups_add_up_and_match_overall_risk_under_maximum_likelihood():
    fit = _participant_model(_participants(12, 15, 7, 14), "dropout ~ age_40_plus")
    groups = fit["calibration"]
    assert sum(g["n"] for g in groups) == 48
    mean_predicted = sum(g["n"] * g["predicted"] for g in groups) / 48
    mean_observed = sum(g["n"] * g["observed"] for g in groups) / 48
    assert mean_predicted == pytest.approx(19 / 48) and mean_observed == pytest.approx(19 / 48)


def test_leave_one_out_shows_when_one_person_drives_a_result():
    frame = _participants(12, 15, 7, 14)  # 19 events, maximum likelihood: cross-product ratios
    design = models.build("dropout ~ age_40_plus", features.participant_frame(frame))
    result = models.influence(models.fit_design(design))["age_40_plus"]
    assert result["refits"] == 48
    # the extremes: leaving out a 40+ dropout (11*14)/(15*7), an under-40 dropout (12*14)/(15*6)
    low, high = math.exp(result["min_estimate"]), math.exp(result["max_estimate"])
    assert low == pytest.approx(11 * 14 / (15 * 7)) and high == pytest.approx(12 * 14 / (15 * 6))
    assert result["direction_flips"] == 0


def test_a_term_without_variation_is_dropped_and_said():
    rng = np.random.default_rng(3)
    n = 120
    table = pd.DataFrame({"participant_id": [f"P{i:012x}" for i in range(n)], "session": 2,
                          "age_40_plus": rng.random(n) < 0.4, "garment": rng.random(n) < 0.4,
                          "messages_before_session": rng.poisson(3, n),
                          "left_group_before_session": rng.random(n) < 0.2})
    table["dropout"] = table["left_group_before_session"] | (rng.random(n) < 0.3)
    formula = "dropout ~ age_40_plus + garment + left_group_before_session"
    varied = fit_model(features.model_ready(table), formula, "hazard_formula")[1]
    assert "left_group_before_session" in [t["term"] for t in varied["terms"]]
    constant = fit_model(features.model_ready(table.assign(left_group_before_session=False)),
                         formula, "hazard_formula")[1]
    assert "left_group_before_session" not in [t["term"] for t in constant["terms"]]
    assert constant["dropped_terms"] == [{"term": "left_group_before_session",
                                          "reason": "no_variation"}]
    assert constant["formula"] == "dropout ~ age_40_plus + garment"
    assert constant["formula_requested"] == formula


def test_one_step_influence_is_close_to_the_exact_refits():
    frame = _participants(12, 15, 7, 14)
    design = models.build("dropout ~ age_40_plus", features.participant_frame(frame))
    fit = models.fit_design(design, method="maximum likelihood")
    exact = models.influence(fit, exact_max=1000)["age_40_plus"]
    approximate = models.influence(fit, exact_max=10)["age_40_plus"]
    assert approximate["method"] == "one-step approximation" and exact["method"] == "exact refits"
    for key in ("min_estimate", "max_estimate"):  # within 0.02 on the log-odds scale
        assert approximate[key] == pytest.approx(exact[key], abs=0.02)


def test_one_step_influence_of_a_firth_fit_is_close_to_the_exact_refits():
    """Few events call for Firth; its one-step uses Firth's modified score. (On these data the
    penalty's term moves the range by under 0.002: the step's accuracy is the check here.)"""
    rng = np.random.default_rng(11)
    n = 300
    frame = pd.DataFrame({"x": rng.normal(size=n), "participant_id": [f"P{i}" for i in range(n)]})
    frame["dropout"] = (rng.random(n) < 1 / (1 + np.exp(-(-3.2 + 0.8 * frame["x"])))).astype(int)
    design = models.build("dropout ~ x", frame)
    fit = models.fit_design(design, method="firth")
    assert 5 <= design.events <= 20
    exact = models.influence(fit, exact_max=1000)["x"]
    approximate = models.influence(fit, exact_max=10)["x"]
    assert approximate["method"] == "one-step approximation"
    for key in ("min_estimate", "max_estimate"):
        assert approximate[key] == pytest.approx(exact[key], abs=0.02)


def _groups(counts):
    """{group: (dropouts, completers)} -> enrolled participants."""
    rows = [(g, d) for g, (drop, done) in counts.items() for d in [True] * drop + [False] * done]
    frame = pd.DataFrame(rows, columns=["district", "dropout"])
    return frame.assign(enrolled=True, completed=~frame["dropout"])


def test_two_group_test_is_fishers_exact_test():
    frame = _groups({"kab_bekasi": (8, 4), "kab_bogor": (3, 9)})
    result = models.group_test(frame, "district")
    assert result["test"] == "Fisher exact"
    assert result["p_value"] == pytest.approx(stats.fisher_exact([[4, 8], [9, 3]])[1])


def test_several_groups_match_the_exact_freeman_halton_p_value():
    import itertools

    counts = {"kab_bekasi": (6, 2), "kab_bogor": (2, 6), "kab_sukabumi": (3, 4)}
    frame = _groups(counts)
    result = models.group_test(frame, "district")
    # exact: every table with the same margins, as likely as or less likely than the observed
    sizes = [d + c for d, c in counts.values()]
    events = sum(d for d, _ in counts.values())

    def probability(table):
        return math.prod(math.comb(n, x) for n, x in zip(sizes, table, strict=True)) / math.comb(
            sum(sizes), events)

    observed = probability([d for d, _ in counts.values()])
    exact = sum(probability(t) for t in itertools.product(*(range(n + 1) for n in sizes))
                if sum(t) == events and probability(t) <= observed * (1 + 1e-7))
    assert result["test"] == "Fisher-Freeman-Halton"
    assert result["p_value"] == pytest.approx(exact, abs=0.01)  # Monte Carlo, 9,999 tables


@pytest.mark.parametrize("table", [[[6, 2], [2, 6], [3, 4]], [[40, 12], [9, 30], [5, 5], [0, 7]],
                                   [[120, 80, 33], [60, 91, 40]]])
def test_our_freeman_halton_gives_scipys_p_value(table):
    table = np.array(table)
    method = stats.MonteCarloMethod(n_resamples=999, rng=np.random.default_rng(5))
    assert models.descriptive.freeman_halton(table, 999, 5) == stats.fisher_exact(
        table, method=method).pvalue


def test_freeman_halton_works_for_a_hundred_thousand_people():
    """Where scipy 1.17's own call fails (a cohort larger than its batch of tables); the
    groups' dropout shares differ clearly, so p is the smallest a Monte Carlo p can be."""
    table = np.array([[30000, 20000], [15000, 15000], [10000, 6000], [3000, 1000]])
    assert models.descriptive.freeman_halton(table, 999, 5) == pytest.approx(1 / 1000)
    even = np.array([[30000, 30000], [15000, 15000], [8000, 8000], [2000, 2000]])
    assert models.descriptive.freeman_halton(even, 999, 5) > 0.5


def test_follow_up_by_completion_counts_known_answers_only():
    frame = pd.DataFrame({"enrolled": True,
                          "completed": [True, True, True, False, False, False],
                          "bpjstk_enrolled": pd.array([True, True, False, True, None, False],
                                                      dtype="boolean")})
    frame["dropout"] = ~frame["completed"]
    result = models.outcome_by_completion(frame, "bpjstk_enrolled")
    assert result["n_known"] == 5
    assert result["groups"] == [{"group": "completed", "n": 3, "yes": 2},
                                {"group": "dropout", "n": 2, "yes": 1}]
    assert result["test"]["p_value"] == pytest.approx(stats.fisher_exact([[2, 1], [1, 1]])[1])
