"""From a formula a researcher wrote to the rows and columns a model is fitted on.

The formula is checked before anything is fitted, and every problem is said in one line: a
syntax error, a variable the table does not have (with the ones it does), too few people or
no events. Rows missing a value in *this formula's* variables are the complete-case exclusions,
counted. A term with no variation in the cohort (everyone under 40, one sector), or one that
other terms already determine, is dropped and recorded, so the report can say so.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import patsy

from analysis import codebook
from analysis.errors import ModelSpecError, NotEstimable
from analysis.terms import FUNCTIONS, names_in, parse  # the one parser of formulas and terms

MIN_PEOPLE = 10  # fewer people than this with complete data: no model is worth fitting


@dataclass
class Design:
    """The fitted rows and columns of one model, and what was left out of it and why."""

    name: str  # the parameter the formula came from, e.g. "participant_formula"
    formula_requested: str
    formula: str  # after dropping terms with no variation
    outcome: str
    y: np.ndarray
    X: pd.DataFrame  # columns named as the coefficients
    term_columns: dict[str, list[str]]  # patsy term -> its coefficient columns
    variables: list[str]
    references: dict[str, str]  # categorical variable -> the level its terms are compared with
    groups: np.ndarray  # person of each row (several rows per person in a hazard model)
    excluded_incomplete: int  # people left out for a missing value in this formula's variables
    dropped_terms: list[dict] = field(default_factory=list)
    design_info: object = None  # patsy's, to build the same columns for other rows

    @property
    def n_people(self) -> int:
        return int(len(np.unique(self.groups)))

    @property
    def events(self) -> int:
        return int(self.y.sum())


def check_variables(formula: str, frame: pd.DataFrame, name: str = "formula") -> list[str]:
    """The formula's variables, all of which the table must have."""
    outcome, _, variables = parse(formula, name)
    available = sorted(c for c in frame.columns if not c.startswith("attended_session_"))
    for variable in [outcome, *variables]:
        if variable not in frame.columns:
            close = difflib.get_close_matches(variable, available, n=1, cutoff=0.7)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise ModelSpecError(f"{name}: unknown variable `{variable}` in '{formula}'{hint}. "
                                 f"Variables available: {', '.join(available)}")
    values = frame[outcome].dropna()
    if not values.isin([0, 1]).all():
        raise ModelSpecError(f"{name}: the outcome `{outcome}` must be 0/1 (e.g. dropout or "
                             "completed)")
    return variables


def build(formula: str, frame: pd.DataFrame, name: str = "formula",
          group: str = "participant_id", min_people: int = MIN_PEOPLE) -> Design:
    """Check the formula against `frame` (a model-ready table) and build its design."""
    variables = check_variables(formula, frame, name)
    outcome, terms, _ = parse(formula, name)
    if frame.empty:
        raise NotEstimable(f"{name}: the table has no rows: there is nothing to model",
                           "no_rows")
    # a variable nobody has (every age blank) leaves its terms out, not every person
    blank = [v for v in variables if frame[v].isna().all()]
    dropped_blank = [{"term": t.name(), "reason": "all_missing"} for t in terms
                     if any(v in blank for f in t.factors for v in names_in(f.code))]
    terms = [t for t in terms if t.name() not in {d["term"] for d in dropped_blank}]
    variables = [v for v in variables if any(v in names_in(f.code) for t in terms
                                             for f in t.factors)]
    used = [outcome, *variables]
    complete = frame.dropna(subset=used)
    groups = frame[group] if group in frame else pd.Series(range(len(frame)))
    excluded = int(groups.nunique() - groups[complete.index].nunique())
    complete = complete.copy()
    for variable in variables:  # a level nobody in these rows has is no column of the model
        if isinstance(complete[variable].dtype, pd.CategoricalDtype):
            complete[variable] = complete[variable].cat.remove_unused_categories()
    people = groups[complete.index].nunique()
    if people < min_people:
        raise NotEstimable(
            f"{name}: '{formula}' leaves {people} people with complete data (fewer than "
            f"{min_people}); {excluded} have a missing value in {', '.join(used)}",
            "too_few_people", n=int(people), minimum=min_people, excluded=excluded)
    events = int(complete[outcome].sum())
    if events == 0 or events == len(complete):
        which = "no" if events == 0 else "only"
        raise NotEstimable(f"{name}: `{outcome}` is {which} 1 among the {people} people with "
                           f"complete data: there is nothing to model",
                           "no_events" if events == 0 else "all_events", n=int(people))
    with np.errstate(all="ignore"):
        design = _build_checked(formula, name, outcome, terms, complete, variables, groups,
                                excluded)
    design.dropped_terms = dropped_blank + design.dropped_terms
    return design


def _build_checked(formula, name, outcome, terms, complete, variables, groups,
                   excluded) -> Design:
    try:
        y, X = patsy.dmatrices(patsy.ModelDesc([patsy.Term([patsy.EvalFactor(outcome)])], terms),
                               complete, eval_env=patsy.EvalEnvironment([FUNCTIONS]),
                               NA_action="raise", return_type="dataframe")
    except patsy.PatsyError as exc:
        raise ModelSpecError(f"{name}: cannot build '{formula}': "
                             f"{str(exc).splitlines()[0]}") from None
    if not np.isfinite(X.to_numpy()).all():
        raise ModelSpecError(f"{name}: a term of '{formula}' is not finite for some people "
                             "(e.g. the log of 0: use np.log1p)")
    references = _references(X.design_info)
    kept, dropped, term_columns = _drop_uninformative(X)
    kept_terms = [t for t in terms if t.name() in term_columns or t.name() == "Intercept"]
    right = " + ".join(t.name() for t in kept_terms if t.name() != "Intercept") or "1"
    if not any(t.name() == "Intercept" for t in terms):
        right += " - 1"
    return Design(
        name=name, formula_requested=formula, formula=f"{outcome} ~ {right}", outcome=outcome,
        y=y.iloc[:, 0].to_numpy(dtype=float), X=X[kept], term_columns=term_columns,
        variables=variables, references=references,
        groups=groups[complete.index].to_numpy(), excluded_incomplete=excluded,
        dropped_terms=dropped, design_info=X.design_info)


def _references(info) -> dict[str, str]:
    """The level each categorical variable's terms are compared with: the first of its levels
    (the codebook's `reference:` comes first), or the one a `Treatment('...')` names."""
    references = {}
    for factor, factor_info in info.factor_infos.items():
        variable = names_in(factor.code)
        if factor_info.type != "categorical" or len(variable) != 1 or not factor_info.categories:
            continue
        first = str(factor_info.categories[0])
        named = re.search(r"Treatment\(\s*(?:reference\s*=\s*)?['\"]([^'\"]+)['\"]", factor.code)
        first = named.group(1) if named else first
        references.setdefault(variable.pop(), codebook.yes_no_code(first))
    return references


def _drop_uninformative(X: pd.DataFrame):
    """Terms whose columns do not vary, or that earlier terms already determine, are dropped."""
    info = X.design_info
    kept: list[str] = []
    dropped: list[dict] = []
    term_columns: dict[str, list[str]] = {}
    rank = 0
    for term, columns in info.term_slices.items():
        names = list(X.columns[columns])
        if term.name() == "Intercept":
            kept += names
            rank = np.linalg.matrix_rank(X[kept].to_numpy())
            continue
        values = X[names].to_numpy()
        if not names or np.ptp(values, axis=0).max() == 0:
            dropped.append({"term": term.name(), "reason": "no_variation"})
            continue
        new_rank = np.linalg.matrix_rank(X[kept + names].to_numpy())
        if new_rank < rank + len(names):
            dropped.append({"term": term.name(), "reason": "collinear"})
            continue
        kept += names
        rank = new_rank
        term_columns[term.name()] = names
    return kept, dropped, term_columns
