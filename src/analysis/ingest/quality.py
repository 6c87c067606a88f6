"""The data-quality summary: what a build read, kept, quarantined, merged and could not link.

A build that succeeds must still say what it did with the files, or a cohort whose senders did
not link (activity counted from half the messages) looks like any other. One summary, made at
cleaning from the ledger and the linkage, is printed by `make report` and `make check` and heads
the report's data-quality appendix. Counts only: no names, no phone numbers, no file contents.
"""

from __future__ import annotations

BLANK_ROW = "blank row"  # the ledger's reason for a row with every cell empty (roster.py)
STOP_REASON_FROM_COMPLETER = "stop_reason_from_completer"


def stop_reason_record(source: dict | None, followup, people) -> dict:
    """What the follow-up file says about why people stopped: whether it has a reason column
    at all, how many reasons it gives, and whose they are. `source`: the ledger's
    `stop_reasons` (None: no follow-up file); `followup`: the linked follow-up rows
    (phone_e164, stop_reason, followup_row); `people`: phone_e164, enrolled, completed, dropout.

    A reason written for someone who came to the final session is kept, never dropped or
    quarantined: quarantining would lose the row's BPJSTK and reseller answers for a side
    field, and the likelier error is elsewhere (an attendance mark, or a reason for a missed
    session by an intermittent attender), which staff must resolve by hand. It counts nowhere
    (results.json counts reasons among dropouts only) and is a warning naming its rows, so it
    is seen. A reason from someone who never came to session 1 (a no-show asked why) is kept
    and counted here, without a warning: asking them is ordinary follow-up."""
    record = {"file": None if source is None else source["file"],
              "column": None if source is None else source["column"],
              "available": source is not None and source["column"] is not None,
              "unavailable_because": ("no_followup_file" if source is None else
                                      "no_reason_column" if source["column"] is None else None),
              "given": 0, "by_dropouts": 0, "by_completers": 0, "by_not_enrolled": 0,
              "warnings": []}
    if not record["available"]:
        return record
    given = followup.loc[followup["stop_reason"].notna(), ["phone_e164", "followup_row"]].merge(
        people[["phone_e164", "enrolled", "completed", "dropout"]], on="phone_e164",
        validate="one_to_one")
    completers = given[given["completed"].astype(bool)]
    record.update(given=int(len(given)), by_dropouts=int(given["dropout"].sum()),
                  by_completers=int(len(completers)),
                  by_not_enrolled=int((~given["enrolled"].astype(bool)).sum()))
    if len(completers):
        record["warnings"].append({
            "code": STOP_REASON_FROM_COMPLETER, "file": record["file"],
            "column": record["column"], "count": int(len(completers)),
            "rows": sorted(int(r) for r in completers["followup_row"])})
    return record


def summary(quality: dict, thresholds: dict) -> dict:
    """Numbers and warnings from quality.json's parts; `thresholds`: cohort.yml `quality:`
    (`min_linked_message_share`, `max_quarantined_share`)."""
    files = []
    for name, entry in sorted(quality["files"].items()):
        files.append({"file": name, "read_as": entry.get("read_as"), "rows_in": entry["rows_in"],
                      "kept": entry["kept"], "quarantined": entry["quarantined"],
                      "merged": entry.get("merged", 0)})
    chat, link = quality["chat"], quality["linkage"]
    posted = chat["participant_messages"] + chat["unmatched_messages"]
    share = chat["participant_messages"] / posted if posted else None
    warnings = []
    if share is not None and share < thresholds["min_linked_message_share"]:
        warnings.append({"code": "linked_share_low", "share": round(share, 4),
                         "threshold": thresholds["min_linked_message_share"],
                         "unmatched_senders": link["unmatched"],
                         "unmatched_messages": chat["unmatched_messages"]})
    for entry in files:
        # blank rows hold nobody (a spreadsheet's empty tail): counted, never a warning
        blank = quality["files"][entry["file"]]["reasons"].get(BLANK_ROW, 0)
        rows = entry["rows_in"] - entry["merged"] - blank
        quarantined = entry["quarantined"] - blank
        if rows and quarantined / rows > thresholds["max_quarantined_share"]:
            warnings.append({"code": "quarantined_high", "file": entry["file"],
                             "quarantined": quarantined, "rows": rows,
                             "share": round(quarantined / rows, 4),
                             "threshold": thresholds["max_quarantined_share"]})
    return {
        "files": files,
        "exports": chat["exports"],
        "media_files": chat.get("media_files", 0),
        "unused_files": chat.get("unused_files", 0),
        "merged_lines": sum(f["merged"] for f in files),
        "senders": link["senders"], "facilitators": link["facilitators"],
        "senders_linked": link["senders"] - link["facilitators"] - link["unmatched"],
        "senders_unmatched": link["unmatched"],
        "participant_messages": chat["participant_messages"],
        "unmatched_messages": chat["unmatched_messages"],
        "linked_message_share": None if share is None else round(share, 4),
        "thresholds": dict(thresholds),
        "warnings": warnings,
        # apart from `warnings` (the report words each of those): why people stopped
        "stop_reasons": quality.get("stop_reasons"),
    }


def console_lines(cohort: str, s: dict) -> tuple[list[str], list[str]]:
    """(summary lines, warning lines) as the console prints them, in English like every
    build message; the report says the same in its own language."""
    lines = [f"{cohort}: data quality"]
    for f in s["files"]:
        merged = f", {f['merged']} already in another export" if f["merged"] else ""
        read_as = f"  [{f['read_as']}]" if f["read_as"] else ""
        lines.append(f"  {f['file']}: {f['rows_in']} read, {f['kept']} kept, "
                     f"{f['quarantined']} quarantined{merged}{read_as}")
    reasons = s.get("stop_reasons")
    if reasons and reasons["file"]:
        lines.append(
            f"  {reasons['file']}: {reasons['given']} reason(s) for stopping given "
            f"({reasons['by_dropouts']} by dropouts, {reasons['by_completers']} by completers, "
            f"{reasons['by_not_enrolled']} by people who never came to session 1)"
            if reasons["available"] else
            f"  {reasons['file']}: no column of reasons for stopping (e.g. 'Alasan berhenti'): "
            "why people stopped is not known")
    if s["exports"]:
        share = s["linked_message_share"]
        lines.append(
            f"  WhatsApp: {s['exports']} export(s), {s['merged_lines']} line(s) found in more "
            f"than one export (counted once), {s['media_files']} media file(s) ignored; "
            f"{s['senders_linked']} sender(s) linked to the roster, {s['senders_unmatched']} "
            f"unmatched, {s['facilitators']} facilitator(s); {s['participant_messages']} "
            f"participant message(s) linked"
            + (f" ({100 * share:.1f}% of {s['participant_messages'] + s['unmatched_messages']})"
               if share is not None else ""))
    else:
        lines.append("  WhatsApp: no export found (activity is not measured; the report says so)")
    if s["unused_files"]:
        lines.append(f"  {s['unused_files']} file(s) in the raw folder not used "
                     "(`make check` lists them)")
    warnings = []
    for w in s["warnings"]:
        if w["code"] == "linked_share_low":
            warnings.append(
                f"{cohort}: only {100 * w['share']:.1f}% of participant messages are linked to "
                f"the roster (threshold {100 * w['threshold']:.0f}%): {w['unmatched_senders']} "
                f"sender(s) with {w['unmatched_messages']} message(s) unmatched; see "
                f"data/interim/{cohort}/unmatched_senders.csv and add them to "
                "linkage_overrides.csv")
        elif w["code"] == "quarantined_high":
            warnings.append(
                f"{cohort}: {w['file']}: {w['quarantined']} of {w['rows']} rows quarantined "
                f"({100 * w['share']:.1f}%, threshold {100 * w['threshold']:.0f}%); see "
                f"data/interim/{cohort}/quarantine.csv")
    for w in (reasons or {}).get("warnings", []):
        if w["code"] == STOP_REASON_FROM_COMPLETER:
            shown = ", ".join(map(str, w["rows"][:20])) + (", …" if len(w["rows"]) > 20 else "")
            warnings.append(
                f"{cohort}: {w['file']}: {w['count']} reason(s) for stopping given for people who "
                f"came to the final session (column `{w['column']}`, row(s) {shown}): kept, but "
                "not counted among the dropouts' reasons; check the attendance sheet or the "
                "follow-up file")
    return lines, warnings
