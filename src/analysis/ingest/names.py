"""Names as people write them: the title-free key that linkage and the leak check compare.

Why this exists: staff type the roster from forms ("BPK. AHMAD FAUZI, S.E.", "Hj. Siti Aminah",
"Dr. Ir. Budi Santoso, M.M."), while people save themselves in WhatsApp as "Ahmad Fauzi",
"Bu Siti Aminah", "Nuraini" for "Nur'aini", "Nur Aini" for "Nuraini". Compared as typed, real
deliveries linked only 62-87% of their chat senders, and a report saying "Ahmad Fauzi" was not
recognised as the roster's "BPK. AHMAD FAUZI, S.E.".

A name is folded (`identity.fold_name`: case, accents and punctuation do not matter) into words,
and the titles of codebook.yml's `names:` section are set aside: honorifics (Bapak, Bu, Hj, Kak,
...) and academic prefixes (Dr, Ir, ...) where they lead the name, degrees (S.E., M.M., ...) where
they end it. A name is never stripped to nothing: someone called just "Bang" keeps it. From the
remaining words:

- `name_key`: the words joined by spaces ("ahmad fauzi"): what exact and fuzzy linkage compare;
- `compact_key`: the words joined with nothing ("nurainisiregar"): spacing and punctuation
  inside a name ("Nur'aini", "Nur Aini", "Siti-Aminah") do not stop an exact match;
- `spellings`: the word sequences a text could show the name as, for the leak check.

The lists are settings a researcher extends in codebook.yml, not code.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from analysis import codebook
from analysis.ingest.identity import PUNCTUATION, fold_letters, fold_name

# apostrophe look-alikes (Arabic-origin names transliterate hamza and ayn with several):
# all become "'" so that "Nur’aini" and "Nurʼaini" are "Nur'aini"
APOSTROPHES = re.compile("[\u2019\u2018\u02bc\u02bb\u02b9\u02be\u02bf`\u00b4]")
SPACE = " "  # a word's gap after the one before it: whitespace (or nothing before the first)
INNER_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
APOSTROPHE = "'"  # only apostrophes between the two words: "nur'aini"
MARK = "."  # other punctuation, no whitespace: "siti-aminah", "m.rizki", "bpk.ahmad"
WORD = re.compile(r"\w+")  # a word: a run of word characters, as in identity.fold_name
WHITESPACE = re.compile(r"\s")


class Titles(NamedTuple):
    leading: frozenset  # honorifics and prefixes, as tuples of folded words
    most_leading: int  # the most words a leading title has
    trailing: frozenset  # degrees, dots and spaces removed ("se", "mm", "skom")
    most_trailing: int
    leading_first: frozenset  # the words a leading title starts with: a quick "no title here"
    degree_endings: frozenset  # every ending of a degree: a name's last word must be one


@cache
def titles() -> Titles:
    """The titles of codebook.yml's `names:` section, ready to compare with folded words."""
    spec = codebook.load_codebook().get("names") or {}
    leading = {tuple(fold_name(t).split()) for key in ("honorifics", "academic_prefixes")
               for t in spec.get(key) or []} - {()}
    degrees = [fold_name(t).split() for t in spec.get("degree_suffixes") or []]
    trailing = {"".join(words) for words in degrees if words}
    return Titles(frozenset(leading), max(map(len, leading), default=0), frozenset(trailing),
                  max(map(len, degrees), default=0), frozenset(t[0] for t in leading),
                  frozenset(d[i:] for d in trailing for i in range(len(d))))


def _folded(name) -> str:
    """fold_name's text before punctuation is read: accents gone, case folded."""
    if name is None or (isinstance(name, float) and name != name):
        return ""
    return fold_letters(APOSTROPHES.sub("'", str(name)))


def _untitled(words: list[str]) -> tuple[int, int]:
    """(start, end) of `words` without its titles: degrees off the end, then honorifics and
    prefixes off the front, longest spelling first, while at least one word stays."""
    leading, most_leading, trailing, most_trailing, leading_first, degree_endings = titles()
    start, end = 0, len(words)
    while end - start > 1 and words[end - 1] in degree_endings:
        for k in range(min(most_trailing, end - start - 1), 0, -1):
            if "".join(words[end - k:end]) in trailing:
                end -= k
                break
        else:
            break
    while end - start > 1 and words[start] in leading_first:
        for k in range(min(most_leading, end - start - 1), 0, -1):
            if tuple(words[start:start + k]) in leading:
                start += k
                break
        else:
            break
    return start, end


def name_parts(name, keep_titles: bool = False) -> list[str]:
    """The folded words of `name` without its titles: 'BPK. AHMAD FAUZI, S.E.' -> ahmad, fauzi
    (with `keep_titles`, every word)."""
    # an apostrophe inside a word joins it ("Nur'aini" is "nuraini", as "Nuraini" is written
    # without it); other punctuation separates words, as in fold_name
    words = PUNCTUATION.sub(" ", INNER_APOSTROPHE.sub("", _folded(name))).split()
    start, end = (0, len(words)) if keep_titles else _untitled(words)
    return words[start:end]


def name_key(name) -> str:
    """'Ibu Siti Rahayu' and 'SITI RAHAYU' -> 'siti rahayu'."""
    return " ".join(name_parts(name))


def compact_key(name, keep_titles: bool = False) -> str:
    """'Nur'aini Siregar', 'Nur Aini Siregar', 'Nuraini Siregar' -> 'nurainisiregar'."""
    return "".join(name_parts(name, keep_titles))


def spellings(name) -> set[str]:
    """The title-free name as a text could hold it, each a space-separated sequence of folded
    words: with punctuation inside the name read as a space ('nur aini siregar'), dropped
    ('nuraini siregar'), only apostrophes dropped, and any two neighbouring words run together
    ('Nur Aini Siregar' written 'Nuraini Siregar'). A handful per name: the check stays linear."""
    text = _folded(name)
    punctuated = PUNCTUATION.search(text)
    matches = list(WORD.finditer(text)) if punctuated else []
    words = [m.group() for m in matches] if punctuated else text.split()
    start, end = _untitled(words)
    if start == end:
        return set()
    spaced = " ".join(words[start:end])
    forms = {spaced, *(spaced[:at] + spaced[at + 1:] for at, c in enumerate(spaced) if c == " ")}
    if punctuated:  # glue the words that only punctuation separates
        matches = matches[start:end]
        gaps = [SPACE]  # what stands between each word and the one before it
        for before, after in zip(matches, matches[1:], strict=False):
            gap = text[before.end():after.start()]
            gaps.append(SPACE if WHITESPACE.search(gap) else
                        APOSTROPHE if not gap.strip("'") else MARK)
        for glued in ({APOSTROPHE, MARK}, {APOSTROPHE}) if len(set(gaps)) > 1 else ():
            forms.add("".join((" " if gap not in glued and i else "") + m.group()
                              for i, (m, gap) in enumerate(zip(matches, gaps, strict=True))))
    return forms
