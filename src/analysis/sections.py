"""The report's sections as HTML, built from results.json; the 03_report notebook shows them."""

from __future__ import annotations

from . import codebook
from .report import (
    count,
    effect,
    findings,
    group_label,
    heading,
    model_table,
    number,
    p_phrase,
    paragraph,
    percent,
    ratio,
    t,
    table,
    term_label,
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
             paragraph(t("summary_findings", lang))]
    items = "".join(f"<li>{s}</li>" for s in findings(results["models"]["participant"], lang))
    parts.append(f"<ul>{items}</ul>")
    parts.append(paragraph(t("causal_caution", lang)))
    return "\n".join(parts)


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
        rows.append([i, day, attended, percent(attended, f["enrolled"], lang),
                     after.get(str(i), "–")])
    header = [t(k, lang) for k in ("col_session", "col_date", "col_attended", "col_share_enrolled",
                                   "col_dropped_after")]
    return text, table(header, rows)


def profile(results: dict, lang: str) -> str:
    min_cell = results["parameters"]["min_cell"]
    parts = [heading(t("profile_heading", lang)), paragraph(t("profile_text", lang,
                                                              min_cell=min_cell))]
    header = [t(k, lang) for k in ("col_group", "col_n", "col_completed", "col_dropouts",
                                   "col_completion_rate")]
    for variable, block in results["retention"].items():
        rows = []
        for g in block["groups"]:
            shown = g["n"] >= min_cell
            rows.append([group_label(variable, g["group"], lang), count(g["n"], min_cell),
                         count(g["completed"], min_cell), count(g["dropouts"], min_cell),
                         number(100 * g["completion_rate"], lang, 1) + "%" if shown else "–"])
        parts.append(table(header, rows, caption=codebook.label(variable, None, lang)))
        test = block["test"]
        if test["p_value"] is not None:
            parts.append(paragraph(t("test_line", lang, test=test["test"],
                                     p=p_phrase(test["p_value"], lang))))
        merged = next((g["merged_from"] for g in block["groups"] if g["merged_from"]), None)
        if merged and len(merged) > 1:
            labels = ", ".join(group_label(variable, m, lang) for m in merged)
            parts.append(paragraph(t("merged_note", lang, groups=labels)))
    return "\n".join(parts)


def activity(results: dict, lang: str) -> str:
    a = results["activity"]
    by = a["by_outcome"]
    return heading(t("activity_heading", lang)) + paragraph(t(
        "activity_text", lang, in_chat=a["enrolled_in_chat"], enrolled=results["funnel"]["enrolled"],
        left=a["enrolled_left_group"],
        median_completed=number(by["completed"]["median_messages_before_session2"], lang, 1),
        median_dropout=number(by["dropout"]["median_messages_before_session2"], lang, 1),
        facilitator_messages=a["messages_by_role"].get("facilitator", 0),
        participant_messages=a["messages_by_role"].get("participant", 0)))


def _model_notes(model: dict, lang: str) -> str:
    notes = ""
    if model["events_per_parameter"] < 10:
        notes += paragraph(t("epv_warning", lang))
    if model["problems"]:
        notes += paragraph(t("problems_line", lang, problems="; ".join(model["problems"])))
    return notes


def _mice(model: dict, lang: str) -> str:
    if not model.get("mice"):
        return ""
    effects = "; ".join(
        f"{term_label(r['term'], lang)}: {number(effect(r, 'odds_ratio')[0], lang, 2)} "
        f"({number(effect(r, 'odds_ratio')[1], lang, 2)}–{number(effect(r, 'odds_ratio')[2], lang, 2)})"
        for r in model["mice"]["terms"] if r["term"] != "Intercept")
    return paragraph(t("mice_text", lang, imputations=model["mice"]["imputations"],
                       n=model["mice"]["n"], effects=effects))


def missing_data(results: dict, lang: str) -> str:
    """Missing values per variable, and what the models did about them."""
    rows = [[codebook.label(v, None, lang), m["missing"],
             number(100 * m["share"], lang, 1) + "%"]
            for v, m in results["missingness"].items()]
    excluded = results["models"]["participant"].get("excluded_incomplete", 0)
    return (heading(t("missing_heading", lang), 3) +
            paragraph(t("missing_text", lang, excluded=excluded)) +
            table([t("col_variable", lang), t("col_missing", lang), "%"], rows))


def _influence(model: dict, lang: str) -> str:
    if not model.get("influence"):
        return ""
    lines = []
    for term, v in model["influence"].items():
        lines.append(t("influence_line", lang, term=term_label(term, lang),
                       low=number(ratio(term, v["min_estimate"]), lang, 2),
                       high=number(ratio(term, v["max_estimate"]), lang, 2),
                       flips=v["direction_flips"], refits=v["refits"]))
    return heading(t("influence_heading", lang), 3) + "".join(paragraph(line) for line in lines)


def _calibration(model: dict, lang: str) -> str:
    if not model.get("calibration"):
        return ""
    penalised = t("penalised_id", lang) if model["method"] == "firth" else ""
    rows = [[g["group"], g["n"], number(100 * g["predicted"], lang, 1) + "%",
             number(100 * g["observed"], lang, 1) + "%"] for g in model["calibration"]]
    header = [t(k, lang) for k in ("col_risk_group", "col_n", "col_predicted", "col_observed")]
    return (paragraph(t("calibration_text", lang, penalised=penalised)) +
            table(header, rows, caption=t("calibration_caption", lang)))


def models(results: dict, lang: str) -> str:
    m = results["models"]
    participant = m["participant"]
    header = [t("col_term", lang), t("col_or", lang), t("col_ci", lang), t("col_p", lang)]
    parts = [heading(t("model_heading", lang)),
             paragraph(t("model_text", lang, n=participant["n_people"],
                         events=participant["events"],
                         method=t("method_firth" if participant["method"] == "firth"
                                  else "method_ml", lang),
                         epv=number(participant["events_per_parameter"], lang, 1))),
             paragraph(t(f"reason_{participant['method_reason']}", lang))
             if "method_reason" in participant else "",
             _model_notes(participant, lang) if participant["method"] != "firth" else "",
             table(header, model_table(participant, lang), caption=t("table_participant", lang)),
             _calibration(participant, lang), _influence(participant, lang),
             _mice(participant, lang)]
    hazard = m["hazard_logit"]
    parts.append(paragraph(t("hazard_text", lang, rows=hazard["n_rows"],
                             people=hazard["n_people"], events=hazard["events"])))
    parts.append(_model_notes(hazard, lang))
    parts.append(table(header, model_table(hazard, lang), caption=t("table_hazard_logit", lang)))
    header_hr = [t("col_term", lang), t("col_hr", lang), t("col_ci", lang), t("col_p", lang)]
    parts.append(table(header_hr, model_table(m["hazard_cloglog"], lang, "hazard_ratio"),
                       caption=t("table_hazard_cloglog", lang)))
    parts.append(paragraph(t("causal_caution", lang)))
    return "\n".join(parts)


def followup(results: dict, lang: str) -> str:
    f = results["followup"]
    min_cell = results["parameters"]["min_cell"]
    b, r = f["bpjstk_enrolled"], f["reseller_active"]
    return heading(t("followup_heading", lang)) + paragraph(t(
        "followup_text", lang, n_bpjstk=b["n_known"], bpjstk=count(b["yes"], min_cell),
        reseller=count(r["yes"], min_cell), n_reseller=r["n_known"]))


def appendix(results: dict, provenance: dict, lang: str) -> str:
    q = results["quality"]
    parts = [heading(t("appendix_heading", lang)),
             heading(t("definitions_heading", lang), 3), paragraph(t("definitions", lang)),
             missing_data(results, lang) if "missingness" in results else "",
             heading(t("quality_heading", lang), 3), paragraph(t("quality_text", lang))]
    rows = []
    for file, entry in sorted(q["files"].items()):
        reasons = "; ".join(f"{k}: {v}" for k, v in sorted(entry["reasons"].items())) or "–"
        rows.append([file, entry["rows_in"], entry["kept"], entry["quarantined"], reasons])
    parts.append(table([t(k, lang) for k in ("col_file", "col_rows_in", "col_kept",
                                             "col_quarantined", "col_reasons")], rows))
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
        [t("prov_privacy", lang), t("prov_privacy_text", lang)],
    ]))
    parts.append(heading(t("hashes_heading", lang), 3))
    parts.append(table([t("col_file", lang), "SHA-256"],
                       [[f, h] for f, h in sorted(q["raw_file_sha256"].items())]))
    parts.append(heading(t("packages_heading", lang), 3))
    parts.append(table([t("col_item", lang), t("col_value", lang)],
                       [[k, v] for k, v in sorted(provenance["packages"].items())]))
    return "\n".join(parts)
