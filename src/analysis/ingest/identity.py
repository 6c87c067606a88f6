"""Who is who: phone numbers, names, pseudonyms, and linking chat senders to the roster."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from functools import cache
from pathlib import Path

import phonenumbers

# Documented, public, and only for cohorts marked `synthetic: true`: a real cohort must never
# use it, because anyone could recompute the pseudonyms from a phone list.
DEMO_KEY = b"promise-impact-demo-key-synthetic-only"
KEY_ENV = "PROMISE_PSEUDONYM_KEY"
KEY_FILE = Path.home() / ".config" / "promise-impact" / "pseudonym.key"
PSEUDONYM_LENGTH = 12
NON_DIGIT = re.compile(r"\D")  # compiled once: the leak check calls these a million times
PUNCTUATION = re.compile(r"[^\w\s]")
# What Excel does to a phone number stored as a number. "6.28136E+11" (or "6,28136E+11" in an
# Indonesian locale): the digits past the sixth are gone, and a guess would link the wrong
# person. "6287822527683.0": every digit is there, behind a decimal part of zeros.
SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
FLOAT_RENDERING = re.compile(r"^(\+?\d+)[.,]0+$")


def scientific_notation(raw) -> bool:
    """Whether a phone cell is a number Excel wrote in scientific notation (unrecoverable)."""
    return raw is not None and bool(SCIENTIFIC.match(str(raw).strip().replace(" ", "")))


def normalise_phone(raw) -> str | None:
    """Any Indonesian spelling ('0812-…', '+62 8…', '628…', '812…', '62812….0') -> E.164, or
    None (also for a number in scientific notation: see `scientific_notation`). The one phone
    rule of roster, attendance, follow-up, overrides and chat senders."""
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).replace("\u200e", "").strip()
    if SCIENTIFIC.match(text.replace(" ", "")):
        return None
    float_rendering = FLOAT_RENDERING.match(text)
    if float_rendering:
        text = float_rendering.group(1)
    digits = NON_DIGIT.sub("", text)
    if len(digits) < 8:
        return None
    if digits.startswith("62"):
        candidate = "+" + digits
    elif digits.startswith("0"):
        candidate = "+62" + digits[1:]
    elif digits.startswith("8"):
        candidate = "+62" + digits
    else:
        candidate = "+" + digits if text.startswith("+") else digits
    return _valid_e164(candidate)


@cache
def _valid_e164(candidate: str) -> str | None:
    """phonenumbers is thorough but slow (~0.4 ms a call): ask it once per distinct number."""
    try:
        number = phonenumbers.parse(candidate, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def fold_letters(text: str) -> str:
    """Accents gone, case folded: what every name comparison starts from."""
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():  # (the leak check folds whole files: skip the loop when it can)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold()


def fold_name(name) -> str:
    """Names as people type them: case, accents, dots and spaces do not matter."""
    return " ".join(PUNCTUATION.sub(" ", fold_letters(str(name or ""))).split())


def load_key(synthetic: bool, env: dict | None = None, key_file: Path | None = None) -> bytes:
    """The secret behind the pseudonyms: the demo key for synthetic cohorts (so their outputs are
    the same on every machine), else the env var, else the key file."""
    if synthetic:
        return DEMO_KEY
    env = os.environ if env is None else env
    key_file = KEY_FILE if key_file is None else key_file
    if env.get(KEY_ENV):
        return env[KEY_ENV].encode("utf-8")
    if key_file.exists():
        return key_file.read_bytes().strip()
    raise KeyError(
        f"No pseudonym key for a real cohort. Make one once and keep it outside git:\n"
        f"  mkdir -p {key_file.parent} && python -c \"import secrets; print(secrets.token_hex(32))\""
        f" > {key_file} && chmod 600 {key_file}\n"
        f"or set {KEY_ENV}. Keep it safe: the same key must be used for every cohort."
    )


def pseudonym(e164: str, key: bytes) -> str:
    """HMAC-SHA256 of the normalised phone: stable across cohorts, useless without the key."""
    digest = hmac.new(key, e164.encode("utf-8"), hashlib.sha256).hexdigest()
    return "P" + digest[:PSEUDONYM_LENGTH]
