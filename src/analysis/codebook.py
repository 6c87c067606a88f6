"""The codebook (codebook.yml) drives cleaning and labels: one source of variable meaning."""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache
from importlib import resources

import pandas as pd
import yaml

from analysis.errors import InputError, problem

UNKNOWN_ROWS_SHOWN = 20  # an unknown label's error lists this many of its rows, then "…"

# A yes/no variable's values as pandas and patsy write them ("True", "1.0"), as the reports and
# the tables of counts name them: one map for the models' reference levels, the groups of the
# descriptive tables and the report's labels.
YES_NO = {"True": "yes", "1.0": "yes", "False": "no", "0.0": "no"}


def yes_no_code(value: str) -> str:
    """'True' -> 'yes'; any other code as it is."""
    return YES_NO.get(value, value)


@cache
def load_codebook() -> dict:
    text = resources.files("analysis").joinpath("codebook.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def fold_header(header: str) -> str:
    """'No. HP / WhatsApp ' -> 'no hp whatsapp': headers differ in case, punctuation and spaces."""
    text = unicodedata.normalize("NFKC", str(header)).replace("\ufeff", "").casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def fold_value(value) -> str:
    """Raw labels differ in case and stray spaces, nothing else is forgiven."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return " ".join(text.split())


def match_headers(columns, table: str, file) -> dict[str, str]:
    """Map raw headers to canonical names for `table`; a missing required column is an error."""
    spec = load_codebook()["tables"][table]["columns"]
    lookup = {}
    for canonical, column_spec in spec.items():
        for spelling in column_spec["headers"]:
            lookup[fold_header(spelling)] = canonical
    mapping: dict[str, str] = {}
    for raw in columns:
        canonical = lookup.get(fold_header(raw))
        if canonical is None:
            continue
        if canonical in mapping.values():
            first = next(k for k, v in mapping.items() if v == canonical)
            raise InputError(file, f"columns `{first}` and `{raw}` both mean `{canonical}`; "
                             "keep one of them")
        mapping[raw] = canonical
    missing = [c for c, s in spec.items() if s.get("required", True) and c not in mapping.values()]
    if missing:
        wanted = "; ".join(f"`{c}` (e.g. '{spec[c]['headers'][0]}')" for c in missing)
        found = ", ".join(f"'{c}'" for c in columns)
        raise InputError(file, f"missing column {wanted}. Headers found: {found}")
    return mapping


def value_lookup(variable: str) -> dict[str, object]:
    """Folded raw spelling -> code, including each code's own name."""
    values = load_codebook()["variables"][variable]["values"]
    lookup: dict[str, object] = {}
    for code, spec in values.items():
        if not isinstance(code, bool):
            lookup[fold_value(code)] = code
        for spelling in (spec or {}).get("raw", []):
            lookup[fold_value(spelling)] = code
    return lookup


def code_values(raw: pd.Series, variable: str, file, column: str, rows: pd.Series,
                allow_missing: bool = False) -> pd.Series:
    """Harmonise raw labels to codes; an unknown label is an error with a suggestion.

    One error per unknown label (after folding), listing the rows that have it, so a sheet
    that writes '??' forty times gets one line to fix, not forty. With allow_missing, an empty
    cell is a missing value (reported, imputed as a sensitivity analysis), not an error; a
    filled-in cell must still be a known label.
    """
    lookup = value_lookup(variable)
    folded = raw.map(fold_value)
    unknown = ~folded.isin(list(lookup))
    if allow_missing:
        unknown &= folded.ne("")
    allowed = ", ".join(sorted({str(v) for v in lookup.values()}))
    positions: dict[str, list[int]] = {}  # folded label -> its positions, by first occurrence
    for position in unknown.to_numpy().nonzero()[0]:
        positions.setdefault(folded.iloc[position], []).append(int(position))
    for value, where in positions.items():  # the first raises, unless collecting
        at = [int(rows.iloc[p]) for p in where]
        shown = ", ".join(map(str, at[:UNKNOWN_ROWS_SHOWN])) + (
            ", …" if len(at) > UNKNOWN_ROWS_SHOWN else "")
        in_rows = f" in rows {shown} ({len(at)} rows)" if len(at) > 1 else ""
        close = difflib.get_close_matches(value, list(lookup), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else "."
        problem(InputError(
            file,
            f"'{raw.iloc[where[0]]}' is not a known {variable} label (codes: {allowed})"
            f"{in_rows}{hint} Add the spelling to src/analysis/codebook.yml if it is right.",
            row=at[0],
            column=column,
        ))
    return folded.map(lookup).astype(object).where(folded.isin(list(lookup)), None)


def label(variable: str, code, lang: str) -> str:
    """The report label of a code (or of the variable itself when code is None).

    A variable or code the codebook does not know is labelled by its own name, so a report
    never fails on a label."""
    spec = load_codebook()["variables"].get(variable)
    if spec is None:
        return str(variable if code is None else code)
    if code is None:
        return spec["label"][lang]
    if variable == "age_class":
        return dict(zip(codes("age_class"), _age_class_labels(lang), strict=True)).get(code, str(code))
    value_spec = (spec.get("values") or {}).get(code) or {}
    return value_spec.get("label", {}).get(lang, str(code))


def codes(variable: str) -> list:
    """Codes in codebook order: the order tables and figures use."""
    if variable == "age_class":
        breaks = age_breaks()
        return ([f"under_{breaks[0]}"] + [f"{a}_{b - 1}" for a, b in zip(breaks, breaks[1:], strict=False)] +
                [f"{breaks[-1]}_plus"])
    return list(load_codebook()["variables"][variable]["values"])


def reference(variable: str) -> str | None:
    """The level a categorical variable's model terms are compared with (None: the first code)."""
    spec = load_codebook()["variables"].get(variable) or {}
    return spec.get("reference")


def group_order(variable: str, groups) -> list[str]:
    """Codebook order (age classes young to old), then the rest by name, then 'other', then
    'missing': the order of every breakdown's rows, in cohort and pooled reports alike."""
    present = set(groups)
    known = ([str(c) for c in codes(variable)]
             if variable in categorical_variables() else [])
    first = [c for c in known if c in present and c not in ("other", "missing")]
    rest = sorted(present - set(first) - {"other", "missing"})
    return first + rest + [c for c in ("other", "missing") if c in present]


def categorical_variables() -> list[str]:
    return [v for v, s in load_codebook()["variables"].items() if s.get("type") == "category"]


def age_breaks() -> list[int]:
    """The limits of the age classes (codebook.yml, variables.age_class.breaks), checked."""
    breaks = load_codebook()["variables"]["age_class"].get("breaks")
    spec = load_codebook()["variables"]["age"]
    if (not isinstance(breaks, list) or not breaks
            or not all(isinstance(b, int) and spec["min"] < b <= spec["max"] for b in breaks)
            or breaks != sorted(set(breaks))):
        raise InputError("src/analysis/codebook.yml", f"variables.age_class.breaks: {breaks!r} is "
                         f"not a list of increasing whole ages between {spec['min'] + 1} and "
                         f"{spec['max']} (e.g. [30, 40, 50])")
    return breaks


def age_class(age: pd.Series) -> pd.Series:
    """Age -> age class code (None where the age is missing)."""
    breaks, names = age_breaks(), codes("age_class")
    position = pd.Series(pd.cut(age.astype("Float64").astype(float), [-1, *breaks, 200],
                                right=False, labels=False), index=age.index)
    classes = [None if pd.isna(i) else names[int(i)] for i in position]
    return pd.Series(classes, index=age.index, dtype=object)


def _age_class_labels(lang: str) -> list[str]:
    breaks = age_breaks()
    if lang == "id":
        return ([f"Di bawah {breaks[0]} tahun"] +
                [f"{a}–{b - 1} tahun" for a, b in zip(breaks, breaks[1:], strict=False)] +
                [f"{breaks[-1]} tahun ke atas"])
    return ([f"Under {breaks[0]}"] + [f"{a}–{b - 1}" for a, b in zip(breaks, breaks[1:], strict=False)] +
            [f"{breaks[-1]} and over"])
