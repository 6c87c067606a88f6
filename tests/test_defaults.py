"""A setting's default lives in a notebook's parameters cell (what staff run and researchers
edit). Functions that take the same setting keep a default too, for code and tests that call
them directly; these tests hold each such default to its notebook's, so the two can never say
different things (a function default that drifted would change a number without a word)."""

from __future__ import annotations

import inspect

import pytest

from analysis import models
from analysis.ingest.clean import clean_cohort
from analysis.models import results
from analysis.planning import pooled, power
from analysis.runner import defaults

# (function, its parameter, notebook, the notebook's parameter)
SAME_SETTING = [
    (clean_cohort, "response_window_hours", "01_clean.ipynb", "response_window_hours"),
    *[(results.build_results, name, "02_dropout_model.ipynb", name)
      for name in ("min_cell", "epv_for_ml", "mice_threshold", "influence_exact_max",
                   "min_people", "groupings", "curves_by", "monte_carlo_tables",
                   "age_curve_spline_df")],
    (results.fit_model, "epv_for_ml", "02_dropout_model.ipynb", "epv_for_ml"),
    (results.fit_model, "min_people", "02_dropout_model.ipynb", "min_people"),
    (models.fit_design, "epv_for_ml", "02_dropout_model.ipynb", "epv_for_ml"),
    (models.build, "min_people", "02_dropout_model.ipynb", "min_people"),
    (models.influence, "exact_max", "02_dropout_model.ipynb", "influence_exact_max"),
    (models.group_test, "resamples", "02_dropout_model.ipynb", "monte_carlo_tables"),
    (pooled.build_pooled_results, "min_cell", "10_pooled.ipynb", "min_cell"),
    (pooled.build_pooled_results, "epv_for_ml", "10_pooled.ipynb", "epv_for_ml"),
    (power.planning, "significance", "20_power.ipynb", "significance"),
    (power.power_curve, "significance", "20_power.ipynb", "significance"),
    (power.power_curve, "seed", "20_power.ipynb", "seed"),
]


@pytest.mark.parametrize("function, name, notebook, setting", SAME_SETTING,
                         ids=[f"{f.__name__}.{n}" for f, n, _, _ in SAME_SETTING])
def test_a_function_default_is_its_notebooks(function, name, notebook, setting):
    default = inspect.signature(function).parameters[name].default
    expected = defaults(notebook)[setting]
    assert default is not inspect.Parameter.empty, f"{function.__name__}({name}) has no default"
    assert (list(default) if isinstance(default, tuple) else default) == expected, (
        f"{function.__module__}.{function.__name__}({name}={default!r}) but {notebook} sets "
        f"{setting} = {expected!r}: change one to agree")

