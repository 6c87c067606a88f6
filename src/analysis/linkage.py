"""Link chat senders (saved names or phone numbers) to roster participants."""

from __future__ import annotations

import pandas as pd

from .identity import fold_name, normalise_phone

# How the exporting phone shows its own owner: always staff in a programme group.
SELF_NAMES = {"anda", "you"}


def link_senders(senders: pd.Series, roster: pd.DataFrame, facilitators) -> pd.DataFrame:
    """One row per distinct sender: role (participant, facilitator, unmatched), phone, method.

    Phone numbers match exactly after normalisation; names match exactly after folding case,
    accents and punctuation, and only when one roster person has that name.
    """
    staff_names = {fold_name(f) for f in facilitators}
    staff_phones = {p for p in (normalise_phone(f) for f in facilitators) if p}
    by_phone = set(roster["phone_e164"])
    folded = roster.assign(folded=roster["name"].map(fold_name))
    unique_names = folded.drop_duplicates("folded", keep=False).set_index("folded")["phone_e164"]
    rows = []
    for sender in sorted(set(senders.dropna())):
        phone = normalise_phone(sender) if any(c.isdigit() for c in sender) else None
        name = fold_name(sender)
        if name in staff_names or name in SELF_NAMES or (phone and phone in staff_phones):
            rows.append((sender, "facilitator", None, "facilitator list"))
        elif phone and phone in by_phone:
            rows.append((sender, "participant", phone, "phone"))
        elif name in unique_names.index:
            rows.append((sender, "participant", unique_names[name], "name"))
        else:
            rows.append((sender, "unmatched", None, "no match"))
    return pd.DataFrame(rows, columns=["sender", "role", "phone_e164", "method"])


def linkage_summary(links: pd.DataFrame) -> dict:
    """Match rates for quality.json: counts only, no names."""
    people = links[links["role"] != "facilitator"]
    matched = people["role"] == "participant"
    return {
        "senders": int(len(links)),
        "facilitators": int((links["role"] == "facilitator").sum()),
        "matched_by_phone": int((people["method"] == "phone").sum()),
        "matched_by_name": int((people["method"] == "name").sum()),
        "unmatched": int((~matched).sum()),
        "match_rate": round(float(matched.mean()), 4) if len(people) else None,
    }
