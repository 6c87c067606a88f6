"""The report's sections as HTML, built from results.json; the 03_report notebook shows them."""

from __future__ import annotations

from analysis import codebook
from analysis.privacy import cells
from analysis.report import figures
from analysis.report.catalogue import catalogue, t
from analysis.report.dates import reader_date
from analysis.report.findings import effect, findings, model_table, ratio
from analysis.report.labels import group_label, term_label
from analysis.report.markup import HIDDEN_MARK, Count, heading, paragraph, percent_of_counts, table
from analysis.report.numbers import (
    about_percent,
    number,
    p_phrase,
    p_value,
    percent,
    setting,
    setting_percent,
)


def summary(results: dict, lang: str) -> str:
    f = results["funnel"]
    by_session = " → ".join(str(n) for n in f["attended_by_session"])
    parts = [heading(t("summary_heading", lang)),
             paragraph(t("summary_funnel", lang, registered=f["registered"], enrolled=f["enrolled"],
                         by_session=by_session, completed=f["completed"], dropouts=f["dropouts"],
                         dropout_pct=percent(f["dropouts"], f["enrolled"], lang))),
             paragraph(t("summary_noshow", lang, no_shows=f["no_shows"],
                         intermittent=f["intermittent"])),
             ]
    participant = results["models"]["participant"]
    if len(results["cohort"]["session_dates"]) < 2:
        parts.append(paragraph(t("not_fitted_one_session", lang)))
        return "\n".join(parts)
    if not participant.get("fitted", True):
        parts.append(paragraph(not_fitted_sentence(participant, lang)))
        return "\n".join(parts)
    parts.append(paragraph(t("summary_findings", lang)))
    items = "".join(f"<li>{s}</li>" for s in findings(participant, lang))
    parts.append(f"<ul>{items}</ul>")
    parts.append(paragraph(t("causal_caution", lang)))
    return "\n".join(parts)


def not_fitted_sentence(model: dict, lang: str) -> str:
    """Why a model could not be estimated for this cohort, in words."""
    reason = model["reason"]
    key = f"not_fitted_{reason}"
    if model.get("outcome", "dropout") != "dropout" and f"{key}_other" in catalogue():
        key += "_other"
    return t(key, lang, n=model.get("n", "–"), minimum=model.get("minimum", "–"),
             outcome=codebook.label(model.get("outcome", "dropout"), None, lang))


def attendance(results: dict, lang: str) -> tuple[str, str]:
    """(text before the figure, table after it)."""
    f = results["funnel"]
    after = f["dropouts_after_session"]
    main = max(after, key=lambda s: after[s]) if after else "1"
    text = heading(t("attendance_heading", lang)) + paragraph(t("attendance_text", lang,
                                                                 main_session=main))
    rows = []
    for i, (attended, day) in enumerate(zip(f["attended_by_session"],
                                            results["cohort"]["session_dates"], strict=True), 1):
        rows.append([i, reader_date(day, lang), attended, percent(attended, f["enrolled"], lang),
                     after.get(str(i), "–")])
    header = [t(k, lang) for k in ("col_session", "col_date", "col_attended", "col_share_enrolled",
                                   "col_dropped_after")]
    return text, table(header, rows)


# A breakdown that cannot be shown points to a broader one of the same people, when the report
# shows that one (age classes add up to the age groups under 40 and 40 and over).
COARSER = {"age_class": "age_group"}


def profile(results: dict, lang: str) -> str:
    """Completion by every grouping the unions asked about: age class, sector, federation
    (recruitment channel), district (industrial region), and the target groups. A grouping whose
    completion counts are all hidden is a sentence, not a table (`_all_inner_hidden`)."""
    min_cell = results["parameters"]["min_cell"]
    parts = [heading(t("profile_heading", lang)), paragraph(t("profile_text", lang,
                                                              min_cell=min_cell))]
    header = [t(k, lang) for k in ("col_group", "col_n", "col_completed", "col_dropouts",
                                   "col_completion_rate")]
    tables = {variable: _retention_rows(results, variable, block, lang)
              for variable, block in results["retention"].items()}
    shown = {variable for variable, (_, inner) in tables.items() if not _all_inner_hidden(inner)}
    marks = False
    for variable, block in results["retention"].items():
        rows, _ = tables[variable]
        label = codebook.label(variable, None, lang)
        if variable not in shown:
            coarser = COARSER.get(variable)
            parts.append(paragraph(withheld_sentence(
                results, label, lang, codebook.label(coarser, None, lang)
                if coarser in shown else None)))
            continue  # no test line and no merged-groups note for a table not shown
        parts.append(table(header, rows, caption=label))
        marks = marks or _any_hidden(rows)
        parts.append(_test_line(block["test"], lang, _any_hidden(rows)))
        merged = next((g["merged_from"] for g in block["groups"] if g["merged_from"]), None)
        if merged and len(merged) > 1:
            labels = ", ".join(group_label(variable, m, lang) for m in merged)
            parts.append(paragraph(t("merged_note", lang, groups=labels)))
    if marks or _figures_leave_out(results):
        parts.append(hidden_note(results, lang))
    return "\n".join(parts)


def _retention_rows(results: dict, variable: str, block: dict, lang: str) -> tuple[list, list]:
    """(the table's rows, total row last; its inner counts: completed and dropped out by group)."""
    f = results["funnel"]
    rows, inner = [], []
    for g in block["groups"]:
        n, completed, dropouts = (
            Count(results, cells.retention(results, variable, g["group"], k), g[k])
            for k in cells.RETENTION_COUNTS)
        rows.append([group_label(variable, g["group"], lang), n, completed, dropouts,
                     percent_of_counts(completed, n, lang)])
        inner += [completed, dropouts]
    rows.append([t("total_row", lang), f["enrolled"], f["completed"], f["dropouts"],
                 percent(f["completed"], f["enrolled"], lang)])
    return rows, inner


def _figures_leave_out(results: dict) -> bool:
    """True when a figure after the tables leaves out a group's bar or curve because it would
    show a hidden count: the hidden-count note says why (its last sentence), even when every
    table with a hidden mark became a sentence."""
    for variable, _ in figures.PROFILE_VARIABLES:
        block = results["retention"].get(variable)
        if block and len(figures.visible_groups(results, variable)) < len(block["groups"]):
            return True
    return any(len(figures.visible_curves(results, variable)) < len(block["curves"])
               for variable, block in (results.get("retention_curves") or {}).items())


def age_curve(results: dict, lang: str) -> str:
    """The unions' question about age in a sentence, from the modelled curve (no counts)."""
    if len(results["cohort"]["session_dates"]) < 2:
        return ""
    return age_curve_paragraph(results, lang)


def age_curve_paragraph(results: dict, lang: str) -> str:
    """The age curve's heading and sentence, for a cohort or the pooled report."""
    curve = results.get("age_curve")
    if not curve:
        return ""
    parts = [heading(t("age_curve_heading", lang), 3)]
    if not curve["drawn"]:
        return "\n".join(parts + [paragraph(t(f"age_curve_none_{curve['reason']}", lang))])

    first, last = curve["curve"][0], curve["curve"][-1]
    model = t("age_curve_model", lang) + (t("age_curve_spline", lang, df=curve["spline_df"])
                                          if curve["spline_df"] else "")
    return "\n".join(parts + [paragraph(t(
        "age_curve_text", lang, model=model, n=curve["n"], start=first["age"], end=last["age"],
        start_share=about_percent(first["chance"], lang),
        end_share=about_percent(last["chance"], lang),
        min_cell=results["parameters"]["min_cell"]))])


def hidden_note(results: dict, lang: str) -> str:
    """How a reader sees that a count was hidden, and why."""
    return paragraph(t("hidden_note", lang, mark=HIDDEN_MARK,
                       min_cell=results["parameters"]["min_cell"]))


def _any_hidden(rows) -> bool:
    return any(isinstance(c, Count) and c.hidden for row in rows for c in row)


def _all_inner_hidden(inner, empty_zeros: bool = False) -> bool:
    """True when a table would show none of the counts it is about: the report then says so in
    a sentence (`withheld_sentence`) instead of showing a table of hidden marks, and drops the
    table's test line and notes with it.

    `inner`: the counts the table is about, in its rows of groups: completed and dropped out
    (completion by group), "yes" among completers and among dropouts (follow-up), observed
    dropouts per risk group (calibration), dropouts per reason (why people stopped). Not the
    total row, not the public funnel numbers, and not the group sizes: a column of group sizes
    beside hidden outcomes answers nothing the table was made for.

    The rule: some inner count is hidden and none is shown. A shown zero is shown: in a
    breakdown every row is a group of people who are there, so "nobody in this group dropped
    out" (or "none of these dropouts enrolled") is an answer, and the table stays. Only where
    the rows are a fixed list rather than groups of people (every reason for stopping has a
    row, given or not) is a zero an empty row: `empty_zeros`, and a list of empty rows and
    hidden marks is a sentence too. A table with nothing hidden is always shown, zeros and all.

    The sentence shows less than the table would have: it names no group and states no count,
    and the table's marks would have told a reader as much (that every count it is about is
    hidden)."""
    inner = list(inner)
    shown = [c for c in inner if not c.hidden and (c.value or not empty_zeros)]
    return any(c.hidden for c in inner) and not shown


def withheld_sentence(results: dict, label: str, lang: str, coarser: str | None = None) -> str:
    """A table that cannot be shown in this cohort, in words: which one (its caption), why, and
    where the answer is (the pooled report; `coarser`: a broader table this report shows)."""
    return t("table_withheld", lang, label=label, min_cell=results["parameters"]["min_cell"],
             coarser=t("table_withheld_coarser", lang, label=coarser) if coarser else "")


def _test_line(test: dict, lang: str, hidden: bool = False) -> str:
    """The exact test's p-value, unless the table hides counts: a p-value to three decimals
    and the shown margins can single out the hidden table."""
    if hidden and test.get("p_value") is not None:
        return paragraph(t("test_hidden", lang))
    if test.get("p_value") is None:
        return paragraph(t("test_none", lang))
    name = t(f"test_{test['test'].lower().replace(' ', '_').replace('-', '_')}", lang,
             tables=setting(test.get("resamples", 0), lang))
    return paragraph(t("test_line", lang, test=name, p=p_phrase(test["p_value"], lang)))


def activity(results: dict, lang: str) -> str:
    a = results["activity"]
    by = a["by_outcome"]
    chat = results["quality"].get("chat", {})
    if chat.get("exports", 1) == 0:
        return heading(t("activity_heading", lang)) + paragraph(t("no_chat_export", lang))
    note = ""
    if not a["messages_by_role"].get("participant", 0):
        link = results["quality"]["linkage"]
        note = paragraph(t("no_participant_messages", lang, senders=link["senders"],
                           unmatched=link["unmatched"]))
    return heading(t("activity_heading", lang)) + note + paragraph(t(
        "activity_text", lang, in_chat=a["enrolled_in_chat"], enrolled=results["funnel"]["enrolled"],
        left=a["enrolled_left_group"],
        median_completed=number(by["completed"]["median_messages_before_session2"], lang, 1),
        median_dropout=number(by["dropout"]["median_messages_before_session2"], lang, 1),
        facilitator_messages=a["messages_by_role"].get("facilitator", 0),
        participant_messages=a["messages_by_role"].get("participant", 0)))


def responsiveness(results: dict, lang: str) -> str:
    """How soon facilitators wrote after participants' messages: the part staff can change."""
    r = results.get("responsiveness")
    if not r or not r["participant_messages"]:
        return ""
    by = r["by_outcome"]
    def share(value):
        return "–" if value is None else number(100 * value, lang, 0) + "%"

    parts = [heading(t("responsiveness_heading", lang), 3),
             paragraph(t("responsiveness_text", lang, answered=r["answered_in_time"],
                         hours=number(r["window_hours"], lang, 0),
                         messages=r["participant_messages"],
                         share=percent(r["answered_in_time"], r["participant_messages"], lang),
                         completed=share(by["completed"]["median_share_answered"]),
                         dropout=share(by["dropout"]["median_share_answered"])))]
    rows = [[w["week"], w["participant_messages"], w["answered_in_time"],
             percent(w["answered_in_time"], w["participant_messages"], lang),
             number(w["median_delay_hours"], lang, 1)] for w in r["weekly"]]
    hours = number(r["window_hours"], lang, 0)
    header = [t(k, lang, hours=hours) for k in ("col_week", "col_participant_messages",
                                                "col_answered", "col_answered_share",
                                                "col_median_delay")]
    parts.append(table(header, rows, caption=t("responsiveness_caption", lang)))
    return "\n".join(parts)


def _model_notes(model: dict, lang: str) -> str:
    notes = ""
    if model["method"] != "firth" and model["events_per_parameter"] < model["epv_for_ml"]:
        notes += paragraph(t("epv_warning", lang, epv_for_ml=setting(model["epv_for_ml"], lang)))
    if model["problems"]:
        notes += paragraph(t("problems_line", lang, problems="; ".join(model["problems"])))
    return notes


def specification(model: dict, lang: str) -> str:
    """What went into the model and what was left out, and why, in words."""
    references = model.get("references", {})
    parts = []
    for reason in ("no_variation", "collinear", "all_missing"):
        dropped = [d["term"] for d in model.get("dropped_terms", []) if d["reason"] == reason]
        if dropped:
            labels = ", ".join(term_label(d, lang, references, short=True) for d in dropped)
            parts.append(paragraph(t(f"dropped_{reason}", lang, terms=labels)))
    if model.get("excluded_incomplete"):
        parts.append(paragraph(t("excluded_incomplete", lang, n=model["excluded_incomplete"])))
    return "".join(parts)


def term_tests_table(model: dict, lang: str) -> str:
    """Likelihood-ratio tests per variable, shown when a variable has several levels."""
    tests = model.get("term_tests", [])
    if not any(test["df"] > 1 for test in tests):
        return ""
    references = model.get("references", {})
    rows = [[term_label(x["term"], lang, references, short=True), x["df"],
             number(x["statistic"], lang, 2), p_value(x["p_value"], lang)]
            for x in tests if not x["term"].startswith(("C(session)", "C(cohort)"))]
    header = [t("col_term", lang), "df", "χ²", t("col_p", lang)]
    return table(header, rows, caption=t("table_term_tests", lang))


def _mice(model: dict, lang: str) -> str:
    if not model.get("mice"):
        return ""
    effects = []
    for r, original in zip(model["mice"]["terms"][1:], model["terms"][1:], strict=False):
        values = effect({**r, "term": original["term"]}, "odds_ratio")
        effects.append(f"{term_label(original['term'], lang, model.get('references', {}))}: "
                       f"{number(values[0], lang, 2)} ({number(values[1], lang, 2)}–"
                       f"{number(values[2], lang, 2)})")
    return paragraph(t("mice_text", lang, imputations=model["mice"]["imputations"],
                       n=model["mice"]["n"], effects="; ".join(effects)))


def missing_data(results: dict, lang: str) -> str:
    """Missing values per variable, and what the models did about them."""
    rows = []
    for v, m in results["missingness"].items():
        missing = Count(results, cells.missing(results, v), m["missing"])
        rows.append([codebook.label(v, None, lang), missing,
                     HIDDEN_MARK if missing.hidden else number(100 * m["share"], lang, 1) + "%"])
    excluded = results["models"]["participant"].get("excluded_incomplete", 0)
    return (heading(t("missing_heading", lang), 3) +
            paragraph(t("missing_text", lang, excluded=excluded, mice_threshold=setting_percent(
                results["parameters"]["mice_threshold"], lang))) +
            table([t("col_variable", lang), t("col_missing", lang), "%"], rows) +
            (hidden_note(results, lang) if _any_hidden(rows) else ""))


def _influence(model: dict, lang: str, results: dict) -> str:
    if not model.get("influence"):
        return ""
    lines = []
    for term, v in model["influence"].items():
        lines.append(t("influence_line", lang,
                       term=term_label(term, lang, model.get("references", {})),
                       low=number(ratio(term, v["min_estimate"]), lang, 2),
                       high=number(ratio(term, v["max_estimate"]), lang, 2),
                       flips=v["direction_flips"], refits=v["refits"]))
    method = next(iter(model["influence"].values())).get("method", "exact refits")
    exact_max = setting(results["parameters"]["influence_exact_max"], lang)
    note = paragraph(t("influence_one_step" if method == "one-step approximation"
                       else "influence_exact", lang, exact_max=exact_max))
    return (heading(t("influence_heading", lang), 3) + note +
            "".join(paragraph(line) for line in lines))


def _calibration(model: dict, lang: str, results: dict | None = None) -> str:
    if not model.get("calibration"):
        return ""
    penalised = t("penalised_id", lang) if model["method"] == "firth" else ""
    text = paragraph(t("calibration_text", lang, penalised=penalised))
    rows, observed = [], []
    for g in model["calibration"]:
        n = Count(results or {}, cells.calibration(model, g["group"], "n"), g["n"])
        events = Count(results or {}, cells.calibration(model, g["group"], "events"),
                       round(g["observed"] * g["n"]))
        observed.append(n if n.hidden else events)  # the observed share needs both counts
        rows.append([g["group"], n, number(100 * g["predicted"], lang, 1) + "%",
                     HIDDEN_MARK if events.hidden or n.hidden
                     else number(100 * g["observed"], lang, 1) + "%"])
    predicted = [number(100 * g["predicted"], lang, 1) + "%" for g in model["calibration"]]
    if _all_inner_hidden(observed):  # the check in words: done, what was predicted, not shown
        return text + paragraph(t("calibration_withheld", lang, k=len(rows),
                                  predicted=_and(predicted, lang),
                                  min_cell=results["parameters"]["min_cell"]))
    header = [t(k, lang) for k in ("col_risk_group", "col_n", "col_predicted", "col_observed")]
    note = hidden_note(results, lang) if any(c.hidden for c in observed) else ""
    return text + table(header, rows, caption=t("calibration_caption", lang)) + note


def _and(items: list[str], lang: str) -> str:
    """'a, b and c' / 'a, b dan c'."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t('alt_and', lang)} {items[-1]}"


def method_sentence(model: dict, lang: str) -> str:
    method = t("method_firth" if model["method"] == "firth" else "method_ml", lang)
    return method


def terms_in_words(model: dict, lang: str) -> str:
    """'age 40+, garment sector, WhatsApp messages…': the formula's terms as labels."""
    references = model.get("references", {})
    terms = [term for term in model.get("term_columns", {}) if term != "C(session)"]
    return ", ".join(term_label(term, lang, references, short=True) for term in terms) or "–"


def models(results: dict, lang: str) -> str:
    m = results["models"]
    parts = [heading(t("model_heading", lang))]
    if len(results["cohort"]["session_dates"]) < 2:
        parts.append(paragraph(t("not_fitted_one_session", lang)))
        return "\n".join(parts)
    unfitted = [k for k in ("participant", "hazard_logit") if not m[k].get("fitted", True)]
    for key in unfitted:
        parts.append(paragraph(t(f"model_name_{key}", lang) + ": " +
                               not_fitted_sentence(m[key], lang)))
    if unfitted:
        parts.append(paragraph(t("tables_still_hold", lang)))
    if "participant" not in unfitted:
        parts.append(_participant_model(m["participant"], lang, results))
    if "hazard_logit" not in unfitted:
        parts.append(_hazard_models(m, lang))
    parts.append(paragraph(t("causal_caution", lang)))
    return "\n".join(parts)


def _participant_model(participant: dict, lang: str, results: dict) -> str:
    header = [t("col_term", lang), t("col_or", lang), t("col_ci", lang), t("col_p", lang)]
    parts = [
             paragraph(t("model_text", lang, n=participant["n_people"],
                         events=participant["events"],
                         outcome=codebook.label(participant.get("outcome", "dropout"), None, lang),
                         terms=terms_in_words(participant, lang),
                         method=method_sentence(participant, lang),
                         epv=number(participant["events_per_parameter"], lang, 1))),
             paragraph(t(f"reason_{participant['method_reason']}", lang,
                         epv_for_ml=setting(participant["epv_for_ml"], lang))),
             specification(participant, lang), _model_notes(participant, lang),
             table(header, model_table(participant, lang), caption=t("table_participant", lang)),
             term_tests_table(participant, lang),
             _calibration(participant, lang, results), _influence(participant, lang, results),
             _mice(participant, lang)]
    return "\n".join(parts)


def _hazard_models(m: dict, lang: str) -> str:
    header = [t("col_term", lang), t("col_or", lang), t("col_ci", lang), t("col_p", lang)]
    parts = []
    hazard = m["hazard_logit"]
    parts.append(paragraph(t("hazard_text", lang, rows=hazard["n_rows"],
                             people=hazard["n_people"], events=hazard["events"],
                             terms=terms_in_words(hazard, lang),
                             method=method_sentence(hazard, lang))))
    parts.append(specification(hazard, lang))
    parts.append(_model_notes(hazard, lang))
    parts.append(table(header, model_table(hazard, lang), caption=t("table_hazard_logit", lang)))
    parts.append(term_tests_table(hazard, lang))
    cloglog = m["hazard_cloglog"]
    if not cloglog.get("fitted", True):
        return "\n".join(parts)
    if any("separation" in p for p in cloglog["problems"]):
        # maximum likelihood has no finite answer (e.g. nobody left at a session); Firth's
        # logit model above has: show that instead of a row of "not estimable"
        parts.append(paragraph(t("cloglog_separation", lang)))
        return "\n".join(parts)
    if cloglog["method_reason"] == "firth_needs_logit":
        parts.append(paragraph(t("cloglog_ml_note", lang)))
    header_hr = [t("col_term", lang), t("col_hr", lang), t("col_ci", lang), t("col_p", lang)]
    parts.append(table(header_hr, model_table(cloglog, lang, "hazard_ratio"),
                       caption=t("table_hazard_cloglog", lang)))
    return "\n".join(parts)


def followup_rows(results: dict, variable: str, groups: list[dict], lang: str) -> list[list]:
    """A follow-up table's rows, completers and dropouts: people, yes and the share (the
    cohort report's and the pooled report's)."""
    rows = []
    for g in groups:
        n, yes = (Count(results, cells.followup(results, variable, k, g["group"]), g[k])
                  for k in ("n", "yes"))
        rows.append([t(f"col_{g['group'] if g['group'] == 'completed' else 'dropouts'}", lang),
                     n, yes, percent_of_counts(yes, n, lang)])
    return rows


def followup(results: dict, lang: str) -> str:
    f = results["followup"]
    b, r = f["bpjstk_enrolled"], f["reseller_active"]
    if not b["n_known"] and not r["n_known"]:
        files = results["quality"]["files"]
        key = "followup_blank" if any(k.startswith("followup") for k in files) else "followup_none"
        return heading(t("followup_heading", lang)) + paragraph(t(key, lang))
    yes = {v: Count(results, cells.followup(results, v, "yes"), f[v]["yes"])
           for v in ("bpjstk_enrolled", "reseller_active")}
    parts = [heading(t("followup_heading", lang)), paragraph(t(
        "followup_text", lang, n_bpjstk=b["n_known"], bpjstk=yes["bpjstk_enrolled"],
        reseller=yes["reseller_active"], n_reseller=r["n_known"]))]
    header = [t(k, lang) for k in ("col_group", "col_n", "col_yes", "col_yes_share")]
    anything_hidden = False
    for variable in ("bpjstk_enrolled", "reseller_active"):
        block = f[variable].get("by_completion")
        if not block or not block["n_known"]:
            continue
        rows = followup_rows(results, variable, block["groups"], lang)
        if _all_inner_hidden([row[2] for row in rows]):  # no test line either
            parts.append(paragraph(t("followup_withheld", lang,
                                     label=codebook.label(variable, None, lang),
                                     min_cell=results["parameters"]["min_cell"])))
            continue
        n_known = Count(results, cells.followup(results, variable, "n_known"), block["n_known"])
        rows.append([t("total_row", lang), n_known, yes[variable],
                     percent_of_counts(yes[variable], n_known, lang)])
        parts.append(table(header, rows, caption=codebook.label(variable, None, lang)))
        parts.append(_test_line(block["test"], lang, _any_hidden(rows)))
        anything_hidden = anything_hidden or _any_hidden(rows)
    if anything_hidden or any(c.hidden for c in yes.values()):
        parts.append(hidden_note(results, lang))
    return "\n".join(parts)


def stop_reasons(results: dict, lang: str) -> str:
    """Why dropouts stopped, as they said in the follow-up (CONSORT: losses with reasons).
    A table only when some reason's count can be shown (`_all_inner_hidden`, the rule of every
    table); otherwise a sentence that says why not and where the answer is (the pooled report,
    where counts are larger)."""
    block = results.get("stop_reasons")
    parts = [heading(t("stop_reasons_heading", lang))]
    if not block or not block["available"]:
        return "\n".join(parts + [paragraph(t("stop_reasons_none", lang))])
    if not block["n_dropouts"]:
        return "\n".join(parts + [paragraph(t("stop_reasons_no_dropouts", lang))])
    totals = {k: Count(results, cells.stop_reasons_total(results, k), block[k])
              for k in ("n_known", "n_unknown")}
    parts.append(paragraph(t("stop_reasons_text", lang, n_known=totals["n_known"],
                             n_dropouts=block["n_dropouts"])))
    if not block["n_known"] and not totals["n_known"].hidden:
        return "\n".join(parts)
    rows = [[codebook.label("stop_reason", r["code"], lang),
             Count(results, cells.stop_reason(results, r["code"]), r["n"])]
            for r in block["reasons"]]
    if _all_inner_hidden((count for _, count in rows), empty_zeros=True):
        parts.append(paragraph(t("stop_reasons_all_hidden", lang)))
        if totals["n_known"].hidden:  # the sentence above the table shows its mark
            parts.append(hidden_note(results, lang))
        return "\n".join(parts)
    rows.append([t("stop_reason_not_given", lang), totals["n_unknown"]])
    rows.append([t("total_row", lang), block["n_dropouts"]])
    parts.append(table([t("col_reason", lang), t("col_dropouts", lang)], rows,
                       caption=t("stop_reasons_caption", lang)))
    if any(count.hidden for _, count in rows[:-1] if isinstance(count, Count)):
        parts.append(hidden_note(results, lang))
    return "\n".join(parts)


def appendix(results: dict, provenance: dict, lang: str) -> str:
    q = results["quality"]
    parts = [heading(t("appendix_heading", lang)),
             heading(t("definitions_heading", lang), 3), paragraph(t("definitions", lang)),
             missing_data(results, lang) if "missingness" in results else "",
             heading(t("quality_heading", lang), 3), *quality_summary(q, lang),
             paragraph(t("quality_text", lang))]
    merged = any(e.get("merged") for e in q["files"].values())
    rows = []
    for file, entry in sorted(q["files"].items()):
        reasons = "; ".join(f"{k}: {v}" for k, v in sorted(entry["reasons"].items())) or "–"
        rows.append([file, entry["rows_in"], entry["kept"], entry["quarantined"],
                     *([entry.get("merged", 0)] if merged else []), reasons])
    parts.append(table([t(k, lang) for k in ("col_file", "col_rows_in", "col_kept",
                                             "col_quarantined", *(["col_merged"] if merged else []),
                                             "col_reasons")], rows))
    link = q["linkage"]
    parts.append(paragraph(t("linkage_text", lang, senders=link["senders"],
                             facilitators=link["facilitators"], by_phone=link["matched_by_phone"],
                             by_name=link["matched_by_name"],
                             by_fuzzy=link["matched_by_fuzzy_name"],
                             by_override=link["matched_by_override"], unmatched=link["unmatched"],
                             rate=number(100 * (link["match_rate"] or 0), lang, 1) + "%",
                             duplicates=len(q["duplicates"]))))
    parts.append(heading(t("provenance_heading", lang), 3))
    params = ", ".join(f"{k} = {v}" for k, v in provenance["parameters"].items())
    parts.append(table([t("col_item", lang), t("col_value", lang)], [
        [t("prov_cohort", lang), results["cohort"]["id"]],
        [t("prov_commit", lang), provenance["git_commit"]],
        [t("prov_python", lang), provenance["python"]],
        [t("prov_parameters", lang), params],
        [t("prov_participant_formula", lang), _formula_cell(results["models"]["participant"])],
        [t("prov_hazard_formula", lang), _formula_cell(results["models"]["hazard_logit"])],
        [t("prov_privacy", lang), t("prov_privacy_text", lang)],
    ]))
    parts.append(heading(t("hashes_heading", lang), 3))
    parts.append(table([t("col_file", lang), "SHA-256"],
                       [[f, h] for f, h in sorted(q["raw_file_sha256"].items())]))
    parts.append(heading(t("packages_heading", lang), 3))
    parts.append(table([t("col_item", lang), t("col_value", lang)],
                       [[k, v] for k, v in sorted(provenance["packages"].items())]))
    return "\n".join(parts)


def quality_summary(q: dict, lang: str) -> list[str]:
    """The data-quality summary the build printed (analysis.quality), in the report's words."""
    s = q.get("summary")
    if not s:
        return []

    def share(x) -> str:
        return number(100 * x, lang, 1) + "%"

    if s["exports"]:
        posted = s["participant_messages"] + s["unmatched_messages"]
        parts = [paragraph(t("quality_summary", lang, exports=s["exports"],
                             merged=s["merged_lines"], media=s["media_files"],
                             linked=s["senders_linked"], unmatched=s["senders_unmatched"],
                             messages=s["participant_messages"], posted=posted,
                             share=share(s["linked_message_share"]) if posted else "–"))]
    else:
        parts = [paragraph(t("quality_summary_no_chat", lang))]
    for w in s["warnings"]:
        values = {k: share(v) if k in ("share", "threshold") else v for k, v in w.items()
                  if k != "code"}
        parts.append(paragraph(t(f"quality_warning_{w['code']}", lang, **values)))
    return parts


def _formula_cell(model: dict) -> str:
    used, asked = model["formula"], model.get("formula_requested", model["formula"])
    return used if used == asked else f"{used}  ({asked})"
