"""The pooled and power reports' sections (planning across cohorts), from their results.json.

The pooled report's counts are protected together with every cohort report and every earlier
pooled release (`privacy.joint`); its results.json lists what it hides (`disclosure.hidden`),
so its tables mark up and hide counts as the cohort report's do (`markup.Count`)."""

from __future__ import annotations

from analysis import codebook
from analysis.privacy import cells
from analysis.report.catalogue import t
from analysis.report.findings import effect, findings, finite_effect, model_table, shown_terms
from analysis.report.labels import group_label, term_label
from analysis.report.markup import HIDDEN_MARK, Count, heading, paragraph, percent_of_counts, table
from analysis.report.numbers import (
    about_percent,
    number,
    p_phrase,
    percent,
    setting,
    setting_percent,
)
from analysis.report.sections import (
    _all_inner_hidden,
    _any_hidden,
    _retention_rows,
    followup_rows,
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
    parts.append(_clustered_model(pooled, lang))
    return "\n".join(parts)


def _term_of(model: dict, column: str) -> str | None:
    """The formula term a coefficient belongs to ('C(sector)' for 'C(sector)[T.garment]')."""
    return next((term for term, columns in model["term_columns"].items() if column in columns),
                None)


def _agreement(pooled: dict, term: str | None, lang: str) -> str:
    found = (pooled.get("agreement") or {}).get(term)
    if not found or found["p_value"] is None:
        return t("pooled_agreement_untested", lang)
    key = ("pooled_differ" if found["p_value"] < pooled["parameters"]["significance"]
           else "pooled_agree")
    return t(key, lang, p=p_phrase(found["p_value"], lang))


def what_we_know(pooled: dict, lang: str) -> str:
    """The report's first section: each finding with its interval, the people and cohorts
    behind it and whether the cohorts agree; the age curve in a sentence; what rests on what."""
    f, model = pooled["funnel"], pooled["model"]
    k = len(pooled["cohorts"])
    titles = ", ".join(c["title"][lang] for c in pooled["cohorts"])
    parts = [heading(t("pooled_known_heading", lang)),
             paragraph(t("pooled_known_text", lang, n=f["enrolled"], k=k, cohorts=titles,
                         completed=f["completed"], dropouts=f["dropouts"],
                         dropout_pct=percent(f["dropouts"], f["enrolled"], lang)))]
    if not model.get("fitted", True):
        from analysis.report.sections import not_fitted_sentence

        parts.append(paragraph(t("pooled_known_not_fitted", lang,
                                 reason=not_fitted_sentence(model, lang))))
    else:
        items = []
        for row in shown_terms(model):
            if not finite_effect(row, "odds_ratio"):
                continue
            ratio, low, high = effect(row, "odds_ratio")
            sentence = t("pooled_known_finding", lang,
                         label=term_label(row["term"], lang, model.get("references", {})),
                         odds_ratio=number(ratio, lang, 2), low=number(low, lang, 2),
                         high=number(high, lang, 2), p=p_phrase(row["p_value"], lang),
                         n=row["n"], k=k,
                         agreement=_agreement(pooled, _term_of(model, row["term"]), lang))
            if low <= 1 <= high:
                sentence += t("pooled_known_unclear", lang)
            items.append(f"<li>{paragraph(sentence)[3:-4]}</li>")
        curve = pooled.get("age_curve") or {}
        if curve.get("drawn"):
            first, last = curve["curve"][0], curve["curve"][-1]
            items.append("<li>" + paragraph(t(
                "pooled_known_age", lang, start=first["age"], end=last["age"],
                start_share=about_percent(first["chance"], lang),
                end_share=about_percent(last["chance"], lang)))[3:-4] + "</li>")
        parts.append(f"<ul>{''.join(items)}</ul>")
        minimum = pooled["parameters"]["random_intercept_min_cohorts"]
        clustered = (t("pooled_known_clustered", lang, k=k) if pooled.get("clustered_model")
                     else t("pooled_known_unclustered", lang, k=minimum))
        parts.append(paragraph(t("pooled_known_rests", lang, clustered=clustered)))
    parts.append(paragraph(t("causal_caution_pooled", lang)))
    return "\n".join(parts)


def _clustered_model(pooled: dict, lang: str) -> str:
    gee = pooled.get("clustered_model")
    if not gee:
        return ""
    if not gee.get("fitted"):
        return heading(t("gee_heading", lang), 3) + paragraph(t("gee_not_fitted", lang))
    header = [t("col_term", lang), t("col_or", lang), t("col_ci", lang), t("col_p", lang)]
    return "\n".join([
        heading(t("gee_heading", lang), 3),
        paragraph(t("gee_text", lang, clusters=gee["clusters"], n=gee["n_people"],
                    events=gee["events"])),
        table(header, model_table(gee, lang, include_sessions=False),
              caption=t("table_gee", lang))])


def _inner_hidden(rows) -> bool:
    """The cohort report's rule (`sections._all_inner_hidden`) on a two-column table of groups
    (follow-up by completion): its inner counts are the "yes" of its group rows."""
    return _all_inner_hidden([row[2] for row in rows[:-1]])


def pooled_breakdowns(pooled: dict, lang: str) -> str:
    """Completion by every grouping of the cohort reports, over all cohorts (no test: the
    cohorts' baselines differ; the model compares within cohorts)."""
    min_cell = pooled["parameters"]["min_cell"]
    parts = [heading(t("pooled_breakdowns_heading", lang)),
             paragraph(t("pooled_breakdowns_text", lang, min_cell=min_cell))]
    header = [t(k, lang) for k in ("col_group", "col_n", "col_completed", "col_dropouts",
                                   "col_completion_rate")]
    any_hidden = False
    for variable, block in pooled["retention"].items():
        rows, inner = _retention_rows(pooled, variable, block, lang)
        label = codebook.label(variable, None, lang)
        if _all_inner_hidden(inner):
            parts.append(paragraph(t("pooled_table_withheld", lang, label=label)))
            continue
        any_hidden = any_hidden or _any_hidden(rows)
        parts.append(table(header, rows, caption=label))
        merged = next((g["merged_from"] for g in block["groups"] if g["merged_from"]), None)
        if merged and len(merged) > 1:
            labels = ", ".join(group_label(variable, m, lang) for m in merged)
            parts.append(paragraph(t("merged_note", lang, groups=labels)))
    if any_hidden:
        parts.append(_hidden_note(pooled, lang))
    return "\n".join(parts)


def _hidden_note(pooled: dict, lang: str) -> str:
    return paragraph(t("hidden_note", lang, mark=HIDDEN_MARK,
                       min_cell=pooled["parameters"]["min_cell"]))


def pooled_age_curve(pooled: dict, lang: str) -> str:
    """The chance of completing by age over every cohort, in a sentence (the figure follows)."""
    from analysis.report.sections import age_curve_paragraph

    return age_curve_paragraph(pooled, lang)


def pooled_curves_note(pooled: dict, lang: str) -> str:
    """Why no curve by group is drawn (empty when one is): the cohorts' numbers of sessions
    differ, or every curve would show or give away a hidden count."""
    from analysis.report.figures import any_curve_drawn

    lengths = sorted({c["sessions"] for c in pooled["cohorts"]})
    if pooled.get("retention_curves"):
        if any_curve_drawn(pooled):
            return ""
        return paragraph(t("pooled_group_curves_hidden", lang,
                           min_cell=pooled["parameters"]["min_cell"]))
    if len(lengths) < 2:
        return ""
    return paragraph(t("pooled_no_group_curves", lang,
                       sessions=", ".join(str(n) for n in lengths)))


def pooled_followup(pooled: dict, lang: str) -> str:
    f = pooled["followup"]
    parts = [heading(t("pooled_followup_heading", lang))]
    known = {v: f[v]["n_known"] for v in ("bpjstk_enrolled", "reseller_active") if v in f}
    if not any(known.values()):
        return "\n".join(parts + [paragraph(t("pooled_followup_none", lang))])
    yes = {v: Count(pooled, cells.followup(pooled, v, "yes"), f[v]["yes"]) for v in known}
    n_known = {v: Count(pooled, cells.followup(pooled, v, "n_known"), f[v]["n_known"])
               for v in known}
    if set(known) == {"bpjstk_enrolled", "reseller_active"}:
        parts.append(paragraph(t("pooled_followup_text", lang,
                                 n_bpjstk=n_known["bpjstk_enrolled"],
                                 bpjstk=yes["bpjstk_enrolled"],
                                 reseller=yes["reseller_active"],
                                 n_reseller=n_known["reseller_active"])))
    header = [t(k, lang) for k in ("col_group", "col_n", "col_yes", "col_yes_share")]
    any_hidden = False
    for variable in known:
        if not known[variable]:
            continue
        rows = followup_rows(pooled, variable, f[variable]["by_completion"]["groups"], lang)
        rows.append([t("total_row", lang), n_known[variable], yes[variable],
                     percent_of_counts(yes[variable], n_known[variable], lang)])
        label = codebook.label(variable, None, lang)
        if _inner_hidden(rows):
            parts.append(paragraph(t("pooled_table_withheld", lang, label=label)))
            continue
        any_hidden = any_hidden or _any_hidden(rows)
        parts.append(table(header, rows, caption=label))
    if any_hidden:
        parts.append(_hidden_note(pooled, lang))
    return "\n".join(parts)


def pooled_stop_reasons(pooled: dict, lang: str) -> str:
    block = pooled["stop_reasons"]
    parts = [heading(t("stop_reasons_heading", lang))]
    if not block["available"]:
        return "\n".join(parts + [paragraph(t("pooled_stop_reasons_none", lang))])
    if not block["n_dropouts"]:
        return "\n".join(parts + [paragraph(t("stop_reasons_no_dropouts", lang))])
    titles = {c["cohort"]: c["title"][lang] for c in pooled["cohorts"]}
    totals = {k: Count(pooled, cells.stop_reasons_total(pooled, k), block[k])
              for k in ("n_known", "n_unknown")}
    parts.append(paragraph(t("pooled_stop_reasons_text", lang,
                             cohorts=", ".join(titles[c] for c in block["cohorts"]),
                             n_known=totals["n_known"], n_dropouts=block["n_dropouts"])))
    rows = [[codebook.label("stop_reason", r["code"], lang),
             Count(pooled, cells.stop_reason(pooled, r["code"]), r["n"])]
            for r in block["reasons"]]
    if all(count.hidden or not count.value for _, count in rows):
        return "\n".join(parts + [paragraph(t("pooled_stop_reasons_all_hidden", lang))])
    rows.append([t("stop_reason_not_given", lang), totals["n_unknown"]])
    rows.append([t("total_row", lang), block["n_dropouts"]])
    parts.append(table([t("col_reason", lang), t("col_dropouts", lang)], rows,
                       caption=t("stop_reasons_caption", lang)))
    if any(isinstance(c, Count) and c.hidden for r in rows for c in r):
        parts.append(_hidden_note(pooled, lang))
    return "\n".join(parts)


def pooled_protection(pooled: dict, lang: str) -> str:
    """How the pooled counts are protected against every report a reader can hold."""
    control = pooled["disclosure"]
    return heading(t("pooled_protection_heading", lang)) + paragraph(t(
        "pooled_protection_text", lang, release=control["release"],
        k=len(control["protected_with"]), min_cell=pooled["parameters"]["min_cell"],
        mark=HIDDEN_MARK))


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
