"""The report's figures: one style, labelled axes, colour-blind-safe colours, finding titles."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import textwrap

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.dates import num2date  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from analysis import codebook  # noqa: E402
from analysis.privacy import cells  # noqa: E402
from analysis.report.catalogue import t  # noqa: E402
from analysis.report.dates import reader_date, reader_dates, reader_day  # noqa: E402
from analysis.report.findings import effect, finite_effect, shown_terms  # noqa: E402
from analysis.report.labels import group_label, term_label  # noqa: E402
from analysis.report.numbers import about_percent, number, p_phrase  # noqa: E402

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "red": "#D55E00",
           "grey": "#999999", "sky": "#56B4E9", "purple": "#CC79A7"}
STYLE = {
    "figure.figsize": (7.0, 3.6), "figure.dpi": 110, "font.size": 9.5, "axes.titlesize": 11,
    "axes.titleweight": "bold", "axes.spines.top": False, "axes.spines.right": False,
    "axes.grid": True, "grid.alpha": 0.3, "font.family": "DejaVu Sans",
    "svg.hashsalt": "promise-impact",
}


def _figure(**kwargs):
    plt.rcParams.update(STYLE)
    return plt.subplots(**kwargs)


def png_bytes(fig) -> bytes:
    """The figure as PNG, without a timestamp, so identical inputs give identical images."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def funnel(results: dict, lang: str):
    f = results["funnel"]
    labels = [t("funnel_registered", lang)] + [t("funnel_session", lang, n=i) for i in
                                               range(1, len(f["attended_by_session"]) + 1)]
    values = [f["registered"], *f["attended_by_session"]]
    fig, ax = _figure()
    colors = [PALETTE["grey"]] + [PALETTE["blue"]] * len(f["attended_by_session"])
    bars = ax.bar(labels, values, color=colors)
    ax.bar_label(bars, padding=2)
    ax.set_ylabel(t("funnel_ylabel", lang))
    ax.set_ylim(0, max(values) * 1.15)
    ax.set_title(t("funnel_title", lang, first=f["attended_by_session"][0],
                   last=f["attended_by_session"][-1]))
    return fig


def visible_groups(results: dict, variable: str) -> list[dict]:
    """The groups of `variable` whose numbers the report may show: the one rule that both a
    figure and its text alternative follow, so neither states what the tables hide."""
    block = results["retention"].get(variable)
    if block is None:
        return []
    if "disclosure" not in results:  # results from before disclosure control
        min_cell = results["parameters"]["min_cell"]
        return [g for g in block["groups"] if g["n"] >= min_cell]
    return [g for g in block["groups"] if not any(
        cells.is_hidden(results, cells.retention(results, variable, g["group"], k))
        for k in cells.RETENTION_COUNTS)]


def visible_curves(results: dict, variable: str) -> list[str]:
    """The retention curves the figure may draw: a curve shows its group's size, completion and
    when people left, so every one of those counts must be shown (analysis.privacy.counts)."""
    curves = results["retention_curves"][variable]["curves"]
    visible = {g["group"] for g in visible_groups(results, variable)}
    return [g for g, points in curves.items() if g in visible and not any(
        cells.is_hidden(results, cells.curve_step(results, variable, g, p["session"]))
        for p in points[:-1])]


PROFILE_VARIABLES = (("age_group", PALETTE["orange"]), ("sector", PALETTE["green"]))


def profile(results: dict, lang: str):
    fig, axes = _figure(ncols=2, figsize=(7.5, 3.8), gridspec_kw={"width_ratios": [1, 2]})
    for ax, (variable, color) in zip(axes, PROFILE_VARIABLES, strict=True):
        groups = visible_groups(results, variable)
        labels = [textwrap.fill(group_label(variable, g["group"], lang), 12) for g in groups]
        rates = [100 * g["completion_rate"] for g in groups]
        bars = ax.bar(labels, rates, color=color)
        ax.bar_label(bars, labels=[f"n={g['n']}" for g in groups], padding=2, fontsize=8)
        if not groups and results["retention"].get(variable, {}).get("groups"):
            # every bar would give away a hidden count: say so, not an empty panel
            ax.text(0.5, 0.5, textwrap.fill(t("no_bar_shown", lang), 22), ha="center",
                    va="center", transform=ax.transAxes, fontsize=8.5, color="#555")
            ax.set_xticks([])
        ax.set_ylim(0, 115)
        ax.set_title(codebook.label(variable, None, lang), fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
    axes[0].set_ylabel(t("profile_ylabel", lang))
    fig.suptitle(t("profile_title", lang), fontweight="bold")
    fig.tight_layout()
    return fig


def activity(results: dict, lang: str):
    a = results["activity"]
    if not a["daily"]:
        return None  # no chat export
    days = [dt.date.fromisoformat(d["date"]) for d in a["daily"]]
    fig, ax = _figure()
    for role, color in (("participant", PALETTE["blue"]), ("facilitator", PALETTE["orange"]),
                        ("unmatched", PALETTE["grey"])):
        values = [d.get(role, 0) for d in a["daily"]]
        if any(values):
            ax.plot(days, values, marker="o", markersize=3, color=color,
                    label=t(f"role_{role}", lang))
    top = max((max(d.get("participant", 0), d.get("facilitator", 0)) for d in a["daily"]),
              default=1)
    for i, day in enumerate(a["session_dates"], start=1):
        x = dt.date.fromisoformat(day)
        ax.axvline(x, color="black", linestyle="--", linewidth=0.8)
        ax.text(x, top * 1.05, t("session_marker", lang, n=i), ha="center", fontsize=8)
    ax.set_ylim(0, top * 1.15 + 1)
    ax.set_ylabel(t("activity_ylabel", lang))
    ax.set_xlabel(t("activity_xlabel", lang))
    ax.set_title(t("activity_title", lang))
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: reader_day(num2date(x).date(), lang)))
    fig.autofmt_xdate()
    return fig


# The models the report's forest plot draws, each with its name and colour.
FOREST_MODELS = (("participant", "forest_participant", PALETTE["blue"]),
                 ("hazard_logit", "forest_hazard", PALETTE["red"]))


def _effects(model: dict | None, lang: str, name: str | None, color: str) -> list[tuple]:
    """(term label, model name, ratio, low, high, colour) for every finite effect of one model."""
    if not model or not model.get("fitted", True):
        return []
    rows = []
    for term in shown_terms(model):
        if not finite_effect(term, "odds_ratio"):
            continue
        ratio, low, high = effect(term, "odds_ratio")
        label = term_label(term["term"], lang, model.get("references", {}), short=True)
        rows.append((label, name, ratio, low, high, color))
    return rows


def _forest_rows(results: dict, lang: str) -> list[tuple]:
    """The effects of every model the report's forest plot draws (either may be absent)."""
    return [row for key, name_key, color in FOREST_MODELS
            for row in _effects(results["models"].get(key), lang, t(name_key, lang), color)]


def forest(results: dict, lang: str):
    """Every effect of the participant and hazard (logit) models, whatever their formulas."""
    return _forest_figure(_forest_rows(results, lang), lang)


def forest_plot(model: dict, lang: str, name: str | None = None):
    """One model's effects, from the model as results.json keeps it (a fit in the explore
    notebook, say); `name` goes under each term when given."""
    return _forest_figure(_effects(model, lang, name, PALETTE["blue"]), lang)


def _forest_figure(effects: list[tuple], lang: str):
    rows = [(textwrap.fill(label, 45), *rest) for label, *rest in effects]
    if not rows:
        return None  # no model, or nothing finite to show: the text says why
    fig, ax = _figure(figsize=(7.0, 0.55 * len(rows) + 1.4))
    for i, (_, model, ratio, low, high, color) in enumerate(reversed(rows)):
        ax.plot([low, high], [i, i], color=color, linewidth=2)
        ax.plot(ratio, i, "o", color=color, label=model)
    ax.set_yticks(range(len(rows)), [f"{r[0]}\n({r[1]})" if r[1] else r[0]
                                     for r in reversed(rows)], fontsize=8)
    ax.axvline(1, color="black", linewidth=0.8)
    ax.set_xscale("log")
    plain = matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}")  # 0.1, 1, 10: not 10⁰
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel(t("forest_xlabel", lang))
    ax.set_title(t("forest_title", lang))
    return fig


def figure_html(png: bytes, caption: str, alt: str) -> str:
    """A figure as the report shows it: the PNG inline, its text alternative (what a screen
    reader says, and what the tagged PDF's /Figure carries as /Alt) and its caption."""
    if not alt.strip():
        raise ValueError(f"a figure needs a text alternative: {caption}")
    source = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f'<figure class="report-figure"><img src="{source}" alt="{html.escape(alt)}">'
            f'<figcaption class="caption">{html.escape(caption)}</figcaption></figure>')


def show_figure(fig, caption: str, alt: str) -> None:
    """Display a figure with its caption and text alternative, leaving no stray repr behind;
    None (nothing to draw, said in the text) shows nothing."""
    from IPython.display import HTML, display

    if fig is None:
        return
    display(HTML(figure_html(png_bytes(fig), caption, alt)))


def age_curve(results: dict, lang: str):
    """The modelled chance of completing at each age, with its 95% band: no points, no counts."""
    curve = results.get("age_curve")
    if not curve or not curve["drawn"]:
        return None
    ages = [p["age"] for p in curve["curve"]]
    fig, ax = _figure(figsize=(6.5, 3.6))
    ax.fill_between(ages, [100 * p["low"] for p in curve["curve"]],
                    [100 * p["high"] for p in curve["curve"]], color=PALETTE["blue"], alpha=0.2,
                    linewidth=0, label=t("age_curve_band", lang))
    ax.plot(ages, [100 * p["chance"] for p in curve["curve"]], color=PALETTE["blue"],
            label=t("age_curve_line", lang))
    ax.set_ylim(0, 100)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel(t("age_curve_xlabel", lang))
    ax.set_ylabel(t("age_curve_ylabel", lang))
    ax.set_title(t("age_curve_title", lang))
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def age_curve_alt(results: dict, lang: str) -> str | None:
    curve = results.get("age_curve")
    if not curve or not curve["drawn"]:
        return None
    first, last = curve["curve"][0], curve["curve"][-1]
    return t("alt_age_curve", lang, start=first["age"], end=last["age"],
             start_share=about_percent(first["chance"], lang),
             end_share=about_percent(last["chance"], lang),
             low=_pct(last["low"], lang), high=_pct(last["high"], lang))


def retained_by_session(funnel: dict, sessions: int) -> list[int]:
    """People still in the training at each session: the session-1 participants less those who
    stopped after an earlier one (the public funnel, as a curve; the pooled report sums it)."""
    after = {int(k): v for k, v in funnel["dropouts_after_session"].items()}
    stopped, retained = 0, []
    for session in range(1, sessions + 1):
        stopped += after.get(session - 1, 0)
        retained.append(funnel["enrolled"] - stopped)
    return retained


def overall_retention(results: dict) -> list[dict]:
    """Everyone's retention at each session, from the published funnel (so never hidden): the
    share of session-1 participants who had not yet stopped coming."""
    enrolled = results["funnel"]["enrolled"]
    sessions = results["cohort"].get("sessions") or len(results["cohort"]["session_dates"])
    return [{"session": session, "retained": left / enrolled if enrolled else None}
            for session, left in enumerate(retained_by_session(results["funnel"], sessions),
                                           start=1)]


def retention(results: dict, lang: str):
    """Kaplan-Meier retention over sessions, by age group, age class and sector, with everyone's
    curve (the funnel, public) in every panel: drawn whenever there are two sessions."""
    variables = list(results.get("retention_curves") or {})
    if not variables or not results["funnel"]["enrolled"]:
        return None  # one session: nothing to retain (the text says)
    overall = overall_retention(results)
    ncols, nrows = min(len(variables), 2), math.ceil(len(variables) / 2)
    fig, grid = _figure(ncols=ncols, nrows=nrows, figsize=(7.5, 3.4 * nrows), sharey=True,
                        squeeze=False)
    axes = grid.flatten()[: len(variables)]
    for spare in grid.flatten()[len(variables):]:
        spare.set_visible(False)
    colors = list(PALETTE.values())
    for ax, variable in zip(axes, variables, strict=True):
        block = results["retention_curves"][variable]
        sessions = [p["session"] for p in next(iter(block["curves"].values()))]
        drawn = visible_curves(results, variable)
        ax.step([p["session"] for p in overall], [100 * p["retained"] for p in overall],
                where="post", color="#555555", linestyle="--", linewidth=1.2,
                label=t("retention_everyone", lang, n=results["funnel"]["enrolled"]))
        if not drawn:  # every group's curve would give away a hidden count
            ax.text(0.5, 0.35, textwrap.fill(t("no_curve_shown", lang), 30), ha="center",
                    va="center", transform=ax.transAxes, fontsize=8.5, color="#555")
        for i, group in enumerate(drawn):
            points = block["curves"][group]
            sessions = [p["session"] for p in points]
            retained = [100 * p["retained"] for p in points]
            label = f"{group_label(variable, group, lang)} (n={points[0]['at_risk']})"
            ax.step(sessions, retained, where="post", color=colors[i % len(colors)],
                    marker="o", markersize=3, label=label)
        test = block["test"]
        title = codebook.label(variable, None, lang)
        if test["p_value"] is not None and len(drawn) == len(block["curves"]):
            title += f"\nlog-rank {p_phrase(test['p_value'], lang)}"
        ax.set_title(title, fontsize=9.5)
        ax.set_xticks(sessions, [t("session_marker", lang, n=s) for s in sessions])
        ax.set_ylim(0, 105)
        ax.legend(frameon=False, fontsize=7.5, loc="lower left")
    for row in grid:
        row[0].set_ylabel(t("retention_ylabel", lang))
    fig.suptitle(t("retention_title", lang), fontweight="bold")
    fig.tight_layout()
    return fig


def any_curve_drawn(results: dict) -> bool:
    """Whether the retention figure would draw any group's curve."""
    return any(visible_curves(results, v) for v in results.get("retention_curves") or {})


def pooled_group_retention(pooled: dict, lang: str):
    """The retention figure by group over every cohort, or None when it would draw no group's
    curve (the pooled report leaves out a figure of the everyone line alone, which Figure 1
    already draws per cohort, and says why in a sentence: `pooled_curves_note`)."""
    return retention(pooled, lang) if any_curve_drawn(pooled) else None


def power(planning: dict, lang: str):
    """Power against cohort size, one line per effect, the target marked."""
    fig, ax = _figure()
    colors = list(PALETTE.values())
    for i, term in enumerate(planning["needed"]):
        points = sorted((r["participants"], 100 * r["power"]) for r in planning["curve"]
                        if r["term"] == term)
        ax.plot(*zip(*points, strict=True), marker="o", color=colors[i % len(colors)],
                label=textwrap.fill(term_label(term, lang, short=True), 40))
    ax.axhline(100 * planning["target_power"], color="black", linestyle="--", linewidth=0.8)
    ax.set_ylim(0, 105)
    ax.set_xlabel(t("power_col_n", lang))
    ax.set_ylabel(t("power_ylabel", lang))
    ax.set_title(t("power_title", lang))
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    return fig


# Text alternatives: what each figure shows, in one or two sentences of the report's language,
# from the numbers the figure draws. A screen reader reads them (HTML alt, tagged PDF /Alt).
# They never state a count or rate of a group the tables hide: the profile and retention texts
# name only visible_groups().

def _and(items: list[str], lang: str) -> str:
    """'a, b and c' / 'a, b dan c'."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t('alt_and', lang)} {items[-1]}"


def _pct(share: float, lang: str) -> str:
    return number(100 * share, lang, 0) + "%"


def funnel_alt(results: dict, lang: str) -> str:
    f = results["funnel"]
    sessions = [t("alt_at_session", lang, n=n, session=i)
                for i, n in enumerate(f["attended_by_session"], start=1)]
    return t("alt_funnel", lang, registered=f["registered"], sessions=_and(sessions, lang))


def profile_alt(results: dict, lang: str) -> str:
    parts = []
    for variable, _ in PROFILE_VARIABLES:
        groups = visible_groups(results, variable)
        shown = (", ".join(f"{group_label(variable, g['group'], lang)} "
                           f"({_pct(g['completion_rate'], lang)})" for g in groups)
                 if groups else t("alt_no_group", lang))
        parts.append(f"{codebook.label(variable, None, lang)}: {shown}")
    return t("alt_profile", lang, parts="; ".join(parts))


def retention_alt(results: dict, lang: str) -> str | None:
    if not results.get("retention_curves") or not results["funnel"]["enrolled"]:
        return None  # no figure either
    last = overall_retention(results)[-1]
    parts = [t("alt_retention_everyone", lang, session=last["session"],
               share=_pct(last["retained"], lang))]
    for variable, block in results["retention_curves"].items():
        curves = block["curves"]
        shown = visible_curves(results, variable)
        part = codebook.label(variable, None, lang)
        if shown:
            last = curves[shown[0]][-1]["session"]
            part += f", {t('alt_retention_at', lang, session=last)}: " + ", ".join(
                f"{group_label(variable, g, lang)} ({_pct(curves[g][-1]['retained'], lang)})"
                for g in shown)
        else:
            part += ": " + t("alt_no_group", lang)
        if block["test"]["p_value"] is not None and len(shown) == len(curves):
            part += f" (log-rank {p_phrase(block['test']['p_value'], lang)})"
        parts.append(part)
    return t("alt_retention", lang, parts="; ".join(parts))


def activity_alt(results: dict, lang: str) -> str | None:
    a = results["activity"]
    if not a["daily"]:
        return None
    totals = []
    for role in ("participant", "facilitator", "unmatched"):
        values = [d.get(role, 0) for d in a["daily"]]
        if any(values):
            totals.append(f"{t(f'role_{role}', lang).lower()} {number(sum(values), lang, 0)}")
    text = t("alt_activity", lang, start=reader_date(a["daily"][0]["date"], lang),
             end=reader_date(a["daily"][-1]["date"], lang),
             sessions=reader_dates(a["session_dates"], lang),
             totals=_and(totals, lang) if totals else "0")
    peak = max(a["daily"], key=lambda d: d.get("participant", 0))
    if peak.get("participant", 0):
        text += " " + t("alt_activity_peak", lang, n=peak["participant"],
                          date=reader_date(peak["date"], lang))
    return text


def forest_alt(results: dict, lang: str) -> str | None:
    return _forest_alt(_forest_rows(results, lang), lang)


def forest_plot_alt(model: dict, lang: str, name: str | None = None) -> str | None:
    return _forest_alt(_effects(model, lang, name, PALETTE["blue"]), lang)


def _forest_alt(rows: list[tuple], lang: str) -> str | None:
    if not rows:
        return None
    by_model: dict[str | None, list[str]] = {}
    for label, model, ratio, low, high, _ in rows:
        by_model.setdefault(model, []).append(
            f"{label} {number(ratio, lang, 2)} ({number(low, lang, 2)}–{number(high, lang, 2)})")
    effects = "; ".join(f"{model}: {', '.join(items)}" if model else ", ".join(items)
                        for model, items in by_model.items())
    return t("alt_forest", lang, effects=effects)


def power_alt(planning: dict, lang: str) -> str:
    target = _pct(planning["target_power"], lang)
    parts = []
    for term, needed in planning["needed"].items():
        points = sorted((r["participants"], r["power"]) for r in planning["curve"]
                        if r["term"] == term)
        (n_low, low), (n_high, high) = points[0], points[-1]
        reach = (t("alt_power_needed", lang, target=target, n=needed) if needed is not None
                 else t("alt_power_not_reached", lang, target=target, n=n_high))
        parts.append(t("alt_power_term", lang, label=term_label(term, lang, short=True),
                       low=_pct(low, lang), n_low=n_low, high=_pct(high, lang), n_high=n_high)
                     + f" ({reach})")
    return t("alt_power", lang, target=target, parts="; ".join(parts))


def pooled_retention(pooled: dict, lang: str):
    """Each cohort's retention from session to session (its public funnel): one line each."""
    cohorts = [c for c in pooled["cohorts"] if c["enrolled"] and c["sessions"] > 1]
    if not cohorts:
        return None
    fig, ax = _figure(figsize=(6.5, 3.6))
    colors = list(PALETTE.values())
    for i, c in enumerate(cohorts):
        sessions = list(range(1, c["sessions"] + 1))
        ax.step(sessions, [100 * r / c["enrolled"] for r in c["retained_by_session"]],
                where="post", color=colors[i % len(colors)],
                linestyle=("-", "--", ":", "-.")[i // len(colors) % 4],
                label=f"{c['title'][lang]} (n={c['enrolled']})")
    ax.set_ylim(0, 105)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel(t("col_session", lang))
    ax.set_ylabel(t("retention_ylabel", lang))
    ax.set_title(t("pooled_retention_title", lang))
    ax.legend(frameon=False, fontsize=7.5, loc="lower left")
    fig.tight_layout()
    return fig


def pooled_retention_alt(pooled: dict, lang: str) -> str | None:
    cohorts = [c for c in pooled["cohorts"] if c["enrolled"] and c["sessions"] > 1]
    if not cohorts:
        return None
    lines = [t("alt_pooled_retention_line", lang, cohort=c["title"][lang],
               first=number(100, lang, 0), sessions=c["sessions"],
               last=number(100 * c["retained_by_session"][-1] / c["enrolled"], lang, 0))
             for c in cohorts]
    return t("alt_pooled_retention", lang, lines="; ".join(lines))
