"""Models: from a formula to a fit (`design`, `fit`), how far to trust it (`inference`),
descriptive tables (`descriptive`), missing data (`missing`) and discrete-time hazards (`hazard`).

The formulas are the researcher's (notebook parameters or cohort.yml); these modules work for
whatever terms a formula has.
"""

from analysis.models.descriptive import group_test, outcome_by_completion, retention_by, retention_curves
from analysis.models.design import MIN_PEOPLE, Design, ModelSpecError, build
from analysis.models.fit import (
    EPV_FOR_ML,
    LINKS,
    ModelFit,
    calibration,
    fit_design,
    glm,
    not_estimable,
    summary,
    term_tests,
    terms_table,
    tidy,
)
from analysis.models.hazard import discrete_hazard, person_period
from analysis.models.inference import drop_term, influence, likelihood_ratio
from analysis.models.missing import mice_sensitivity, missingness, needs_imputation
from analysis.terms import parse_terms

__all__ = [
    "EPV_FOR_ML", "LINKS", "MIN_PEOPLE", "Design", "ModelFit", "ModelSpecError", "build", "calibration",
    "discrete_hazard", "drop_term", "fit_design", "glm", "group_test", "influence",
    "likelihood_ratio", "mice_sensitivity", "missingness", "needs_imputation", "not_estimable",
    "outcome_by_completion", "parse_terms", "person_period", "retention_by", "retention_curves", "summary",
    "term_tests", "terms_table", "tidy",
]
