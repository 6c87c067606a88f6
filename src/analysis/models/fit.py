"""Fitting a binary-outcome model to a design: maximum likelihood, or Firth when it is needed.

Cohorts are small (about fifty people, twenty dropouts). Maximum likelihood is used when there
are at least `epv_for_ml` events per parameter and no separation; otherwise Firth's penalised
likelihood, with profile intervals and penalised likelihood-ratio tests (`analysis.models.firth`).
Either way the result is a `ModelFit`; `tidy()` turns any fit into one row per coefficient.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.models.design import Design
from analysis.models.firth import firth_fit

EPV_FOR_ML = 10  # events per parameter below which maximum likelihood is not trusted
LINKS = {"logit": sm.families.links.Logit, "cloglog": sm.families.links.CLogLog}
RATIO = {"logit": "odds_ratio", "cloglog": "hazard_ratio"}


@dataclass
class ModelFit:
    design: Design
    link: str
    method: str  # "maximum likelihood" or "firth"
    method_reason: str  # "enough_events", "few_events", "separation" or "firth_needs_logit"
    params: pd.Series
    bse: pd.Series
    conf_int: pd.DataFrame  # columns 0 and 1, 95%
    pvalues: pd.Series  # likelihood-ratio (penalised for Firth) per coefficient
    llf: float
    fitted: np.ndarray
    epv_for_ml: float  # the events per parameter the method was chosen by (the report says it)
    problems: list[str] = field(default_factory=list)  # of the method used
    ml_problems: list[str] = field(default_factory=list)  # why maximum likelihood was set aside
    firth: object = None  # the FirthResult, for profile tests

    @property
    def interval(self) -> str:
        return "profile penalised likelihood" if self.method == "firth" else "Wald"

    @property
    def test(self) -> str:
        return "penalised likelihood ratio" if self.method == "firth" else "likelihood ratio"

    @property
    def events_per_parameter(self) -> float:
        return round(events_per_parameter(self.design), 2)


def events_per_parameter(design: Design) -> float:
    """Events per parameter, the intercept not counted: what decides between maximum
    likelihood and Firth, and what the report prints (rounded)."""
    return design.events / max(design.X.shape[1] - 1, 1)


def glm(X: np.ndarray, y: np.ndarray, link: str = "logit"):
    """A binomial GLM on arrays, with its warnings (separation, non-convergence) as sentences."""
    # exp() overflows on the way to a separated fit: expected here, and said in `problems`
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="ignore"):
        warnings.simplefilter("always")
        try:
            fit = sm.GLM(y, X, family=sm.families.Binomial(link=LINKS[link]())).fit()
        except (np.linalg.LinAlgError, ValueError) as exc:
            return None, [f"the model could not be fitted ({exc})"]
    problems = sorted({str(w.message).split("\n")[0] for w in caught})
    fitted = np.asarray(fit.fittedvalues)
    if np.any(fitted < 1e-8) or np.any(fitted > 1 - 1e-8) or np.any(np.abs(fit.params) > 15):
        problems.append("quasi-complete separation: some estimates are not finite in truth")
    return fit, problems


def separated(problems: list[str]) -> bool:
    return any("separation" in p for p in problems)


def choose_method(design: Design, link: str = "logit", epv_for_ml: float = EPV_FOR_ML):
    """(method, maximum-likelihood fit, its problems): Firth when the logit model has fewer
    than `epv_for_ml` events per parameter or maximum likelihood separates or fails."""
    ml, problems = glm(design.X.to_numpy(dtype=float), design.y, link)
    wants_firth = ml is None or separated(problems) or events_per_parameter(design) < epv_for_ml
    return ("firth" if wants_firth and link == "logit" else "maximum likelihood"), ml, problems


def fit_design(design: Design, link: str = "logit", method: str = "auto",
               epv_for_ml: float = EPV_FOR_ML) -> ModelFit:
    """Fit by maximum likelihood, Firth, or ("auto") whichever the cohort's size calls for."""
    if method not in ("auto", "maximum likelihood", "firth"):
        raise ValueError(f"method '{method}': expected auto, maximum likelihood or firth")
    X, y = design.X.to_numpy(dtype=float), design.y
    names = list(design.X.columns)
    chosen, ml, problems = choose_method(design, link, epv_for_ml)
    method = chosen if method == "auto" else method
    if method == "firth":
        if link != "logit":
            raise ValueError("Firth's method is implemented for the logit link only")
        return _firth(design, problems, "separation" if ml is None or separated(problems)
                      else "few_events", epv_for_ml)
    enough = events_per_parameter(design) >= epv_for_ml and not separated(problems)
    reason = "enough_events" if enough else ("firth_needs_logit" if link != "logit" else "chosen")
    if ml is None:
        nan = pd.Series(np.nan, index=names)
        return ModelFit(design, link, "maximum likelihood", reason, nan, nan,
                        pd.DataFrame({0: nan, 1: nan}), nan, float("nan"),
                        np.full(len(y), np.nan), epv_for_ml, problems)
    params = pd.Series(np.asarray(ml.params), index=names)
    conf = pd.DataFrame(np.asarray(ml.conf_int(alpha=0.05)), index=names, columns=[0, 1])
    pvalues = pd.Series([_ml_lr(X, y, link, ml.llf, [j])[1] for j in range(len(names))],
                        index=names)
    return ModelFit(design, link, "maximum likelihood", reason, params,
                    pd.Series(np.asarray(ml.bse), index=names), conf, pvalues, float(ml.llf),
                    np.asarray(ml.fittedvalues), epv_for_ml, problems)


def _firth(design: Design, ml_problems: list[str], reason: str, epv_for_ml: float) -> ModelFit:
    result = firth_fit(design.X, design.y)
    fitted = 1 / (1 + np.exp(-(result.X @ result.params.to_numpy())))
    return ModelFit(design, "logit", "firth", reason, result.params, result.bse,
                    result.conf_int(), result.pvalues, float(result.llf), fitted, epv_for_ml,
                    [], ml_problems, firth=result)


def _ml_lr(X, y, link, llf, drop: list[int]) -> tuple[float, float]:
    """(statistic, p) of the likelihood-ratio test of the columns `drop`; NaN when the smaller
    model cannot be fitted."""
    keep = [j for j in range(X.shape[1]) if j not in drop]
    small = glm(X[:, keep], y, link)[0] if keep else None
    if small is None:
        return float("nan"), float("nan")
    statistic = max(2 * (llf - small.llf), 0.0)
    return statistic, float(stats.chi2.sf(statistic, len(drop)))


def term_tests(fit: ModelFit) -> list[dict]:
    """One likelihood-ratio test per term of the formula (all of a categorical's levels at once:
    does federation matter at all?), by the fit's own method."""
    if not np.isfinite(fit.llf):
        return []
    names = list(fit.params.index)
    rows = []
    for term, columns in fit.design.term_columns.items():
        drop = [names.index(c) for c in columns]
        if fit.method == "firth":
            statistic, df, p_value = fit.firth.lr_test(columns)
        else:
            statistic, p_value = _ml_lr(fit.design.X.to_numpy(dtype=float), fit.design.y,
                                        fit.link, fit.llf, drop)
            df = len(drop)
            if not np.isfinite(statistic):
                continue
        rows.append({"term": term, "columns": columns, "df": int(df),
                     "statistic": float(statistic), "p_value": float(p_value)})
    return rows


def tidy(fit: ModelFit) -> list[dict]:
    """One row per coefficient: estimate, interval, ratio (odds or hazard), p, n and events."""
    key = RATIO[fit.link]
    rows = []
    with np.errstate(over="ignore"):  # exp of a separated estimate is inf, reported as such
        for term in fit.params.index:
            estimate, low, high = (float(fit.params[term]), float(fit.conf_int.loc[term, 0]),
                                   float(fit.conf_int.loc[term, 1]))
            rows.append({"term": term, "estimate": estimate, "std_error": float(fit.bse[term]),
                         "ci_low": low, "ci_high": high, key: float(np.exp(estimate)),
                         f"{key}_ci_low": float(np.exp(low)), f"{key}_ci_high": float(np.exp(high)),
                         "p_value": float(fit.pvalues[term]), "n": fit.design.n_people,
                         "events": fit.design.events})
    return rows


def calibration(observed: np.ndarray, predicted: np.ndarray, groups: int = 4) -> list[dict]:
    """Observed against predicted outcome in groups of similar predicted risk (quartiles)."""
    order = np.argsort(predicted, kind="stable")
    rows = []
    for g, members in enumerate(np.array_split(order, groups), start=1):
        if len(members):
            rows.append({"group": g, "n": int(len(members)),
                         "predicted": float(predicted[members].mean()),
                         "observed": float(observed[members].mean())})
    return rows


def summary(fit: ModelFit) -> dict:
    """Everything results.json keeps of a fit: the specification, the method and why, the
    people and events behind it, what was dropped or excluded, and the coefficient rows."""
    design = fit.design
    result = {
        "fitted": True,
        "formula": design.formula,
        "formula_requested": design.formula_requested,
        "parameter": design.name,
        "outcome": design.outcome,
        "link": fit.link,
        "method": fit.method,
        "method_reason": fit.method_reason,
        "interval": fit.interval,
        "test": fit.test,
        "n_people": design.n_people,
        "n_rows": int(len(design.y)),
        "events": design.events,
        "parameters": int(len(fit.params) - 1),
        "events_per_parameter": fit.events_per_parameter,
        "epv_for_ml": fit.epv_for_ml,
        "excluded_incomplete": design.excluded_incomplete,
        "dropped_terms": design.dropped_terms,
        "references": design.references,
        "variables": design.variables,
        "term_columns": design.term_columns,
        "problems": fit.problems,
        "log_likelihood": fit.llf if np.isfinite(fit.llf) else None,
        "terms": tidy(fit),
        "term_tests": term_tests(fit),
    }
    if fit.ml_problems:
        result["maximum_likelihood_problems"] = fit.ml_problems
    if np.isfinite(fit.fitted).all():
        result["calibration"] = calibration(design.y, fit.fitted)
    return result


def not_estimable(error, formula: str, name: str, link: str = "logit") -> dict:
    """What results.json keeps of a model the cohort cannot support, and why (for the report)."""
    return {"fitted": False, "reason": error.reason, "message": str(error), **error.numbers,
            "formula": formula, "formula_requested": formula, "parameter": name, "link": link,
            "method": None, "terms": [], "term_tests": [], "dropped_terms": [],
            "references": {}, "term_columns": {}, "problems": []}


def terms_table(model: dict) -> pd.DataFrame:
    """A model's rows from results.json for reading in a notebook (or why there are none)."""
    if not model.get("fitted", True):
        return pd.DataFrame({"not estimated": [model["message"]]})
    key = RATIO[model["link"]]
    columns = ["term", key, f"{key}_ci_low", f"{key}_ci_high", "p_value", "n"]
    return pd.DataFrame(model["terms"])[columns].round(3)
