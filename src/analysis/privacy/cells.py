"""The names of the counts of people a report shows: one constructor for the protection (which
decides what to hide, analysis.privacy.counts) and for the report (which looks each one up).

A count is shown unless its name is among the hidden ones, so a name spelt differently in the two
places would show a protected number without a word. Here a name can only be made for a count
that results.json holds, and `is_hidden` takes only names made here: a misspelt variable, group
or count is an error, never a shown count.
"""

from __future__ import annotations


class UnknownCell(KeyError):
    """A count that results.json does not hold (a misspelt variable, group or count)."""

    def __str__(self) -> str:
        return str(self.args[0])


class CellName(str):
    """A count's place in results.json ("retention/sector/garment_textile/dropouts")."""


RETENTION_COUNTS = ("n", "completed", "dropouts")
CALIBRATION_COUNTS = ("n", "events", "non_events")
FOLLOWUP_COUNTS = ("n_known", "yes", "no")  # of all who answered
FOLLOWUP_GROUP_COUNTS = ("n", "yes", "no")  # of completers or of dropouts
FUNNEL_COUNTS = ("enrolled", "completed", "dropouts")
STOP_REASON_TOTALS = ("n_known", "n_unknown")  # dropouts who gave a reason, who did not


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise UnknownCell(f"no count {what} in results.json (analysis.privacy.cells)")


def _one_of(value: str, allowed: tuple, what: str) -> None:
    _require(value in allowed, f"{what}={value!r}; expected one of {', '.join(allowed)}")


def funnel(results: dict, count: str) -> CellName:
    _one_of(count, FUNNEL_COUNTS, "funnel")
    return CellName(f"funnel/{count}")


def funnel_dropouts_after(results: dict, session: str) -> CellName:
    _require(str(session) in results["funnel"]["dropouts_after_session"],
             f"funnel/dropouts_after_session/{session}")
    return CellName(f"funnel/dropouts_after_session/{session}")


def retention(results: dict, variable: str, group: str, count: str) -> CellName:
    """People of one group of a breakdown (age, sector, ...): n, completed or dropouts."""
    block = results.get("retention", {}).get(variable)
    _require(block is not None, f"retention/{variable}")
    _require(any(g["group"] == group for g in block["groups"]), f"retention/{variable}/{group}")
    _one_of(count, RETENTION_COUNTS, f"retention/{variable}/{group}")
    return CellName(f"retention/{variable}/{group}/{count}")


def curve_step(results: dict, variable: str, group: str, session) -> CellName:
    """The people of a group who left after `session`, as its retention curve draws them."""
    points = results.get("retention_curves", {}).get(variable, {}).get("curves", {}).get(group)
    _require(points is not None, f"curve/{variable}/{group}")
    _require(any(str(p["session"]) == str(session) for p in points[:-1]),
             f"curve/{variable}/{group}/{session}")
    return CellName(f"curve/{variable}/{group}/{session}")


def curve(results: dict, variable: str, group: str) -> str:
    """A whole curve (a figure, hidden as one when any of its steps is)."""
    curves = results.get("retention_curves", {}).get(variable, {}).get("curves", {})
    _require(group in curves, f"curve/{variable}/{group}")
    return f"curve/{variable}/{group}"


def missing(results: dict, variable: str) -> CellName:
    _require(variable in results.get("missingness", {}), f"missing/{variable}")
    return CellName(f"missing/{variable}")


def calibration(model: dict, group: str, count: str) -> CellName:
    """Observed dropouts among one risk quartile of the participant model."""
    _require(any(g["group"] == group for g in model.get("calibration") or []),
             f"calibration/{group}")
    _one_of(count, CALIBRATION_COUNTS, f"calibration/{group}")
    return CellName(f"calibration/{group}/{count}")


def calibration_total(model: dict, count: str) -> CellName:
    _one_of(count, ("n", "events"), "calibration")
    return CellName(f"calibration/{count}")


def followup(results: dict, variable: str, count: str, group: str | None = None) -> CellName:
    """Follow-up answers (BPJSTK, reseller): of all who answered, or of completers/dropouts."""
    block = results.get("followup", {}).get(variable)
    _require(block is not None, f"followup/{variable}")
    if group is None:
        _one_of(count, FOLLOWUP_COUNTS, f"followup/{variable}")
        return CellName(f"followup/{variable}/{count}")
    groups = block.get("by_completion", {}).get("groups", [])
    _require(any(g["group"] == group for g in groups), f"followup/{variable}/{group}")
    _one_of(count, FOLLOWUP_GROUP_COUNTS, f"followup/{variable}/{group}")
    return CellName(f"followup/{variable}/{group}/{count}")


def stop_reason(results: dict, code: str) -> CellName:
    """The dropouts who gave one reason for stopping (a stop_reason code)."""
    block = results.get("stop_reasons") or {}
    _require(bool(block.get("available")), "stop_reasons")
    _require(any(r["code"] == code for r in block["reasons"]), f"stop_reasons/{code}")
    return CellName(f"stop_reasons/{code}/n")


def stop_reasons_total(results: dict, count: str) -> CellName:
    """The dropouts who gave a reason for stopping (n_known), or who did not (n_unknown)."""
    block = results.get("stop_reasons") or {}
    _require(bool(block.get("available")), "stop_reasons")
    _one_of(count, STOP_REASON_TOTALS, "stop_reasons")
    return CellName(f"stop_reasons/{count}")


def is_hidden(results: dict, cell: CellName) -> bool:
    """True when disclosure control hid this count (results.json `disclosure.hidden`)."""
    if not isinstance(cell, CellName):
        raise TypeError(f"{cell!r}: name a count with analysis.privacy.cells, not by hand")
    control = (results or {}).get("disclosure")
    return control is not None and cell in control["hidden"]
