"""The string catalogue: every sentence the reports print, in Indonesian and English, lives in
strings.yml, so the two languages are kept side by side and out of the code."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml


@cache
def catalogue() -> dict:
    text = resources.files("analysis.report").joinpath("strings.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def t(key: str, lang: str, **values) -> str:
    """A catalogue string in `lang`, with placeholders filled."""
    return catalogue()[key][lang].format(**values)


def both(key: str, **values) -> str:
    """A catalogue string in both languages, 'id / en', for a page read in either (the index)."""
    return f"{t(key, 'id', **values)} / {t(key, 'en', **values)}"
