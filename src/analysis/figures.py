"""The report's figures: one style, labelled axes, colour-blind-safe colours, finding titles."""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import codebook  # noqa: E402
from .report import effect, finite_effect, group_label, shown_terms, t, term_label  # noqa: E402

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


def profile(results: dict, lang: str):
    min_cell = results["parameters"]["min_cell"]
    fig, axes = _figure(ncols=2, figsize=(7.5, 3.8), gridspec_kw={"width_ratios": [1, 2]})
    for ax, variable, color in ((axes[0], "age_group", PALETTE["orange"]),
                                (axes[1], "sector", PALETTE["green"])):
        groups = [g for g in results["retention"][variable]["groups"] if g["n"] >= min_cell]
        labels = [textwrap.fill(group_label(variable, g["group"], lang), 12) for g in groups]
        rates = [100 * g["completion_rate"] for g in groups]
        bars = ax.bar(labels, rates, color=color)
        ax.bar_label(bars, labels=[f"n={g['n']}" for g in groups], padding=2, fontsize=8)
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
    fig.autofmt_xdate()
    return fig


def forest(results: dict, lang: str):
    """Every effect of the participant and hazard (logit) models, whatever their formulas (either
    may be absent, as in the explore notebook)."""
    rows = []
    for key, label_key, color in (("participant", "forest_participant", PALETTE["blue"]),
                                  ("hazard_logit", "forest_hazard", PALETTE["red"])):
        model = results["models"].get(key)
        if not model or not model.get("fitted", True):
            continue
        for term in shown_terms(model):
            if not finite_effect(term, "odds_ratio"):
                continue
            ratio, low, high = effect(term, "odds_ratio")
            name = textwrap.fill(term_label(term["term"], lang, model.get("references", {}),
                                            short=True), 45)
            rows.append((name, t(label_key, lang), ratio, low, high, color))
    if not rows:
        return None  # no model, or nothing finite to show: the text says why
    fig, ax = _figure(figsize=(7.0, 0.55 * len(rows) + 1.4))
    for i, (_, model, ratio, low, high, color) in enumerate(reversed(rows)):
        ax.plot([low, high], [i, i], color=color, linewidth=2)
        ax.plot(ratio, i, "o", color=color, label=model)
    ax.set_yticks(range(len(rows)), [f"{r[0]}\n({r[1]})" for r in reversed(rows)], fontsize=8)
    ax.axvline(1, color="black", linewidth=0.8)
    ax.set_xscale("log")
    plain = matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}")  # 0.1, 1, 10: not 10⁰
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel(t("forest_xlabel", lang))
    ax.set_title(t("forest_title", lang))
    return fig


def show_figure(fig, caption: str) -> None:
    """Display a figure as a PNG with its caption, leaving no stray repr behind; None (nothing to
    draw, said in the text) shows nothing."""
    from IPython.display import HTML, Image, display

    if fig is None:
        return

    display(Image(data=png_bytes(fig), format="png"))
    display(HTML(f'<p class="caption">{caption}</p>'))


def retention(results: dict, lang: str):
    """Kaplan-Meier retention over sessions, by age group and by sector."""
    from .report import p_phrase

    variables = list(results["retention_curves"])
    if not variables:
        return None  # one session: nothing to follow over time
    ncols, nrows = min(len(variables), 2), math.ceil(len(variables) / 2)
    fig, grid = _figure(ncols=ncols, nrows=nrows, figsize=(7.5, 3.4 * nrows), sharey=True,
                        squeeze=False)
    axes = grid.flatten()[: len(variables)]
    for spare in grid.flatten()[len(variables):]:
        spare.set_visible(False)
    colors = list(PALETTE.values())
    for ax, variable in zip(axes, variables, strict=True):
        block = results["retention_curves"][variable]
        for i, (group, points) in enumerate(block["curves"].items()):
            sessions = [p["session"] for p in points]
            retained = [100 * p["retained"] for p in points]
            label = f"{group_label(variable, group, lang)} (n={points[0]['at_risk']})"
            ax.step(sessions, retained, where="post", color=colors[i % len(colors)],
                    marker="o", markersize=3, label=label)
        test = block["test"]
        title = codebook.label(variable, None, lang)
        if test["p_value"] is not None:
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
