"""How the reports write numbers for readers: decimal marks by language, percentages, settings
and p-values, so every section and figure writes them the same way."""

from __future__ import annotations

import math


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


def about_percent(share: float, lang: str) -> str:
    """A modelled chance as a sentence gives it: to the nearest five percent ("about 65%")."""
    return number(5 * round(20 * share), lang, 0) + "%"
