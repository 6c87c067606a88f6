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

from analysis.outputs import atomic_write
from analysis.report.catalogue import both, t
from analysis.report.dates import reader_date, reader_dates
from analysis.report.editions import is_team, restricted_line
from analysis.report.pdf_tags import with_header_scopes

# Screen first (a browser, a phone 390 px wide); page breaks and page furniture only in print
# (WeasyPrint renders the print media type).
CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.45;
       color: #222; max-width: 52em; margin: 0 auto; padding: 1em; }
.cover h1 { font-size: 22pt; line-height: 1.2; color: #0072B2; margin-bottom: .3em; }
.cover .kind { font-size: 13pt; color: #444; }
.banner { border: 2px solid #D55E00; color: #D55E00; font-weight: bold; padding: .6em .8em;
          margin: 2em 0; }
.toc ol { line-height: 1.9; }
.toc a { color: #0072B2; text-decoration: none; }
h2 { color: #0072B2; border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.6em;
     page-break-after: avoid; }
h3 { page-break-after: avoid; }
img { max-width: 100%%; height: auto; display: block; margin: .5em auto; page-break-inside: avoid; }
.table-scroll { overflow-x: auto; max-width: 100%%; margin: .8em 0; }
table.report-table { border-collapse: collapse; margin: 0; font-size: 9pt;
                     page-break-inside: avoid; }
table.report-table caption { caption-side: top; text-align: left; font-weight: bold;
                             padding-bottom: .3em; }
table.report-table th, table.report-table td { border: 1px solid #bbb; padding: .25em .5em;
                                               text-align: left; vertical-align: top; }
table.report-table th { background: #eef4fa; }
table.report-table td { word-break: break-word; }
.caption { font-size: 8.5pt; color: #444; font-style: italic; margin-top: 0; }
@media screen {
  body { font-size: 16px; max-width: 46em; padding: .75em 1em 3em; overflow-wrap: break-word; }
  .cover { padding: 1em 0 .5em; border-bottom: 1px solid #ccc; }
  .cover h1 { font-size: 1.6em; margin-top: .2em; }
  .cover .kind { font-size: 1em; margin: 0; }
  .banner { margin: 1em 0; }
  table.report-table { font-size: .85em; }
}
@media screen and (max-width: 600px) {  /* a phone: tables fit where they can, else scroll */
  body { padding: .5em .6em 2em; }
  table.report-table { font-size: .72em; }
  table.report-table th, table.report-table td { padding: .2em .3em; }
}
@media print {
  @page { size: A4; margin: 2cm 1.8cm 2.2cm 1.8cm;
    @bottom-center { content: "%(page)s " counter(page) " / " counter(pages); font-size: 8.5pt;
                     color: #555; } }
  @page :first { @bottom-center { content: none; } }
  .cover { min-height: 24cm; page-break-after: always; padding-top: 5cm; }
  .toc { page-break-after: always; }
  .table-scroll { overflow: visible; }
}
/* Paper: nothing cut where a reader needs it whole. A heading or a table's
   caption stays with what follows; a table repeats its header row on every page it spans and
   breaks only between rows; a figure stays whole, with its caption. */
h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
table.report-table caption { break-after: avoid; }
table.report-table thead { display: table-header-group; }
table.report-table tr { break-inside: avoid; page-break-inside: avoid; }
figure.report-figure { margin: .8em 0; break-inside: avoid; page-break-inside: avoid; }
figure.report-figure img { margin-bottom: .2em; }
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


PLANNING = ("pooled", "power")  # reports across cohorts, each in reports/<id>/
# a title's own "(DATA SINTETIS)", left out where a notice already says it
SYNTHETIC_IN_TITLE = re.compile(r"\s*\((?:DATA SINTETIS|SYNTHETIC DATA)\)\s*$", re.IGNORECASE)
TABLE = re.compile(r'<table class="report-table".*?</table>', re.DOTALL)


def _scrolling_tables(body: str) -> str:
    """Each report table in a wrapper that scrolls sideways on a narrow screen, so a wide table
    never widens the page (print CSS lets it flow)."""
    return TABLE.sub(lambda m: f'<div class="table-scroll">{m.group(0)}</div>', body)


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


# The team edition (report/editions.py): a banner at the top of the cover (the first screen,
# the first page) and, on paper, the same line at the top of every page (a page margin box, which
# WeasyPrint repeats on each page and tags as page furniture).
RESTRICTED_CSS = """
.restricted { border: 3px solid #A50026; background: #FDECEA; color: #A50026; font-weight: bold;
              padding: .6em .8em; margin: 0 0 1em; }
@media print {
  @page { @top-center { content: "%(line)s"; font-family: "DejaVu Sans", Arial, sans-serif;
                        font-size: 8.5pt; font-weight: bold; color: #A50026; } }
}
"""


def _css_string(text: str) -> str:
    """Text for a CSS string in double quotes."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _restricted(results: dict, lang: str) -> tuple[str, str]:
    """(the cover's restricted banner, the style that repeats it on every page) for the team
    edition; two empty strings for the public one."""
    if not is_team(results):
        return "", ""
    line = restricted_line(lang)
    banner = (f'<p class="restricted">{html.escape(line)}</p>\n'
              f'<p>{html.escape(t("team_edition_note", lang))}</p>\n')
    return banner, f"<style>{RESTRICTED_CSS % {'line': _css_string(line)}}</style>"


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
    banner = (f'<div class="banner">{html.escape(t("synthetic_banner", lang))}</div>'
              if cohort["synthetic"] else "")
    if cohort["id"] in PLANNING:  # pooled, power: not one cohort's sessions
        kind, prepared = t(f"report_kind_{cohort['id']}", lang), t("prepared_by_planning", lang)
        covered = ", ".join(SYNTHETIC_IN_TITLE.sub("", c["title"][lang]) if cohort["synthetic"]
                            else c["title"][lang] for c in results.get("cohorts", []))
        about = t("cohorts_line", lang, cohorts=covered) if covered else ""
    else:
        kind, prepared = t("report_kind", lang), t("prepared_by", lang)
        dates = reader_dates(cohort["session_dates"], lang)
        about = t("sessions_line", lang, dates=dates) if dates else ""
    restricted, restricted_css = _restricted(results, lang)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>{CSS % {"page": t("page", lang)}}</style>{restricted_css}</head>
<body>
<section class="cover">
{restricted}<p class="kind">{html.escape(kind)}</p>
<h1>{title}</h1>
{banner}
{f'<p>{html.escape(about)}</p>' if about else ""}
<p>{html.escape(prepared)}</p>
</section>
<nav class="toc"><h2 class="toc-title">{html.escape(t("toc", lang))}</h2>{toc}</nav>
<main>{_scrolling_tables(body)}</main>
</body></html>
"""


UNDESCRIBED_IMAGE = re.compile(r'<img(?![^>]*\salt="[^"]*\S)[^>]*>')


def write_pdf(page: str, target: str | Path) -> None:
    # imported here: WeasyPrint loads Pango at import, which only rendering needs
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # Only inline data and local files: a report must never reach the network.
    fetcher = URLFetcher(allowed_protocols={"data", "file"})
    if UNDESCRIBED_IMAGE.search(page):
        raise ValueError("an image in the report has no text alternative (alt): "
                         "show figures with figures.show_figure(fig, caption, alt)")
    document = HTML(string=page, url_fetcher=fetcher)
    # PDF/UA-1: a tagged PDF (structure tree: headings, tables, figures with their /Alt) for
    # screen readers, with the page's <html lang> as /Lang and its <title> as the title shown;
    # WeasyPrint embeds (subsets of) the DejaVu fonts it uses.
    # WeasyPrint writes no /Scope for table headers: pdf_tags adds it (the headers' scope="col")
    tagged = with_header_scopes(document.write_pdf(pdf_variant="pdf/ua-1"))
    atomic_write(target, lambda p: Path(p).write_bytes(tagged))


def render_report(executed_notebook, results: dict, lang: str, html_path, pdf_path) -> None:
    page = render_html(executed_notebook, results, lang)
    atomic_write(html_path, lambda p: p.write_text(page, encoding="utf-8"))
    write_pdf(page, pdf_path)


INDEX_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; line-height: 1.45; color: #222;
       max-width: 60em; margin: 0 auto; padding: .75em 1em 3em; }
h1 { color: #0072B2; font-size: 1.6em; line-height: 1.2; }
.banner { border: 2px solid #D55E00; color: #D55E00; font-weight: bold; padding: .6em .8em; }
.table-scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: .9em; }
td, th { border: 1px solid #bbb; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #eef4fa; }
a { color: #0072B2; }
@media (max-width: 600px) {  /* a phone: each row a card, each cell labelled with its column */
  table, tbody, tr, td { display: block; } thead { display: none; }
  tr { border: 1px solid #bbb; margin: .8em 0; } td { border: none; padding: .2em .6em; }
  td[data-label]::before { content: attr(data-label) ": "; font-weight: bold; }
}
"""
INDEX_COLUMNS = ("index_col_cohort", "index_col_first_session", "index_col_registered",
                 "index_col_attendance", "index_col_dropouts", "index_col_reports")
LANGUAGES = (("id", ""), ("en", ".en"))  # a report's language and its file names' suffix


def _report_links(folder: str, available=None) -> str:
    """Links to a report in both languages, HTML and PDF (only the files that exist when
    `available`, the set of file names in its folder, is given)."""
    parts = []
    for lang, suffix in LANGUAGES:
        files = [f"report{suffix}.{kind}" for kind in ("html", "pdf")]
        links = [f'<a href="{folder}/{f}">{f.rsplit(".", 1)[1].upper()}</a>' for f in files
                 if available is None or f in available]
        if links:
            parts.append(f"{html.escape(t('language_name', lang))}: {' · '.join(links)}")
    return "<br>".join(parts)


def render_index(cohorts: list[dict], planning: list[tuple[dict, set]] = (),
                 built: str | None = None) -> str:
    """reports/index.html: every cohort at a glance and the reports across cohorts (pooled,
    power), each linked in both languages; the build date and the synthetic flag said once.
    `planning` holds (results, names of the files in its folder) per report across cohorts."""
    flags = {c["cohort"]["synthetic"] for c in cohorts} or {
        r["cohort"]["synthetic"] for r, _ in planning if r["cohort"]["id"] == "pooled"}
    mixed = len(flags) > 1
    columns = [html.escape(both(key)) for key in INDEX_COLUMNS]
    rows = []
    for c in cohorts:
        f = c["funnel"]
        mark = " †" if mixed and c["cohort"]["synthetic"] else ""
        by_session = " → ".join(str(n) for n in f["attended_by_session"])
        cid = html.escape(c["cohort"]["id"])
        first = (reader_date(c["cohort"]["session_dates"][0], "id")
                 if c["cohort"]["session_dates"] else "–")
        title = c["cohort"]["title"]["id"]
        if c["cohort"]["synthetic"]:  # the notice above (or † with it) says so, once
            title = SYNTHETIC_IN_TITLE.sub("", title)
        cells = [f"{html.escape(title)}{mark}", first, f["registered"], by_session,
                 f["dropouts"], _report_links(cid)]
        rows.append("<tr>" + "".join(f'<td data-label="{label}">{cell}</td>' for label, cell in
                                     zip(columns, cells, strict=True)) + "</tr>")
    across = "".join(
        f"<tr><td>{html.escape(t(r['cohort']['title_key'], 'id'))}<br>"
        f"<i>{html.escape(t(r['cohort']['title_key'], 'en'))}</i></td>"
        f"<td>{_report_links(html.escape(r['cohort']['id']), files)}</td></tr>"
        for r, files in planning)
    if flags == {True}:
        notice = f'<p class="banner">{html.escape(both("index_synthetic"))}</p>'
    elif mixed:
        notice = (f'<p class="banner">{html.escape(both("index_synthetic_mark"))}: '
                  f'{html.escape(both("index_synthetic_marked"))}</p>')
    else:
        notice = ""
    date = f"<p>{html.escape(both('index_built'))}: {built}</p>" if built else ""
    planning_table = (
        f"<h2>{html.escape(both('index_across'))}</h2>"
        '<div class="table-scroll"><table><thead><tr>'
        f"<th>{html.escape(both('index_col_report'))}</th>"
        f"<th>{html.escape(both('index_col_reports'))}</th></tr></thead>"
        f"<tbody>{across}</tbody></table></div>") if across else ""
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(t("index_title", "id"))}</title>
<style>{INDEX_CSS}</style></head>
<body><h1>{html.escape(both("index_title"))}</h1>
{notice}
{date}
<div class="table-scroll"><table><thead><tr>{''.join(f"<th>{c}</th>" for c in columns)}</tr></thead>
<tbody>{''.join(rows)}</tbody></table></div>
{planning_table}</body></html>
"""
