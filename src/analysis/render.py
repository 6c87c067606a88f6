"""Executed 03_report notebook -> report.html and report.pdf, and the reports index.

nbconvert renders the notebook's outputs (never its code); we wrap them in a page with a cover,
a table of contents and print CSS; WeasyPrint turns that page into the PDF. WeasyPrint needs no
browser and no TeX, so the PDF builds on a fresh machine from registry packages alone.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from .outputs import atomic_write
from .report import t

CSS = """
@page { size: A4; margin: 2cm 1.8cm 2.2cm 1.8cm;
  @bottom-center { content: "%(page)s " counter(page) " / " counter(pages); font-size: 8.5pt;
                   color: #555; } }
@page :first { @bottom-center { content: none; } }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.45;
       color: #222; max-width: 52em; margin: 0 auto; padding: 1em; }
.cover { min-height: 24cm; page-break-after: always; padding-top: 5cm; }
.cover h1 { font-size: 22pt; line-height: 1.2; color: #0072B2; margin-bottom: .3em; }
.cover .kind { font-size: 13pt; color: #444; }
.banner { border: 2px solid #D55E00; color: #D55E00; font-weight: bold; padding: .6em .8em;
          margin: 2em 0; }
.toc { page-break-after: always; }
.toc ol { line-height: 1.9; }
.toc a { color: #0072B2; text-decoration: none; }
h2 { color: #0072B2; border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.6em;
     page-break-after: avoid; }
h3 { page-break-after: avoid; }
img { max-width: 100%%; height: auto; display: block; margin: .5em auto; page-break-inside: avoid; }
table.report-table { border-collapse: collapse; margin: .8em 0; font-size: 9pt;
                     page-break-inside: avoid; }
table.report-table caption { caption-side: top; text-align: left; font-weight: bold;
                             padding-bottom: .3em; }
table.report-table th, table.report-table td { border: 1px solid #bbb; padding: .25em .5em;
                                               text-align: left; vertical-align: top; }
table.report-table th { background: #eef4fa; }
table.report-table td { word-break: break-word; }
.caption { font-size: 8.5pt; color: #444; font-style: italic; margin-top: 0; }
"""


def _quiet(nb) -> None:
    """Keep only what the report shows: no stray reprs, warnings or error tracebacks."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                continue
            if output.output_type == "error":
                raise ValueError("the executed report notebook holds an error; it cannot be shared")
            data = output.get("data", {})
            if set(data) <= {"text/plain"}:  # e.g. Text(0.5, 1.0, ...) or <Axes: ...>
                continue
            kept.append(output)
        cell.outputs = kept


def _with_toc(body: str) -> tuple[str, str]:
    """Give every <h2> an anchor and list them."""
    entries = []

    def anchor(match):
        entries.append(match.group(1))
        return f'<h2 id="section-{len(entries)}">{match.group(1)}</h2>'

    body = re.sub(r"<h2>(.*?)</h2>", anchor, body)
    items = "".join(f'<li><a href="#section-{i}">{text}</a></li>'
                    for i, text in enumerate(entries, start=1))
    return body, f"<ol>{items}</ol>"


def render_html(executed_notebook: str | Path, results: dict, lang: str) -> str:
    nb = nbformat.read(str(executed_notebook), as_version=4)
    _quiet(nb)
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, exclude_markdown=True, exclude_raw=True)
    body, _ = exporter.from_notebook_node(nb)
    body, toc = _with_toc(body)
    cohort = results["cohort"]
    # the pooled and power reports name their title in the catalogue; cohorts in cohort.yml
    title = html.escape(t(cohort["title_key"], lang) if "title_key" in cohort
                        else cohort["title"][lang])
    dates = ", ".join(cohort["session_dates"])
    banner = (f'<div class="banner">{html.escape(t("synthetic_banner", lang))}</div>'
              if cohort["synthetic"] else "")
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>{title}</title>
<style>{CSS % {"page": t("page", lang)}}</style></head>
<body>
<section class="cover">
<p class="kind">{html.escape(t("report_kind", lang))}</p>
<h1>{title}</h1>
{f'<p>{html.escape(t("sessions_line", lang, dates=dates))}</p>' if dates else ""}
{banner}
<p>{html.escape(t("prepared_by", lang))}</p>
</section>
<nav class="toc"><h2 class="toc-title">{html.escape(t("toc", lang))}</h2>{toc}</nav>
<main>{body}</main>
</body></html>
"""


def write_pdf(page: str, target: str | Path) -> None:
    # imported here: WeasyPrint loads Pango at import, which only rendering needs
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # Only inline data and local files: a report must never reach the network.
    fetcher = URLFetcher(allowed_protocols={"data", "file"})
    document = HTML(string=page, url_fetcher=fetcher)
    atomic_write(target, lambda p: document.write_pdf(p))


def render_report(executed_notebook, results: dict, lang: str, html_path, pdf_path) -> None:
    page = render_html(executed_notebook, results, lang)
    atomic_write(html_path, lambda p: p.write_text(page, encoding="utf-8"))
    write_pdf(page, pdf_path)


def render_index(cohorts: list[dict]) -> str:
    """reports/index.html: every cohort at a glance, linking to its reports."""
    rows = []
    for c in cohorts:
        f = c["funnel"]
        flag = " (sintetis / synthetic)" if c["cohort"]["synthetic"] else ""
        by_session = " → ".join(str(n) for n in f["attended_by_session"])
        cid = html.escape(c["cohort"]["id"])
        rows.append(
            f"<tr><td>{html.escape(c['cohort']['title']['id'])}{flag}</td>"
            f"<td>{c['cohort']['session_dates'][0]}</td><td>{f['registered']}</td>"
            f"<td>{by_session}</td><td>{f['dropouts']}</td>"
            f'<td><a href="{cid}/report.html">HTML</a> · <a href="{cid}/report.pdf">PDF</a> '
            f'(ID) · <a href="{cid}/report.en.html">HTML</a> · '
            f'<a href="{cid}/report.en.pdf">PDF</a> (EN)</td></tr>')
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Promise II Impact — laporan kohort</title>
<style>body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #bbb; padding: .3em .6em; }}
th {{ background: #eef4fa; }}</style></head>
<body><h1>Promise II Impact — laporan kohort / cohort reports</h1>
<table><thead><tr><th>Kohort / Cohort</th><th>Sesi 1 / Session 1</th>
<th>Mendaftar / Registered</th><th>Kehadiran per sesi / Attendance by session</th>
<th>Berhenti / Dropouts</th><th>Laporan / Reports</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></body></html>
"""
