"""The PDFs a print shop and a screen reader accept: every PDF the build makes is tagged
(a structure tree, marked content), says its language, gives every figure a text alternative and
embeds every font. `pdf_problems` reads a PDF with pypdf and lists what is missing."""

import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from conftest import project_files

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _struct_elements(root) -> list:
    """Every structure element under the structure tree root (depth first)."""
    found, stack, seen = [], [root], set()
    while stack:
        node = _resolve(stack.pop())
        if not hasattr(node, "get"):  # a marked-content id (an integer) or a null
            if isinstance(node, list):
                stack.extend(reversed(node))
            continue
        key = id(node)
        if key in seen:
            continue
        seen.add(key)
        if node.get("/Type") == "/StructElem" or "/S" in node:
            found.append(node)
        kids = _resolve(node.get("/K"))
        if kids is not None:  # reversed: the stack gives them back in reading order
            stack.extend(reversed(kids) if isinstance(kids, list) else [kids])
    return found


def _fonts(reader: PdfReader) -> dict[str, dict]:
    """Every font the pages use (descendant fonts of Type0 included), by name."""
    fonts, stack, seen = {}, [], set()
    for page in reader.pages:
        stack.append(page.get("/Resources"))
    while stack:
        resources = _resolve(stack.pop())
        if not hasattr(resources, "get") or id(resources) in seen:
            continue
        seen.add(id(resources))
        for font in (_resolve(resources.get("/Font")) or {}).values():
            font = _resolve(font)
            fonts[str(font.get("/BaseFont"))] = font
            for descendant in _resolve(font.get("/DescendantFonts")) or []:
                descendant = _resolve(descendant)
                fonts[str(descendant.get("/BaseFont"))] = descendant
            if font.get("/Resources") is not None:  # Type3 fonts have their own
                stack.append(font["/Resources"])
        for xobject in (_resolve(resources.get("/XObject")) or {}).values():
            xobject = _resolve(xobject)
            if xobject.get("/Resources") is not None:
                stack.append(xobject["/Resources"])
    return fonts


def pdf_problems(path: Path) -> list[str]:
    """What keeps the PDF from being tagged, with its language, described figures and embedded
    fonts: an empty list when nothing does."""
    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    problems = []
    if "/StructTreeRoot" not in catalog:
        problems.append("no structure tree (/StructTreeRoot): the PDF is untagged")
    mark_info = _resolve(catalog.get("/MarkInfo")) or {}
    if getattr(mark_info.get("/Marked"), "value", None) is not True:
        problems.append(f"/MarkInfo /Marked is not true: {mark_info}")
    lang = catalog.get("/Lang")
    if lang not in ("id", "en"):
        problems.append(f"/Lang is {lang!r}, not 'id' or 'en'")
    title = reader.metadata.title if reader.metadata else None
    if not title or not title.strip():
        problems.append("no title in the document information")
    if "/StructTreeRoot" in catalog:
        elements = _struct_elements(catalog["/StructTreeRoot"])
        figures = [e for e in elements if e.get("/S") == "/Figure"]
        for number, figure in enumerate(figures, start=1):
            alt = figure.get("/Alt")
            if alt is None or not str(alt).strip():
                problems.append(f"figure {number} of {len(figures)} has no /Alt")
    fonts = _fonts(reader)
    if not fonts:
        problems.append("no font found on any page")
    for name, font in fonts.items():
        if font.get("/Subtype") == "/Type0":
            continue  # its glyphs live in its descendant font, checked on its own
        if font.get("/Subtype") == "/Type3":
            continue  # glyphs drawn in the PDF itself: nothing to embed
        descriptor = _resolve(font.get("/FontDescriptor")) or {}
        if not any(key in descriptor for key in FONT_FILES):
            problems.append(f"font {name} is not embedded")
    return problems


def figure_alts(path: Path) -> list[str]:
    catalog = PdfReader(path).trailer["/Root"]
    return [str(e.get("/Alt", "")) for e in _struct_elements(catalog["/StructTreeRoot"])
            if e.get("/S") == "/Figure"]


def pdfua_findings(path: Path) -> list[str]:
    """What the PDF/UA-1 checker (pdfua, the machine-checkable subset) finds: one line each.
    A rule the checker could not run on the file ("not evaluated") is no finding."""
    import json
    import subprocess
    import sys

    done = subprocess.run([str(Path(sys.executable).with_name("pdfua")), "check", "--format",
                           "json", str(path)], capture_output=True, text=True)
    assert done.returncode in (0, 1, 2, 3), done.stderr  # 4: not a PDF, 5: usage
    report = json.loads(done.stdout)
    files = report if isinstance(report, list) else report.get("files", [report])
    found = []
    for entry in files:
        for finding in entry.get("findings", []):
            found.append(f"{finding.get('rule_id')} {finding.get('severity')} "
                         f"{finding.get('message', '')[:120]}")
    assert (done.returncode == 0) == (not found), done.stdout[:2000]
    return found


def _report_pdfs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/report*.pdf"))


# What `make report pooled power` builds from the committed data/raw (conftest's demo_project):
# each demo cohort's PDFs and those of the reports across cohorts, in both languages.
DEMO_REPORTS = [f"{folder}/{name}" for folder in [
    *sorted(name.split("/")[2] for name in project_files()
            if re.fullmatch(r"data/raw/[^/]+/cohort\.yml", name)),
    "pooled", "power"] for name in ("report.en.pdf", "report.pdf")]


@pytest.mark.e2e
def test_every_report_pdf_is_tagged_with_its_language_figure_texts_and_embedded_fonts(built_cohort):
    import json

    from analysis.report import figures

    pdfs = sorted(built_cohort["reports"].glob("report*.pdf"))
    assert [p.name for p in pdfs] == ["report.en.pdf", "report.pdf"]
    results = json.loads((built_cohort["reports"] / "results.json").read_text())
    # the retention figure is always drawn (everyone's curve is the funnel); the age curve
    # when the cohort has enough people with a known age
    curves = figures.retention_alt(results, "en") is not None
    assert curves
    ages = figures.age_curve_alt(results, "en") is not None
    for pdf, lang in zip(pdfs, ("en", "id"), strict=True):
        assert pdf_problems(pdf) == [], pdf
        assert pdfua_findings(pdf) == [], pdf
        assert PdfReader(pdf).trailer["/Root"]["/Lang"] == lang
        alts = figure_alts(pdf)
        # funnel, profile, retention, (age curve), activity, forest
        assert len(alts) == 5 + ages, alts
        # the alt texts are the report's language, from its numbers
        assert all(a.strip() for a in alts)
    english = " ".join(figure_alts(pdfs[0]))
    assert "Bar chart" in english and "Odds ratios" in english
    assert ("Kaplan–Meier" in english) == curves
    indonesian = " ".join(figure_alts(pdfs[1]))
    assert "Diagram batang" in indonesian and "Rasio odds" in indonesian


@pytest.mark.e2e
def test_the_demo_build_makes_every_pdf_expected(demo_project):
    assert [f"{p.parent.name}/{p.name}" for p in _report_pdfs(demo_project.reports)] == sorted(
        DEMO_REPORTS)


@pytest.mark.e2e
@pytest.mark.parametrize("pdf", DEMO_REPORTS)
def test_the_reports_built_here_are_tagged_too(demo_project, pdf):
    """Every PDF `make report`, `make pooled` and `make power` build from the committed demo
    cohorts (built in a copy of the project, conftest), in both languages, as they are
    emailed."""
    assert pdf_problems(demo_project.reports / pdf) == [], pdf
    assert pdfua_findings(demo_project.reports / pdf) == [], pdf


# Fast checks, without a build: the page render.write_pdf gets, and the figures' text alternatives.

def _results_with_a_small_group() -> dict:
    """Two age groups, one under min_cell (5): what the tables hide."""
    def curve(n, last):
        return [{"session": 1, "retained": 1.0, "at_risk": n},
                {"session": 2, "retained": last, "at_risk": n}]
    return {
        "parameters": {"min_cell": 5},
        "cohort": {"session_dates": ["2024-03-05", "2024-03-12"]},
        "funnel": {"enrolled": 23, "dropouts_after_session": {"1": 7}},  # 5 under 40, 2 over
        "retention": {
            "age_group": {"groups": [
                {"group": "under_40", "n": 20, "completed": 15, "completion_rate": 0.75},
                {"group": "40_plus", "n": 3, "completed": 1, "completion_rate": 1 / 3}]},
            "sector": {"groups": [
                {"group": "garment_textile", "n": 23, "completed": 16, "completion_rate": 0.7}]},
        },
        "retention_curves": {"age_group": {
            "curves": {"under_40": curve(20, 0.75), "40_plus": curve(3, 1 / 3)},
            "test": {"test": "log-rank", "p_value": 0.2}}},
    }


def test_text_alternatives_never_state_what_the_tables_hide():
    from analysis.report import figures

    results = _results_with_a_small_group()
    assert [g["group"] for g in figures.visible_groups(results, "age_group")] == ["under_40"]
    for lang, hidden, shown in (("en", "40 and over", "Under 40 (75%)"),
                                ("id", "40 tahun ke atas", "Di bawah 40 tahun (75%)")):
        for alt in (figures.profile_alt(results, lang), figures.retention_alt(results, lang)):
            assert shown in alt and hidden not in alt and "33%" not in alt, alt
    # the figure draws the same groups its text names
    fig = figures.profile(results, "en")
    assert [len(ax.patches) for ax in fig.axes] == [1, 1]


def test_a_figure_carries_its_text_alternative_and_caption():
    from analysis.report import figures

    page = figures.figure_html(b"\x89PNG", "Figure 1. <Attendance>", 'Bar chart: 48 "then" 29.')
    assert 'alt="Bar chart: 48 &quot;then&quot; 29."' in page
    assert "<figcaption" in page and "&lt;Attendance&gt;" in page
    with pytest.raises(ValueError, match="text alternative"):
        figures.figure_html(b"\x89PNG", "Figure 1.", " ")


def _page(lang: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>A report'
            f"</title></head><body><h2>Heading</h2><p>Text</p>{body}</body></html>")


def test_write_pdf_makes_a_tagged_pdf_with_language_alt_and_fonts(tmp_path):
    import base64
    import io

    from PIL import Image

    from analysis.report.render import write_pdf

    png = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(png, format="PNG")
    source = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    for lang in ("id", "en"):
        target = tmp_path / f"{lang}.pdf"
        write_pdf(_page(lang, f'<figure><img src="{source}" alt="A white square."></figure>'),
                  target)
        assert pdf_problems(target) == []
        assert pdfua_findings(target) == []
        assert PdfReader(target).trailer["/Root"]["/Lang"] == lang
        assert figure_alts(target) == ["A white square."]
    with pytest.raises(ValueError, match="no text alternative"):
        write_pdf(_page("en", f'<img src="{source}">'), tmp_path / "undescribed.pdf")
    assert not (tmp_path / "undescribed.pdf").exists()


def test_table_headers_carry_their_scope_so_pdfua_finds_nothing(tmp_path):
    """WeasyPrint tags <th> as /TH without /Scope (pdfua: UA-15-003, one warning per table);
    report.pdf_tags adds it: /Column in the header row, /Row for a header cell in the body."""
    import io

    import pikepdf
    from weasyprint import HTML

    from analysis.report.pdf_tags import scope_table_headers
    from analysis.report.render import write_pdf

    body = ('<table><thead><tr><th scope="col">Sesi</th><th scope="col">Hadir</th></tr></thead>'
            '<tbody><tr><th scope="row">1</th><td>48</td></tr><tr><td>2</td><td>30</td></tr>'
            "</tbody></table>")
    bare = tmp_path / "bare.pdf"
    bare.write_bytes(HTML(string=_page("en", body)).write_pdf(pdf_variant="pdf/ua-1"))
    assert any(f.startswith("UA-15-003") for f in pdfua_findings(bare))  # the gap it fills
    scoped = tmp_path / "scoped.pdf"
    write_pdf(_page("en", body), scoped)
    assert pdfua_findings(scoped) == []
    with pikepdf.open(scoped) as pdf:
        assert scope_table_headers(pdf) == 3
    again = tmp_path / "again.pdf"
    write_pdf(_page("en", body), again)
    assert again.read_bytes() == scoped.read_bytes()  # the same page, the same bytes
    with pikepdf.open(io.BytesIO(scoped.read_bytes())) as pdf:
        scopes = []
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            kids = node.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids else []
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if kid.S == pikepdf.Name.TH:
                        scopes.append(str(kid.A.Scope))
                    stack.append(kid)
        assert sorted(scopes) == ["/Column", "/Column", "/Row"]
