"""Firth's logistic regression pinned to R logistf's published results (Heinze & Schemper 2002)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.models.firth import firth_logit

DATA = Path(__file__).parent / "data"

# logistf 1.x: coefficients and 95% profile penalised-likelihood intervals
LOGISTF = {
    "endometrial": ("HG ~ NV + PI + EH", {
        "Intercept": (3.77455951, 1.0825371, 7.20928050),
        "NV": (2.92927330, 0.6097244, 7.85463171),
        "PI": (-0.03475175, -0.1244587, 0.04045547),
        "EH": (-2.60416387, -4.3651832, -1.23272106),
    }),
    "sex2": ("case ~ age + oc + vic + vicl + vis + dia", {
        "Intercept": (0.12025405, -0.8185591, 1.07315122),
        "age": (-1.10598131, -1.9737884, -0.30742514),
        "oc": (-0.06881673, -0.9414363, 0.78920202),
        "vic": (2.26887464, 1.2730216, 3.43543273),
        "vicl": (-2.11140817, -3.2608611, -1.11773495),
        "vis": (-0.78831694, -1.6080879, 0.01518468),
        "dia": (3.09601166, 0.7745682, 8.03029352),
    }),
}


@pytest.fixture(scope="module", params=list(LOGISTF))
def fitted(request):
    formula, expected = LOGISTF[request.param]
    return firth_logit(formula, pd.read_csv(DATA / f"{request.param}.csv")), expected


def test_firth_matches_logistf_coefficients(fitted):
    fit, expected = fitted
    for term, (coef, _, _) in expected.items():
        assert fit.params[term] == pytest.approx(coef, abs=1e-4), term


def test_firth_matches_logistf_profile_intervals(fitted):
    fit, expected = fitted
    intervals = fit.conf_int()
    assert list(intervals.index) == list(fit.params.index)
    for term, (_, low, high) in expected.items():
        assert intervals.loc[term, 0] == pytest.approx(low, abs=1e-4), term
        assert intervals.loc[term, 1] == pytest.approx(high, abs=1e-4), term


def test_interval_ends_are_where_the_penalised_lr_statistic_reaches_3_84(fitted):
    fit, _ = fitted
    intervals = fit.conf_int()
    for j, term in enumerate(fit.params.index):
        for end in intervals.loc[term]:
            statistic = 2 * (fit.llf - fit.profile_loglik({j: end}))
            assert statistic == pytest.approx(stats.chi2.ppf(0.95, 1), abs=1e-5)


def test_penalised_lr_p_values_agree_with_the_intervals(fitted):
    fit, _ = fitted
    intervals = fit.conf_int()
    for term in fit.params.index:
        excludes_zero = intervals.loc[term, 0] > 0 or intervals.loc[term, 1] < 0
        assert (fit.pvalues[term] < 0.05) == excludes_zero, term


def test_firth_stays_finite_where_maximum_likelihood_separates():
    data = pd.read_csv(DATA / "endometrial.csv")
    assert data.groupby("NV")["HG"].min().loc[1] == 1  # every NV=1 patient is high grade
    fit = firth_logit("HG ~ NV + PI + EH", data)
    assert np.isfinite(fit.params).all() and np.isfinite(fit.conf_int().to_numpy()).all()
