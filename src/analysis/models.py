"""Dropout models: participant-level logistic regression and discrete-time hazard models.

Models read processed tables only. Every model result says how many people and events are
behind it, so the report can say how much (little) a cohort of fifty can tell.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from .firth import firth_logit

# Terms as they appear in formulas; labels for reports come from the report catalogue.
PARTICIPANT_FORMULA = "dropout ~ age_40_plus + garment + log_messages_before_session2"
HAZARD_FORMULA = "dropout ~ C(session) + age_40_plus + garment + log_messages_before_session"


MODEL_VARIABLES = ("age_40_plus", "garment")  # the ones a blank roster cell can leave missing


def participant_frame(participants: pd.DataFrame, complete: bool = True) -> pd.DataFrame:
    """Enrolled participants with model-ready columns (0/1 flags, log activity).

    Complete cases by default: a participant missing a model variable is left out (and counted
    in results.json); `complete=False` keeps them, with NaN, for multiple imputation.
    """
    frame = participants[participants["enrolled"]].copy()
    if complete:
        frame = frame.dropna(subset=[c for c in MODEL_VARIABLES if c in frame])
    else:
        for column in MODEL_VARIABLES:
            frame[column] = frame[column].astype("Float64").astype(float)
    frame["dropout"] = frame["dropout"].astype(int)
    if complete:
        frame["age_40_plus"] = frame["age_40_plus"].astype(int)
        frame["garment"] = frame["garment"].astype(int)
    # log(1 + messages): one extra message matters more to a quiet member than to a busy one
    frame["log_messages_before_session2"] = np.log1p(frame["messages_before_session2"])
    return frame


def hazard_frame(person_period: pd.DataFrame) -> pd.DataFrame:
    """Model-ready person-period rows, complete cases."""
    frame = person_period.dropna(subset=[c for c in MODEL_VARIABLES if c in person_period]).copy()
    frame["dropout"] = frame["dropout"].astype(int)
    frame["age_40_plus"] = frame["age_40_plus"].astype(int)
    frame["garment"] = frame["garment"].astype(int)
    frame["log_messages_before_session"] = np.log1p(frame["messages_before_session"])
    if "left_group_before_session" in frame:
        frame["left_group_before_session"] = frame["left_group_before_session"].astype(int)
    return frame


def _tidy(fit, n: int, events: int, exponentiate_as: str) -> list[dict]:
    conf = fit.conf_int(alpha=0.05)
    rows = []
    np.seterr(over="ignore")  # exp of a separated estimate is inf, reported as such
    for term in fit.params.index:
        estimate = float(fit.params[term])
        rows.append({
            "term": term,
            "estimate": estimate,
            "std_error": float(fit.bse[term]),
            "ci_low": float(conf.loc[term, 0]),
            "ci_high": float(conf.loc[term, 1]),
            exponentiate_as: float(np.exp(estimate)),
            f"{exponentiate_as}_ci_low": float(np.exp(conf.loc[term, 0])),
            f"{exponentiate_as}_ci_high": float(np.exp(conf.loc[term, 1])),
            "p_value": float(fit.pvalues[term]),
            "n": n,
            "events": events,
        })
    return rows


def fit_glm(formula: str, data: pd.DataFrame, link) -> tuple[object, list[str]]:
    """Fit a binomial GLM, collecting warnings (separation, non-convergence) instead of hiding them."""
    events = int(data["dropout"].sum())
    if events in (0, len(data)):
        return None, ["dropout does not vary in these data: no model can be fitted"]
    model = smf.glm(formula, data=data, family=sm.families.Binomial(link=link))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = model.fit()
        except (np.linalg.LinAlgError, ValueError) as exc:
            return None, [f"the model could not be fitted ({exc})"]
    problems = sorted({str(w.message).split("\n")[0] for w in caught})
    fitted = np.asarray(fit.fittedvalues)
    if np.any(fitted < 1e-8) or np.any(fitted > 1 - 1e-8) or np.any(np.abs(fit.params) > 15):
        problems.append("quasi-complete separation: some estimates are not finite in truth")
    return fit, problems


def _summary(fit, problems, data, formula, exponentiate_as, method) -> dict:
    n_people = int(data["participant_id"].nunique())
    events = int(data["dropout"].sum())
    if fit is None:
        return {"formula": formula, "method": method, "n_people": n_people,
                "n_rows": int(len(data)), "events": events, "parameters": 0,
                "events_per_parameter": 0.0, "converged": False, "problems": problems,
                "log_likelihood": None, "terms": []}
    parameters = len(fit.params) - 1
    return {
        "formula": formula,
        "method": method,
        "n_people": n_people,
        "n_rows": int(len(data)),
        "events": events,
        "parameters": parameters,
        "events_per_parameter": round(events / max(parameters, 1), 2),
        "converged": bool(getattr(fit, "converged", True)),
        "problems": problems,
        "log_likelihood": float(fit.llf),
        "terms": _tidy(fit, n_people, events, exponentiate_as),
    }


EPV_FOR_ML = 10  # events per parameter below which maximum likelihood is not trusted


def participant_model(participants: pd.DataFrame, formula: str = PARTICIPANT_FORMULA) -> dict:
    """Logistic regression of dropout on age 40+, garment sector and early chat activity.

    Maximum likelihood when there are at least EPV_FOR_ML events per parameter and no
    separation; Firth's penalised likelihood otherwise (and `method_reason` says why).
    """
    data = participant_frame(participants)
    fit, problems = fit_glm(formula, data, sm.families.links.Logit())
    result = _summary(fit, problems, data, formula, "odds_ratio", "maximum likelihood")
    if fit is None:
        return result
    separation = any("separation" in p for p in problems)
    if result["events_per_parameter"] >= EPV_FOR_ML and not separation:
        result["method_reason"] = "enough_events"
        result["test"] = "likelihood ratio"
        for row in result["terms"]:  # likelihood-ratio tests: better than Wald in small samples
            if row["term"] != "Intercept":
                _, _, p_value = likelihood_ratio(data, formula, drop_term(formula, row["term"]))
                row["wald_p_value"], row["p_value"] = row["p_value"], p_value
        result["calibration"] = calibration(data["dropout"].to_numpy(),
                                            np.asarray(fit.fittedvalues))
        return result
    try:
        firth = firth_logit(formula, data)
        conf = firth.conf_int()
    except np.linalg.LinAlgError:
        return {**result, "problems": problems + ["Firth's method could not be fitted: a "
                                                  "variable does not vary"]}
    terms = []
    for term in firth.params.index:
        estimate, low, high = (float(firth.params[term]), float(conf.loc[term, 0]),
                               float(conf.loc[term, 1]))
        terms.append({"term": term, "estimate": estimate, "std_error": float(firth.bse[term]),
                      "ci_low": low, "ci_high": high, "odds_ratio": float(np.exp(estimate)),
                      "odds_ratio_ci_low": float(np.exp(low)),
                      "odds_ratio_ci_high": float(np.exp(high)),
                      "p_value": float(firth.pvalues[term]), "n": result["n_people"],
                      "events": result["events"]})
    predicted = 1 / (1 + np.exp(-(firth.X @ firth.params.to_numpy())))
    return {**result, "method": "firth", "method_reason": "separation" if separation else "few_events",
            "maximum_likelihood_problems": problems, "problems": [],
            "log_likelihood": float(firth.llf), "interval": "profile penalised likelihood",
            "test": "penalised likelihood ratio", "terms": terms,
            "calibration": calibration(firth.y, predicted)}


def influence(participants: pd.DataFrame, model: dict) -> dict:
    """Leave-one-out: refit without each participant in turn (same method), so the report can
    say when one person drives a conclusion. Per effect: the range of the estimates (log odds),
    and how many of the refits put it on the other side of zero (odds ratio 1)."""
    data = participant_frame(participants).reset_index(drop=True)
    formula = model["formula"]
    full = {r["term"]: r["estimate"] for r in model["terms"] if r["term"] != "Intercept"}
    estimates: dict[str, list[float]] = {term: [] for term in full}
    for left_out in range(len(data)):
        rest = data.drop(index=left_out)
        if model["method"] == "firth":
            params = firth_logit(formula, rest).params
        else:
            fit, _ = fit_glm(formula, rest, sm.families.links.Logit())
            if fit is None:
                continue
            params = fit.params
        for term in full:
            estimates[term].append(float(params[term]))
    result = {}
    for term, values in estimates.items():
        values = np.array(values)
        flips = int(((values > 0) != (full[term] > 0)).sum())
        result[term] = {"min_estimate": float(values.min()), "max_estimate": float(values.max()),
                        "refits": int(len(values)), "direction_flips": flips}
    return result


def likelihood_ratio(data: pd.DataFrame, full: str, reduced: str, link=None):
    """(statistic, df, p) of the likelihood-ratio test of `reduced` within `full`; p is NaN when
    either fit fails or separates (no trustworthy likelihood to compare)."""
    link = link or sm.families.links.Logit()
    big, problems = fit_glm(full, data, link)
    small, small_problems = fit_glm(reduced, data, link)
    if big is None or small is None or any("separation" in p for p in problems + small_problems):
        return np.nan, None, float("nan")
    df = int(round(big.df_model - small.df_model))
    statistic = max(2 * (big.llf - small.llf), 0.0)
    return float(statistic), df, float(stats.chi2.sf(statistic, df))


def drop_term(formula: str, term: str) -> str:
    outcome, right = formula.split("~")
    kept = [t.strip() for t in right.split("+") if t.strip() != term]
    return f"{outcome.strip()} ~ {' + '.join(kept) if kept else '1'}"


def calibration(observed: np.ndarray, predicted: np.ndarray, groups: int = 4) -> list[dict]:
    """Observed against predicted dropout in groups of similar predicted risk (quartiles)."""
    order = np.argsort(predicted, kind="stable")
    rows = []
    for g, members in enumerate(np.array_split(order, groups), start=1):
        if len(members):
            rows.append({"group": g, "n": int(len(members)),
                         "predicted": float(predicted[members].mean()),
                         "observed": float(observed[members].mean())})
    return rows


LINKS = {"logit": sm.families.links.Logit, "cloglog": sm.families.links.CLogLog}


def person_period(data: pd.DataFrame, duration: str, event: str,
                  period: str = "period") -> pd.DataFrame:
    """One row per person and period at risk, 1..duration; `event` is 1 only in the last period
    of a person whose event happened (0 for the censored). Other columns are carried along."""
    lengths = data[duration].astype(int).to_numpy()
    if (lengths < 1).any():
        raise ValueError(f"{duration} must be a whole number of periods, at least 1")
    table = data.loc[data.index.repeat(lengths)].copy()
    table[period] = table.groupby(level=0).cumcount() + 1
    table[event] = ((table[period] == table[duration]) & table[event].astype(bool)).astype(int)
    return table.reset_index(drop=True)


def discrete_hazard(formula: str, person_period_table: pd.DataFrame, link: str = "logit",
                    period: str = "period"):
    """Discrete-time hazard model: a binomial GLM on the person-period table with one dummy per
    period (added to the formula) and any time-varying covariates. With link="cloglog" its
    coefficients estimate the log hazard ratios of a grouped-time proportional-hazards model."""
    if f"C({period})" not in formula:
        formula = formula.replace("~", f"~ C({period}) +", 1)
    family = sm.families.Binomial(link=LINKS[link]())
    return smf.glm(formula, data=person_period_table, family=family).fit()


def hazard_model(person_period: pd.DataFrame, link: str = "logit",
                 formula: str = HAZARD_FORMULA) -> dict:
    """Discrete-time hazard of dropping out at each session, with lagged chat activity.

    link="cloglog" gives hazard ratios comparable to a grouped-time proportional hazards model;
    link="logit" gives odds ratios of dropping out at a session given still in the programme.
    """
    links = {"logit": (sm.families.links.Logit(), "odds_ratio"),
             "cloglog": (sm.families.links.CLogLog(), "hazard_ratio")}
    family_link, exponentiate_as = links[link]
    data = hazard_frame(person_period)
    # Leaving the group before a session is a separate dropout signal, used when someone at
    # risk has left (it is constant, and so useless, when leavers had all stopped coming).
    if (formula == HAZARD_FORMULA and "left_group_before_session" in data
            and data["left_group_before_session"].nunique() > 1):
        formula += " + left_group_before_session"
    fit, problems = fit_glm(formula, data, family_link)
    result = _summary(fit, problems, data, formula, exponentiate_as, "maximum likelihood")
    result["link"] = link
    return result


def retention_by(participants: pd.DataFrame, variable: str, min_cell: int) -> list[dict]:
    """Completion by group among enrolled participants; groups under min_cell merged into 'other'.

    Merge rule: a category with fewer than min_cell enrolled people joins 'other' (and if 'other'
    itself stays under min_cell, its counts are suppressed in shared tables).
    """
    enrolled = participants[participants["enrolled"]]
    groups = enrolled[variable].astype(object).fillna("missing").astype(str)
    sizes = groups.value_counts()
    small = sizes[(sizes < min_cell) & (sizes.index != "missing")].index  # unknown stays apart
    merged = groups.where(~groups.isin(small), "other")
    rows = []
    for group, members in enrolled.groupby(merged, sort=True):
        rows.append({
            "group": group,
            "n": int(len(members)),
            "completed": int(members["completed"].sum()),
            "dropouts": int(members["dropout"].sum()),
            "completion_rate": float(members["completed"].mean()),
            "merged_from": sorted(set(members[variable].astype(object).fillna("missing")
                                      .astype(str))) if group == "other" else None,
        })
    return rows


def chi_square_by(participants: pd.DataFrame, variable: str) -> dict:
    """Fisher's exact test (2 groups) or chi-square of dropout by a grouping, among enrolled."""
    enrolled = participants[participants["enrolled"]]
    table = pd.crosstab(enrolled[variable], enrolled["dropout"])
    if table.shape == (2, 2):
        _, p = stats.fisher_exact(table.to_numpy())
        return {"test": "Fisher exact", "p_value": float(p)}
    if table.shape[1] < 2:
        return {"test": "none (no variation in dropout)", "p_value": None}
    chi2, p, dof, _ = stats.chi2_contingency(table.to_numpy())
    return {"test": "chi-square", "statistic": float(chi2), "df": int(dof), "p_value": float(p)}


def terms_frame(model: dict) -> pd.DataFrame:
    """A model's terms as a table, for reading in a notebook."""
    columns = ["term", "estimate", "ci_low", "ci_high", "p_value"]
    return pd.DataFrame(model["terms"])[columns].round(3)


def retention_curves(participants: pd.DataFrame, variable: str, n_sessions: int,
                     min_cell: int) -> dict:
    """Kaplan-Meier retention over sessions by group, with a log-rank test (statsmodels).

    Time is the session a participant was first absent for good (a dropout) or the final
    session (completers, censored there). Groups merged as in `retention_by`.
    """
    enrolled = participants[participants["enrolled"]]
    time = np.where(enrolled["dropout"], enrolled["dropout_after_session"].fillna(0) + 1,
                    n_sessions).astype(float)
    status = enrolled["dropout"].astype(int).to_numpy()
    groups = enrolled[variable].astype(object).fillna("missing").astype(str)
    sizes = groups.value_counts()
    small = sizes[(sizes < min_cell) & (sizes.index != "missing")].index
    groups = groups.where(~groups.isin(small), "other").to_numpy()
    curves = {}
    for group in sorted(set(groups)):
        inside = groups == group
        curve = SurvfuncRight(time[inside], status[inside])
        points, survival = [{"session": 1, "retained": 1.0, "at_risk": int(inside.sum())}], 1.0
        for session in range(2, n_sessions + 1):
            hit = np.flatnonzero(curve.surv_times == session)
            at_risk = int((time[inside] >= session).sum())
            if len(hit):
                survival = float(curve.surv_prob[hit[0]])
            points.append({"session": session, "retained": survival, "at_risk": at_risk})
        curves[group] = points
    test = {"test": "log-rank", "statistic": None, "p_value": None}
    if len(curves) > 1 and status.any():
        statistic, p_value = survdiff(time, status, groups)
        test = {"test": "log-rank", "statistic": float(statistic), "df": len(curves) - 1,
                "p_value": float(p_value)}
    return {"curves": curves, "test": test}


def missingness(participants: pd.DataFrame) -> dict:
    """Missing values per variable among enrolled participants."""
    enrolled = participants[participants["enrolled"]]
    return {column: {"missing": int(enrolled[column].isna().sum()), "n": int(len(enrolled)),
                     "share": float(enrolled[column].isna().mean()) if len(enrolled) else 0.0}
            for column in ("age", "age_40_plus", "gender", "sector", "garment", "federation",
                           "district", "disability", "employment_status", "bpjstk_enrolled",
                           "reseller_active")}


MICE_THRESHOLD = 0.05  # more than 5% missing in a model variable: add a multiple-imputation check


def mice_sensitivity(participants: pd.DataFrame, imputations: int = 20, seed: int = 1) -> dict:
    """Multiple imputation by chained equations (statsmodels MICE) of the participant model,
    as a sensitivity analysis beside the complete-case fit."""
    from statsmodels.imputation import mice

    data = participant_frame(participants, complete=False)[
        ["dropout", *MODEL_VARIABLES, "log_messages_before_session2"]].reset_index(drop=True)
    state = np.random.get_state()
    np.random.seed(seed)  # statsmodels' MICE draws from numpy's global generator
    try:
        imputed = mice.MICEData(data)
        fit = mice.MICE(PARTICIPANT_FORMULA, sm.GLM, imputed,
                        init_kwds={"family": sm.families.Binomial()}).fit(
            n_burnin=10, n_imputations=imputations)
    finally:
        np.random.set_state(state)
    names = ["Intercept", *MODEL_VARIABLES, "log_messages_before_session2"]
    conf = np.asarray(fit.conf_int())
    return {"imputations": imputations, "n": int(len(data)), "terms": [
        {"term": name, "estimate": float(fit.params[i]), "ci_low": float(conf[i, 0]),
         "ci_high": float(conf[i, 1]), "odds_ratio": float(np.exp(fit.params[i])),
         "odds_ratio_ci_low": float(np.exp(conf[i, 0])),
         "odds_ratio_ci_high": float(np.exp(conf[i, 1])), "p_value": float(fit.pvalues[i]),
         "n": int(len(data)), "events": int(data["dropout"].sum())}
        for i, name in enumerate(names)]}
