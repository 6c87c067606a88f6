"""Labels of model terms and of the groups they compare, in the reader's language, from the
codebook: any formula's terms get a label, and what cannot be read is shown as written, so no
formula makes the report fail."""

from __future__ import annotations

import re

from analysis import codebook, terms
from analysis.report.catalogue import catalogue, t

ACTIVITY_TERMS = ("log_messages_before_session2", "log_messages_before_session")


def group_label(variable: str, code: str, lang: str) -> str:
    if code == "missing":
        return t("missing_label", lang)
    if code in ("yes", "no"):
        return t(f"group_{code}", lang)
    text = codebook.label(variable, code, lang)
    return t("other_group", lang) if text == "other" else text


def is_log_term(term: str) -> bool:
    """A log-transformed activity term: its ratio is shown per doubling of (1 + messages)."""
    return any(p in ACTIVITY_TERMS or terms.log_of(p) for p in terms.factors_of(term))


def _part_label(part: str, lang: str, references: dict, short: bool) -> str:
    level = terms.level_of(part)
    if level:
        code, value = level
        variable = terms.variable_of(code)
        if variable == "session":
            return t("term_session", lang, n=value)
        if variable is None:
            return part
        value = codebook.yes_no_code(value)
        text = f"{codebook.label(variable, None, lang)}: {group_label(variable, value, lang)}"
        reference = references.get(variable)
        if reference is not None and not short:
            text += " " + t("versus", lang, reference=group_label(variable, reference, lang))
        return text
    variable = terms.variable_of(part)
    if variable is not None:
        key = f"term_{variable}"
        if key in catalogue() and (not short or variable in ACTIVITY_TERMS):
            return t(key, lang)  # activity terms always say "per doubling": so do their ratios
        return codebook.label(variable, None, lang)
    log = terms.log_of(part)
    if log:
        fn, inner = log
        label = codebook.label(inner, None, lang)
        return t("term_log1p" if fn == "log1p" else "term_log", lang, label=label)
    # any other expression: as written, with known variable names replaced by their labels
    return re.sub(r"[A-Za-z_]\w*", lambda m: codebook.label(m.group(0), None, lang)
                  if m.group(0) in codebook.load_codebook()["variables"] else m.group(0), part)


def term_label(term: str, lang: str, references: dict | None = None, short: bool = False) -> str:
    """'C(federation)[T.fsp_lem]' -> 'Federasi serikat pekerja: FSP LEM (…) (vs. FSP TSK (…))'.

    `short` leaves out the comparison, for figures and term names."""
    try:
        return " × ".join(_part_label(p, lang, references or {}, short)
                          for p in terms.factors_of(term))
    except Exception:  # a label must never stop a report
        return term


def labelled(table, model: dict, lang: str):
    """A table of a model's terms (analysis.models.terms_table) with each term's label beside
    it, for reading in a notebook; a model not estimated keeps its one line saying why."""
    if "term" not in table:
        return table
    table = table.copy()
    table.insert(1, "label", [term_label(term, lang, model.get("references", {}))
                              for term in table["term"]])
    return table
