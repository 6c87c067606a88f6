"""Missing values: how many, and whether the participant model's answer depends on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import patsy
import statsmodels.api as sm

from analysis.models.design import Design
from analysis.terms import FUNCTIONS, factors_of, names_in

REPORTED = ("age", "age_40_plus", "gender", "sector", "garment", "federation", "district",
            "disability", "employment_status", "bpjstk_enrolled", "reseller_active")


def missingness(participants: pd.DataFrame, variables=REPORTED) -> dict:
    """Missing values per variable among enrolled participants."""
    enrolled = participants[participants["enrolled"]]
    return {column: {"missing": int(enrolled[column].isna().sum()), "n": int(len(enrolled)),
                     "share": float(enrolled[column].isna().mean()) if len(enrolled) else 0.0}
            for column in variables if column in enrolled}


def needs_imputation(frame: pd.DataFrame, design: Design, threshold: float) -> bool:
    """True when more than `threshold` of a model variable is missing."""
    return any(frame[v].isna().mean() > threshold for v in design.variables)


def mice_sensitivity(frame: pd.DataFrame, design: Design, imputations: int = 20,
                     seed: int = 1) -> dict:
    """Multiple imputation by chained equations (statsmodels MICE) of a model, as a sensitivity
    analysis beside the complete-case fit.

    The model's own columns are imputed (each dummy or transformed column as a variable, by
    predictive mean matching), so any formula works; a column is missing where a variable
    feeding it is. The price: dummies of one variable are imputed separately.
    """
    from statsmodels.imputation import mice

    info = design.design_info
    filled = frame.copy()
    for variable in design.variables:
        levels = _levels(info, variable)
        if levels is not None:  # exactly the levels the complete-case design was built with
            column = pd.Categorical(filled[variable].astype(object), categories=levels)
            filled[variable] = pd.Series(column, index=filled.index).fillna(levels[0])
        else:
            filled[variable] = filled[variable].fillna(filled[variable].median())
    (X,) = patsy.build_design_matrices([info], filled, return_type="dataframe",
                                       NA_action="raise")
    X = X[list(design.X.columns)]
    for term, columns in design.term_columns.items():
        used = [v for v in design.variables if _uses(term, v)]
        blank = frame[used].isna().any(axis=1).to_numpy() if used else np.zeros(len(frame), bool)
        X.loc[blank, columns] = np.nan
    names = {c: f"x{i}" for i, c in enumerate(c for c in X.columns if c != "Intercept")}
    data = X.drop(columns="Intercept", errors="ignore").rename(columns=names)
    data.insert(0, "outcome", frame[design.outcome].to_numpy(dtype=float))
    data = data.reset_index(drop=True)
    formula = "outcome ~ " + (" + ".join(names.values()) or "1")
    state = np.random.get_state()
    np.random.seed(seed)  # statsmodels' MICE draws from numpy's global generator
    try:
        fit = mice.MICE(formula, sm.GLM, mice.MICEData(data),
                        init_kwds={"family": sm.families.Binomial()}).fit(
            n_burnin=10, n_imputations=imputations)
    finally:
        np.random.set_state(state)
    conf = np.asarray(fit.conf_int())
    labels = ["Intercept", *names]
    events = int(data["outcome"].sum())
    return {"imputations": imputations, "n": int(len(data)), "terms": [
        {"term": name, "estimate": float(fit.params[i]), "ci_low": float(conf[i, 0]),
         "ci_high": float(conf[i, 1]), "odds_ratio": float(np.exp(fit.params[i])),
         "odds_ratio_ci_low": float(np.exp(conf[i, 0])),
         "odds_ratio_ci_high": float(np.exp(conf[i, 1])), "p_value": float(fit.pvalues[i]),
         "n": int(len(data)), "events": events}
        for i, name in enumerate(labels)]}


def _uses(term: str, variable: str) -> bool:
    return any(variable in names_in(part) for part in factors_of(term))


def _levels(info, variable: str) -> list | None:
    for factor, factor_info in info.factor_infos.items():
        if factor_info.type == "categorical" and variable in names_in(factor.code):
            return list(factor_info.categories)
    return None


__all__ = ["FUNCTIONS", "missingness", "mice_sensitivity", "needs_imputation"]
