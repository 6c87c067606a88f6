"""Link chat senders (saved names or phone numbers) to roster participants.

The rules, in order (the first that applies wins):
1. `linkage_overrides.csv` in the raw folder: what a person resolved by hand.
2. Facilitators listed in cohort.yml (and the exporting phone's "Anda"/"You"): staff, not
   participant activity.
3. A phone number that normalises to a roster phone: exact.
Rules 4 and 5 compare names as `names.name_key` gives them, on both sides: case, accents and
punctuation folded, and titles set aside (honorifics such as Bapak, Bu, Hj, Kak and prefixes such
as Dr, Ir where they lead the name; degrees such as S.E., M.M. where they end it; the lists are in
codebook.yml under `names:`).
4. An exact name: a name whose key, spaces removed (`names.compact_key`: "Nur'aini", "Nur Aini"
   and "Nuraini" are one), is exactly one roster person's. Method "name" when the keys are equal
   with their spaces too, "name (spacing)" when only the spacing or punctuation differs. When two
   or more roster people share that key (say "Hj. Siti Aminah" and "Siti Aminah"), nobody is
   guessed: "no match (ambiguous)", and the fuzzy rule is not tried.
5. A fuzzy name: token-sort similarity of the keys of at least FUZZY_THRESHOLD with exactly one
   roster name, clearly ahead of the next (FUZZY_MARGIN), or a lone first name that exactly one
   roster person's key starts with.
Everything else stays unmatched; with its PII it goes only to data/interim/.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from analysis import codebook
from analysis.errors import InputError
from analysis.ingest.identity import fold_name, normalise_phone
from analysis.ingest.names import compact_key, name_key
from analysis.ingest.tables import ROW, read_table

SELF_NAMES = {"anda", "you"}  # how the exporting phone shows its owner: staff in a programme group
FUZZY_THRESHOLD = 90  # token-sort ratio, 0-100: "Siti Nurhalisa" ~ "Siti Nurhaliza" is 93
FUZZY_MARGIN = 5  # the best candidate must beat the second by this much
NOT_PARTICIPANT = {"facilitator", "fasilitator", "staff", "bukan peserta", "not a participant"}


def read_overrides(path: Path) -> dict[str, str | None]:
    """sender -> E.164 phone of the roster person, or None for 'not a participant'."""
    if not path.exists():
        return {}
    table = read_table(path)
    headers = codebook.match_headers([c for c in table.columns if c != ROW], "linkage_overrides",
                                     path)
    reverse = {v: k for k, v in headers.items()}
    overrides = {}
    for _, row in table.iterrows():
        sender, target = str(row[reverse["sender"]]).strip(), str(row[reverse["phone"]]).strip()
        if not sender:
            raise InputError(path, "empty sender", row=int(row[ROW]), column=reverse["sender"])
        if target.casefold() in NOT_PARTICIPANT:
            overrides[sender] = None
            continue
        phone = normalise_phone(target)
        if phone is None:
            raise InputError(path, f"'{target}' is neither a phone number nor one of "
                                   f"{sorted(NOT_PARTICIPANT)}", row=int(row[ROW]),
                             column=reverse["phone"])
        overrides[sender] = phone
    return overrides


def _fuzzy(queries: list[str], roster_names: pd.Series) -> list[tuple[str | None, str]]:
    """(phone, method) for each name key no exact rule matched, against the roster's name keys
    (indexed by phone). All names are scored against the roster at once (rapidfuzz's cdist, in
    C++ on every core): a thousand senders against a hundred thousand names is one call per
    block, not a Python loop per pair."""
    phones = roster_names.index.to_numpy()
    choices = roster_names.tolist()
    first_names: dict[str, list] = {}
    for phone, name in zip(phones.tolist(), choices, strict=True):
        if name:
            first_names.setdefault(name.split()[0], []).append(phone)
    found: list[tuple[str | None, str]] = [(None, "no match")] * len(queries)
    for i, query in enumerate(queries):
        if query and " " not in query:  # a lone first name: only when one roster person has it
            hits = first_names.get(query, [])
            found[i] = (hits[0], "first name (unique)") if len(hits) == 1 else (None, "no match")
    full = [i for i, query in enumerate(queries) if " " in query]
    for block in range(0, len(full), 64):
        rows = full[block:block + 64]
        # below the threshold minus the margin a score decides nothing: 0
        scores = process.cdist([queries[i] for i in rows], choices, scorer=fuzz.token_sort_ratio,
                               score_cutoff=FUZZY_THRESHOLD - FUZZY_MARGIN, dtype=np.float64,
                               workers=-1)
        for i, row in zip(rows, scores, strict=True):
            top = np.argsort(-row, kind="stable")[:2]
            best, second = row[top[0]], (row[top[1]] if len(top) > 1 else 0.0)
            if best < FUZZY_THRESHOLD:
                continue
            found[i] = ((None, "no match (ambiguous)") if best - second < FUZZY_MARGIN
                        else (phones[top[0]], f"fuzzy name ({best:.0f})"))
    return found


def _exact_key(key: str, name: str) -> str:
    """The space-free name the exact rule compares. Without its titles when two words stay;
    else as written ("Raden Sihombing", "Uda Nababan": a title-like word that may be a given
    name is kept, or every "<title> Sihombing" would be one surname and no one linked)."""
    return key.replace(" ", "") if " " in key else compact_key(name, keep_titles=True)


def link_senders(senders: pd.Series, roster: pd.DataFrame, facilitators,
                 overrides: dict | None = None) -> pd.DataFrame:
    """One row per distinct sender: role (participant, facilitator, unmatched), phone, method."""
    overrides = overrides or {}
    staff_names = {fold_name(f) for f in facilitators}
    # a facilitator with a title ("Kak Rina Evermos"): by the key, when it keeps two words
    staff_phones = {p for p in (normalise_phone(f) for f in facilitators) if p}
    staff_keys = {k.replace(" ", "") for f in facilitators if not normalise_phone(f)
                  for k in [name_key(f)] if " " in k}
    by_phone = set(roster["phone_e164"])
    keys = [name_key(n) for n in roster["name"].tolist()]  # once per roster: 100,000 names
    phones = roster["phone_e164"].tolist()
    roster_names = pd.Series(keys, index=phones, dtype=object)
    by_compact: dict[str, list[tuple[str, str]]] = {}  # compact key -> [(phone, key)]
    for phone, key, raw in zip(phones, keys, roster["name"].tolist(), strict=True):
        if key:
            by_compact.setdefault(_exact_key(key, raw), []).append((phone, key))
    rows, fuzzy = [], {}  # fuzzy: row -> name key, resolved together at the end
    senders_sorted = sorted(set(senders.dropna().unique()))  # distinct first: millions of messages
    for sender in senders_sorted:
        phone = normalise_phone(sender) if any(c.isdigit() for c in sender) else None
        name = fold_name(sender)
        key = name_key(sender)
        hits = by_compact.get(_exact_key(key, sender), []) if key else []
        if sender in overrides:
            target = overrides[sender]
            if target is None:
                rows.append((sender, "facilitator", None, "override"))
            elif target in by_phone:
                rows.append((sender, "participant", target, "override"))
            else:
                rows.append((sender, "unmatched", None, "override names a phone not on the roster"))
        elif (name in staff_names or name in SELF_NAMES or key.replace(" ", "") in staff_keys
              or (phone and phone in staff_phones)):
            rows.append((sender, "facilitator", None, "facilitator list"))
        elif phone:
            found = phone in by_phone
            rows.append((sender, "participant" if found else "unmatched", phone if found else None,
                         "phone" if found else "no match"))
        elif len(hits) == 1:
            rows.append((sender, "participant", hits[0][0],
                         "name" if hits[0][1] == key else "name (spacing)"))
        elif hits:  # two roster people with this name: never guess
            rows.append((sender, "unmatched", None, "no match (ambiguous)"))
        else:
            fuzzy[len(rows)] = key
            rows.append(None)
    for at, (match, method) in zip(fuzzy, _fuzzy(list(fuzzy.values()), roster_names),
                                   strict=True):
        rows[at] = (senders_sorted[at], "participant" if match else "unmatched", match, method)
    return pd.DataFrame(rows, columns=["sender", "role", "phone_e164", "method"])


def linkage_summary(links: pd.DataFrame) -> dict:
    """Match rates for quality.json: counts only, no names."""
    people = links[links["role"] != "facilitator"]
    matched = people["role"] == "participant"
    method = people["method"]
    return {
        "senders": int(len(links)),
        "facilitators": int((links["role"] == "facilitator").sum()),
        "matched_by_override": int((matched & (method == "override")).sum()),
        "matched_by_phone": int((method == "phone").sum()),
        "matched_by_name": int(method.str.startswith("name").sum()),
        "matched_by_fuzzy_name": int(method.str.startswith(("fuzzy", "first name")).sum()),
        "unmatched": int((~matched).sum()),
        "match_rate": round(float(matched.mean()), 4) if len(people) else None,
    }
