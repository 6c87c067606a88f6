"""The pooled and power reports' sections (planning across cohorts), from their results.json."""

from __future__ import annotations

from analysis.report.catalogue import t
from analysis.report.findings import findings, model_table
from analysis.report.labels import term_label
from analysis.report.markup import heading, paragraph, table
from analysis.report.numbers import number, p_phrase, setting, setting_percent
from analysis.report.sections import (
    method_sentence,
    not_fitted_sentence,
    specification,
    term_tests_table,
    terms_in_words,
)


def pooled_summary(pooled: dict, lang: str) -> str:
    rows = [[c["title"][lang], c["registered"], c["enrolled"], c["completed"], c["dropouts"]]
            for c in pooled["cohorts"]]
    header = [t(k, lang) for k in ("pooled_col_cohort", "funnel_registered", "col_n",
                                   "col_completed", "col_dropouts")]
    return (heading(t("pooled_heading", lang)) + paragraph(t("pooled_text", lang,
                                                             k=len(pooled["cohorts"]))) +
            table(header, rows))


def pooled_model(pooled: dict, lang: str) -> str:
    model = pooled["model"]
    if not model.get("fitted", True):  # e.g. nobody dropped out of any cohort
        return (heading(t("pooled_model_heading", lang)) +
                paragraph(not_fitted_sentence(model, lang)))
    header = [t("col_term", lang), t("col_or", lang), t("col_ci", lang), t("col_p", lang)]
    parts = [heading(t("pooled_model_heading", lang)),
             paragraph(t("pooled_model_text", lang, n=model["n_people"], events=model["events"],
                         terms=terms_in_words({**model, "term_columns": {
                             k: v for k, v in model["term_columns"].items() if k != "C(cohort)"}},
                             lang),
                         method=method_sentence(model, lang))),
             specification(model, lang),
             table(header, model_table(model, lang, include_sessions=False),
                   caption=t("table_participant", lang)),
             term_tests_table(model, lang)]
    items = "".join(f"<li>{s}</li>" for s in findings(model, lang))
    parts.append(f"<ul>{items}</ul>")
    het = pooled["heterogeneity"]
    if het and het["p_value"] is not None:
        parts.append(paragraph(t("heterogeneity_text", lang, statistic=number(het["statistic"],
                                                                               lang, 2),
                                 df=het["df"], p=p_phrase(het["p_value"], lang))))
    parts.append(paragraph(t("causal_caution_pooled", lang)))
    return "\n".join(parts)


def power(planning: dict, lang: str) -> str:
    """How many participants the next cohort needs, per effect, from the simulated power."""
    terms = list(planning["needed"])
    parts = [heading(t("power_heading", lang)),
             paragraph(t("power_text", lang, formula=planning["formula"],
                         replications=planning["curve"][0]["replications"],
                         significance=setting(planning["significance"], lang)))]
    for term, needed in planning["needed"].items():
        parts.append(paragraph(t("power_answer", lang, label=term_label(term, lang, short=True),
                                 odds_ratio=number(planning["odds_ratios"][term], lang, 2),
                                 power=number(100 * planning["target_power"], lang, 0),
                                 n=needed if needed else t("power_beyond", lang))))
    sizes = sorted({row["participants"] for row in planning["curve"]})
    by = {(r["term"], r["participants"]): r["power"] for r in planning["curve"]}
    rows = [[n] + [number(100 * by[(term, n)], lang, 0) + "%" for term in terms] for n in sizes]
    header = [t("power_col_n", lang)] + [t("power_col_term", lang, label=term_label(
        term, lang, short=True)) for term in terms]
    parts.append(table(header, rows))
    parts.append(paragraph(t("power_caution", lang)))
    return "\n".join(parts)


def power_caption(planning: dict, lang: str) -> str:
    """The power figure's caption, with the target power the run set."""
    return t("power_caption", lang, target=setting_percent(planning["target_power"], lang))
