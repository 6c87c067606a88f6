"""Planning by simulation: the answer's arithmetic, and power that grows with cohort size."""

import pandas as pd
import pytest

from analysis.planning import power
from analysis.report import planning_sections
from analysis.runner import defaults

FORMULA = defaults("20_power.ipynb")["formula"]  # the power notebook's default


def test_participants_needed_interpolates_between_simulated_sizes():
    curve = pd.DataFrame({"term": "age_40_plus", "participants": [50, 100, 200],
                          "power": [0.4, 0.7, 0.9], "replications": 100})
    assert power.participants_needed(curve, "age_40_plus", 0.8) == 150  # halfway from 0.7 to 0.9
    assert power.participants_needed(curve, "age_40_plus", 0.95) is None
    assert power.participants_needed(curve, "age_40_plus", 0.3) == 50


def test_power_grows_with_cohort_size():
    curve = power.power_curve([30, 400], 20, FORMULA, {"age_40_plus": 3.0}, seed=1)
    age = curve[curve["term"] == "age_40_plus"].set_index("participants")["power"]
    assert age[400] > age[30] and age[400] >= 0.8


def test_planning_results_give_an_answer_per_effect():
    curve = pd.DataFrame({"term": ["age_40_plus"] * 2 + ["log_messages_before_session2"] * 2,
                          "participants": [50, 100] * 2, "power": [0.5, 0.9, 0.2, 0.5],
                          "replications": 10, "odds_ratio": [2.0] * 2 + [0.5] * 2})
    planning = power.planning_results(curve, FORMULA)
    assert planning["needed"] == {"age_40_plus": 88, "log_messages_before_session2": None}
    assert "88" in planning_sections.power(planning, "en")


def test_a_term_the_generator_cannot_set_is_refused_clearly():
    import pytest

    from analysis.models import ModelSpecError

    with pytest.raises(ModelSpecError, match="cannot set an effect for `C\\(federation\\)`"):
        power.power_curve([30], 1, "dropout ~ C(federation)", {"C(federation)": 2.0})


def test_the_english_run_reuses_a_simulation_with_the_same_parameters_only(tmp_path):
    from analysis.models import results

    used = power.simulation_parameters([30, 50], 5, FORMULA, {"age_40_plus": 2.0}, 0.8, 1)
    curve = pd.DataFrame({"term": "age_40_plus", "participants": [30, 50], "power": [0.2, 0.4],
                          "replications": 5, "odds_ratio": 2.0})
    path = tmp_path / "power" / "results.json"
    assert power.reuse(path, used) is None  # nothing simulated yet
    results.write_results(power.planning_results(curve, FORMULA, 0.8, used), path)
    assert power.reuse(path, used)["curve"][0]["power"] == 0.2
    for changed in (power.simulation_parameters([30, 50], 5, FORMULA, {"age_40_plus": 2.0},
                                                0.8, 2),
                    power.simulation_parameters([30, 50], 6, FORMULA, {"age_40_plus": 2.0},
                                                0.8, 1),
                    power.simulation_parameters([30, 50], 5, FORMULA, {"age_40_plus": 3.0},
                                                0.8, 1)):
        assert power.reuse(path, changed) is None


def test_planning_simulates_once_and_the_second_language_reads_it_back(tmp_path, monkeypatch):
    path = tmp_path / "power" / "results.json"
    args = ([30], 2, FORMULA, {"age_40_plus": 2.0}, 0.8, 1)
    first = power.planning(path, *args)
    assert path.exists()

    def no_simulation(*a, **k):
        raise AssertionError("simulated again")

    monkeypatch.setattr(power, "power_curve", no_simulation)
    assert power.planning(path, *args, reuse_results=True) == first
    with pytest.raises(AssertionError, match="simulated again"):
        power.planning(path, *args)  # without reuse_results it always simulates
