"""The data-quality summary: what a build read, kept, quarantined, merged and could not link.

A build that succeeds must still say what it did with the files, or a cohort whose senders did
not link (activity counted from half the messages) looks like any other. One summary, made at
cleaning from the ledger and the linkage, is printed by `make report` and `make check` and heads
the report's data-quality appendix. Counts only: no names, no phone numbers, no file contents.
"""

from __future__ import annotations

BLANK_ROW = "blank row"  # the ledger's reason for a row with every cell empty (roster.py)


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
    return lines, warnings
