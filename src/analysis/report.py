"""The report's words and tables, in Indonesian or English, from results.json alone.

Each section function returns HTML for the 03_report notebook to display; the notebook shows it
and nbconvert renders it. Counts under the minimum cell size are suppressed in shared tables.
"""

from __future__ import annotations

import html
import math
from functools import cache
from importlib import resources

import yaml

from . import codebook

ACTIVITY_TERMS = ("log_messages_before_session2", "log_messages_before_session")


@cache
def catalogue() -> dict:
    text = resources.files("analysis").joinpath("report_strings.yml").read_text(encoding="utf-8")
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


def count(value: int, min_cell: int) -> str:
    """Counts under min_cell are suppressed in shared outputs (zero is not a person)."""
    return f"<{min_cell}" if 0 < value < min_cell else str(value)


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
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f'<table class="report-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def group_label(variable: str, code: str, lang: str) -> str:
    return t("missing_label", lang) if code == "missing" else codebook.label(variable, code, lang)


def term_label(term: str, lang: str) -> str:
    if term.startswith("C(session)[T."):
        return t("term_session", lang, n=term.removeprefix("C(session)[T.").rstrip("]"))
    return t(f"term_{term}", lang)


def ratio(term: str, log_value: float | None) -> float | None:
    """exp of a log-odds (or log-hazard) value; activity terms per doubling of (1 + messages)."""
    if log_value is None:
        return None
    return _exp(log_value * (math.log(2) if term in ACTIVITY_TERMS else 1.0))


def effect(term_row: dict, ratio_key: str) -> tuple[float | None, float | None, float | None]:
    """(ratio, low, high) for a term; activity terms per doubling of (1 + messages)."""
    if term_row["term"] in ACTIVITY_TERMS:
        return tuple(ratio(term_row["term"], term_row[k]) for k in ("estimate", "ci_low", "ci_high"))
    return term_row[ratio_key], term_row[f"{ratio_key}_ci_low"], term_row[f"{ratio_key}_ci_high"]


def _exp(x: float) -> float:
    return math.exp(x) if x < 700 else math.inf


def model_table(model: dict, lang: str, ratio_key: str = "odds_ratio") -> list[list]:
    rows = []
    for row in model["terms"]:
        if row["term"] == "Intercept":
            continue
        ratio, low, high = effect(row, ratio_key)
        finite = all(v is not None and math.isfinite(v) and v < 1e6 for v in (ratio, low, high))
        interval = (f"{number(low, lang, 2)}–{number(high, lang, 2)}" if finite
                    else t("not_estimable", lang))
        rows.append([term_label(row["term"], lang), number(ratio, lang, 2) if finite else "–",
                     interval, p_value(row["p_value"], lang) if finite else "–"])
    return rows


def findings(model: dict, lang: str) -> list[str]:
    """Plain-language sentences, one per effect, with interval and n; no causal words."""
    sentences = []
    for row in model["terms"]:
        key = f"finding_{row['term']}"
        if key not in catalogue():
            continue
        ratio, low, high = effect(row, "odds_ratio")
        if None in (ratio, low, high) or not all(map(math.isfinite, (ratio, low, high))):
            continue
        direction = t("finding_more" if ratio > 1 else "finding_less", lang)
        sentence = t(key, lang, direction=direction) + " " + t(
            "finding_numbers", lang, ratio=number(ratio, lang, 1), low=number(low, lang, 1),
            high=number(high, lang, 1), n=row["n"])
        if low <= 1 <= high:
            sentence = sentence[:-1] + t("finding_uncertain", lang) + ")"
        sentences.append(sentence + ".")
    return sentences


def show(html_text: str) -> None:
    """Display report HTML in the notebook (and so in the rendered report)."""
    from IPython.display import HTML, display

    display(HTML(html_text))
