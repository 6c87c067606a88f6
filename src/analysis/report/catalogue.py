"""The report's words and tables, in Indonesian or English, from results.json alone.

Each section function returns HTML for the 03_report notebook to display; the notebook shows it
and nbconvert renders it. Counts under the minimum cell size are suppressed in shared tables.
"""

from __future__ import annotations

import html
import math
import re
from functools import cache
from importlib import resources

import yaml

from analysis import codebook
from analysis.privacy import cells

ACTIVITY_TERMS = ("log_messages_before_session2", "log_messages_before_session")


@cache
def catalogue() -> dict:
    text = resources.files("analysis.report").joinpath("strings.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def t(key: str, lang: str, **values) -> str:
    """A catalogue string in `lang`, with placeholders filled."""
    return catalogue()[key][lang].format(**values)


def number(value, lang: str, digits: int = 1) -> str:
    """Indonesian writes 2,1 and 1.250; English 2.1 and 1,250."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def setting(value, lang: str) -> str:
    """A researcher's setting as a sentence states it: 10, 9,999 or 7.5 (as many decimals as
    it has, up to four), in the reader's way of writing numbers."""
    digits = next(d for d in range(5) if d == 4 or round(float(value), d) == float(value))
    return number(value, lang, digits)


def setting_percent(share: float, lang: str) -> str:
    """A share set as a parameter (0.05) as a sentence states it: 5%, 12.5%."""
    return setting(round(100 * float(share), 6), lang) + "%"


def percent(part: int, whole: int, lang: str) -> str:
    return number(100 * part / whole, lang, 1) + "%" if whole else "–"


def p_value(p, lang: str) -> str:
    """'0,044' or '< 0,001' for tables."""
    if p is None:
        return "–"
    return "< " + number(0.001, lang, 3) if p < 0.001 else number(p, lang, 3)


def p_phrase(p, lang: str) -> str:
    """'p = 0,044' or 'p < 0,001' for sentences."""
    text = p_value(p, lang)
    return "p " + text if text.startswith("<") else "p = " + text


# One mark for every count disclosure control hides (analysis.privacy.disclosure), small or not, so a
# reader cannot tell which hidden count is the small one. Statistics Canada's "x".
HIDDEN_MARK = "x"


class Count:
    """A table cell holding a count of people: shown, or the hidden mark; its name (where it
    sits in results.json) goes into the HTML so a reader or a test can check what was hidden."""

    def __init__(self, results: dict, name: cells.CellName, value: int):
        self.name, self.value = name, value
        self.hidden = cells.is_hidden(results, name)
        self.text = HIDDEN_MARK if self.hidden else str(value)

    def __str__(self) -> str:
        return self.text


def percent_of_counts(part: Count, whole: Count, lang: str) -> str:
    """A percentage of counts, shown only when both counts are (else it would give them away)."""
    if part.hidden or whole.hidden:
        return HIDDEN_MARK
    return percent(part.value, whole.value, lang)


def heading(text: str, level: int = 2) -> str:
    return f"<h{level}>{html.escape(text)}</h{level}>"


def paragraph(markdown_text: str) -> str:
    """A catalogue sentence with **bold** and *italic* marks -> HTML."""
    text = html.escape(markdown_text)
    parts = text.split("**")
    text = "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
    parts = text.split("*")
    text = "".join(f"<em>{p}</em>" if i % 2 else p for i, p in enumerate(parts))
    return f"<p>{text}</p>"


def table(header: list[str], rows: list[list], caption: str | None = None) -> str:
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    return f'<table class="report-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value) -> str:
    if isinstance(value, Count):
        mark = ' class="hidden-count"' if value.hidden else ""
        return f'<td data-cell="{html.escape(value.name)}"{mark}>{html.escape(value.text)}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def group_label(variable: str, code: str, lang: str) -> str:
    if code == "missing":
        return t("missing_label", lang)
    if code in ("yes", "no"):
        return t(f"group_{code}", lang)
    text = codebook.label(variable, code, lang)
    return t("other_group", lang) if text == "other" else text


# Terms of any formula get a label in both languages, from the codebook's variable and level
# labels; what cannot be parsed is shown as written, so no formula makes the report fail.
LEVEL = re.compile(r"^(?P<code>.+)\[(?:T\.)?(?P<level>[^\[\]]*)\]$")
LOG_CALL = re.compile(r"^(?:np\.)?(?P<fn>log1p|log|log2|log10)\((?P<inner>[A-Za-z_]\w*)\)$")


def _split_interaction(name: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in name:
        depth += ch in "([" and 1 or (ch in ")]" and -1 or 0)
        if ch == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def _variable_of(code: str) -> str | None:
    """`C(federation, Treatment('x'))` -> federation; None for an expression."""
    match = re.match(r"^C\(\s*(?P<v>[A-Za-z_]\w*)", code)
    if match:
        return match.group("v")
    return code if re.fullmatch(r"[A-Za-z_]\w*", code) else None


def is_log_term(term: str) -> bool:
    """A log-transformed activity term: its ratio is shown per doubling of (1 + messages)."""
    return any(p in ACTIVITY_TERMS or LOG_CALL.match(p) for p in _split_interaction(term))


def _part_label(part: str, lang: str, references: dict, short: bool) -> str:
    level = LEVEL.match(part)
    if level:
        variable = _variable_of(level.group("code"))
        if variable == "session":
            return t("term_session", lang, n=level.group("level"))
        if variable is None:
            return part
        code = level.group("level")
        code = codebook.yes_no_code(code)
        text = f"{codebook.label(variable, None, lang)}: {group_label(variable, code, lang)}"
        reference = references.get(variable)
        if reference is not None and not short:
            text += " " + t("versus", lang, reference=group_label(variable, reference, lang))
        return text
    variable = _variable_of(part)
    if variable is not None:
        key = f"term_{variable}"
        if key in catalogue() and (not short or variable in ACTIVITY_TERMS):
            return t(key, lang)  # activity terms always say "per doubling": so do their ratios
        return codebook.label(variable, None, lang)
    log = LOG_CALL.match(part)
    if log:
        inner = codebook.label(log.group("inner"), None, lang)
        return t("term_log1p" if log.group("fn") == "log1p" else "term_log", lang, label=inner)
    # any other expression: as written, with known variable names replaced by their labels
    return re.sub(r"[A-Za-z_]\w*", lambda m: codebook.label(m.group(0), None, lang)
                  if m.group(0) in codebook.load_codebook()["variables"] else m.group(0), part)


def term_label(term: str, lang: str, references: dict | None = None, short: bool = False) -> str:
    """'C(federation)[T.fsp_lem]' -> 'Federasi serikat pekerja: FSP LEM (…) (vs. FSP TSK (…))'.

    `short` leaves out the comparison, for figures and term names."""
    try:
        return " × ".join(_part_label(p, lang, references or {}, short)
                          for p in _split_interaction(term))
    except Exception:  # a label must never stop a report
        return term


def ratio(term: str, log_value: float | None) -> float | None:
    """exp of a log-odds (or log-hazard) value; log activity terms per doubling of (1 + messages)."""
    if log_value is None:
        return None
    return _exp(log_value * (math.log(2) if is_log_term(term) else 1.0))


def effect(term_row: dict, ratio_key: str) -> tuple[float | None, float | None, float | None]:
    """(ratio, low, high) for a term; log activity terms per doubling of (1 + messages)."""
    if is_log_term(term_row["term"]):
        return tuple(ratio(term_row["term"], term_row[k]) for k in ("estimate", "ci_low", "ci_high"))
    return term_row[ratio_key], term_row[f"{ratio_key}_ci_low"], term_row[f"{ratio_key}_ci_high"]


def _exp(x: float) -> float:
    return math.exp(x) if x < 700 else math.inf


def finite_effect(row: dict, ratio_key: str) -> bool:
    values = effect(row, ratio_key)
    return all(v is not None and math.isfinite(v) and v < 1e6 for v in values)


def shown_terms(model: dict) -> list[dict]:
    """The coefficient rows a reader sees: not the intercept, the session or the cohort terms."""
    return [r for r in model["terms"] if r["term"] != "Intercept"
            and not r["term"].startswith(("C(session)", "C(cohort)", "cohort["))]


def model_table(model: dict, lang: str, ratio_key: str = "odds_ratio",
                include_sessions: bool = True) -> list[list]:
    rows = []
    references = model.get("references", {})
    for row in model["terms"]:
        if row["term"] == "Intercept" or (not include_sessions and row not in shown_terms(model)):
            continue
        ratio_value, low, high = effect(row, ratio_key)
        finite = finite_effect(row, ratio_key)
        interval = (f"{number(low, lang, 2)}–{number(high, lang, 2)}" if finite
                    else t("not_estimable", lang))
        rows.append([term_label(row["term"], lang, references),
                     number(ratio_value, lang, 2) if finite else "–",
                     interval, p_value(row["p_value"], lang) if finite else "–"])
    return rows


def direction(ratio_value: float, outcome: str, lang: str) -> str:
    """'more likely to drop out' (or to complete, or to have the outcome)."""
    way = "more" if ratio_value > 1 else "less"
    key = f"finding_{way}" if outcome == "dropout" else f"finding_{way}_{outcome}"
    if key in catalogue():
        return t(key, lang)
    return t(f"finding_{way}_other", lang, outcome=codebook.label(outcome, None, lang))


def findings(model: dict, lang: str) -> list[str]:
    """Plain-language sentences, one per effect, with interval and n; no causal words."""
    sentences = []
    outcome = model.get("outcome", "dropout")
    for row in shown_terms(model):
        if not finite_effect(row, "odds_ratio"):
            continue
        ratio_value, low, high = effect(row, "odds_ratio")
        way = direction(ratio_value, outcome, lang)
        key = f"finding_{row['term']}"
        if key in catalogue() and outcome == "dropout":
            sentence = t(key, lang, direction=way)
        else:
            sentence = t("finding_generic", lang, label=term_label(
                row["term"], lang, model.get("references", {})), direction=way)
        sentence += " " + t("finding_numbers", lang, ratio=number(ratio_value, lang, 1),
                            low=number(low, lang, 1), high=number(high, lang, 1), n=row["n"])
        if low <= 1 <= high:
            sentence = sentence[:-1] + t("finding_uncertain", lang) + ")"
        sentences.append(sentence + ".")
    return sentences


def terms_frame(model: dict, lang: str):
    """A fitted model's coefficients with their report labels, for reading in a notebook."""
    import pandas as pd

    frame = pd.DataFrame(model["terms"])
    frame.insert(1, "label", [term_label(t, lang, model.get("references", {}))
                              for t in frame["term"]])
    return frame[["term", "label", "odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high",
                  "p_value"]].round(3)


def show(html_text: str) -> None:
    """Display report HTML in the notebook (and so in the rendered report)."""
    from IPython.display import HTML, display

    display(HTML(html_text))
