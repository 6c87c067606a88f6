"""The codebook (codebook.yml) drives cleaning and labels: one source of variable meaning."""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache
from importlib import resources

import pandas as pd
import yaml

from .errors import InputError


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
    """Harmonise raw labels to codes; the first unknown label is an error with a suggestion.

    With allow_missing, an empty cell is a missing value (reported, imputed as a sensitivity
    analysis), not an error; a filled-in cell must still be a known label.
    """
    lookup = value_lookup(variable)
    folded = raw.map(fold_value)
    unknown = ~folded.isin(list(lookup))
    if allow_missing:
        unknown &= folded.ne("")
    if unknown.any():
        position = unknown.to_numpy().nonzero()[0][0]
        bad = raw.iloc[position]
        close = difflib.get_close_matches(folded.iloc[position], list(lookup), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        allowed = ", ".join(sorted({str(v) for v in lookup.values()}))
        raise InputError(
            file,
            f"'{bad}' is not a known {variable} label (codes: {allowed}){hint} "
            "Add the spelling to src/analysis/codebook.yml if it is right.",
            row=int(rows.iloc[position]),
            column=column,
        )
    return folded.map(lookup).astype(object).where(folded.ne("") | folded.isin(list(lookup)), None)


def label(variable: str, code, lang: str) -> str:
    """The report label of a code (or of the variable itself when code is None)."""
    spec = load_codebook()["variables"][variable]
    if code is None:
        return spec["label"][lang]
    value_spec = spec.get("values", {}).get(code) or {}
    return value_spec.get("label", {}).get(lang, str(code))


def codes(variable: str) -> list:
    """Codes in codebook order: the order tables and figures use."""
    return list(load_codebook()["variables"][variable]["values"])
