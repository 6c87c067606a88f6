"""The evaluation team's edition (`make team`, reports/<cohort>/team/): every count shown, marked
restricted on the cover and on every page in both languages, never linked from the index, and
leak-checked and PDF/UA-clean like the public report. Unit tests first (no build), then one
end-to-end build of a demo cohort."""

import copy
import csv
import json
import re
import subprocess

import nbformat
import pytest
from pypdf import PdfReader

from analysis.privacy import cells
from analysis.report import editions
from analysis.report.markup import HIDDEN_MARK, Count, table
from conftest import PROJECT_ROOT
from test_pdf_structure import pdf_problems, pdfua_findings

RESTRICTED = {"id": "Terbatas: untuk tim evaluasi (ILO, Evermos). Jangan diteruskan.",
              "en": "Restricted: for the evaluation team (ILO, Evermos). Do not forward."}
SUFFIX = {"id": "", "en": ".en"}
TD = re.compile(r"<td\b([^>]*)>([^<]*)</td>")
CELL_NAME = re.compile(r'\bdata-cell="([^"]+)"')


def count_cells(page: str) -> dict[str, tuple[bool, str]]:
    """Every count cell of a rendered report: its name -> (hidden, the text shown). (nbconvert
    may write a cell's attributes in any order.)"""
    found = {}
    for attributes, text in TD.findall(page):
        name = CELL_NAME.search(attributes)
        if name:
            found[name.group(1)] = ('class="hidden-count"' in attributes, text)
    return found


def _results() -> dict:
    """A results dict with one breakdown, two of its counts hidden by disclosure control."""
    return {
        "cohort": {"id": "demo-x", "synthetic": True, "session_dates": ["2024-03-05", "2024-03-12"],
                   "title": {"id": "Kohort X (DATA SINTETIS)", "en": "Cohort X (SYNTHETIC DATA)"}},
        "parameters": {"min_cell": 5},
        "funnel": {"registered": 25, "enrolled": 23, "completed": 16, "dropouts": 7,
                   "attended_by_session": [23, 16], "dropouts_after_session": {"1": 7}},
        "retention": {"age_group": {"groups": [
            {"group": "under_40", "n": 20, "completed": 15, "dropouts": 5},
            {"group": "40_plus", "n": 3, "completed": 1, "dropouts": 2}]}},
        "disclosure": {"rule": "primary below min_cell", "min_cell": 5,
                       "hidden": ["retention/age_group/40_plus/completed",
                                  "retention/age_group/40_plus/dropouts"]},
    }


def _counts(results: dict) -> list[Count]:
    return [Count(results, cells.retention(results, "age_group", g["group"], k), g[k])
            for g in results["retention"]["age_group"]["groups"] for k in cells.RETENTION_COUNTS]


# --- what the team edition shows ------------------------------------------------------------

def test_the_team_edition_shows_every_count_the_public_one_hides():
    results = _results()
    before = copy.deepcopy(results)
    public = editions.for_edition(results, "public")
    assert public is results and not editions.is_team(public)
    assert [c.text for c in _counts(public)] == ["20", "15", "5", "3", HIDDEN_MARK, HIDDEN_MARK]

    team = editions.for_edition(results, "team")
    assert editions.is_team(team) and team["edition"] == "team"
    assert team["disclosure"]["hidden"] == []
    assert team["disclosure"]["hidden_in_public"] == before["disclosure"]["hidden"]
    assert [c.text for c in _counts(team)] == ["20", "15", "5", "3", "1", "2"]
    assert not any(c.hidden for c in _counts(team))
    assert 'class="hidden-count"' not in table(["n"], [_counts(team)])
    assert 'class="hidden-count"' in table(["n"], [_counts(public)])
    assert results == before, "for_edition must not change the results it is given"


def test_the_team_edition_shows_every_group_in_the_figures_too():
    from analysis.report import figures

    results = _results()
    assert [g["group"] for g in figures.visible_groups(results, "age_group")] == ["under_40"]
    team = editions.for_edition(results, "team")
    assert [g["group"] for g in figures.visible_groups(team, "age_group")] == [
        "under_40", "40_plus"]
    # results from before disclosure control: the team edition still hides nothing
    old = {k: v for k, v in results.items() if k != "disclosure"}
    assert len(figures.visible_groups(editions.for_edition(old, "team"), "age_group")) == 2


def test_an_unknown_edition_is_refused():
    with pytest.raises(ValueError, match="unknown report edition 'internal'"):
        editions.for_edition(_results(), "internal")
    assert editions.EDITIONS == ("public", "team")
    assert editions.folder("reports/demo-x", "public").as_posix() == "reports/demo-x"
    assert editions.folder("reports/demo-x", "team").as_posix() == "reports/demo-x/team"


def test_the_report_notebook_runs_the_public_edition_by_default():
    from analysis.runner import defaults

    assert defaults("03_report.ipynb")["edition"] == "public"
    assert defaults("03_report.ipynb")["cohort"] == "demo-2023-08-jakarta"


# --- the restricted line, on the cover and on every page -------------------------------------

def test_the_restricted_line_is_in_the_catalogue_in_both_languages():
    for lang, line in RESTRICTED.items():
        assert editions.restricted_line(lang) == line


def _executed_notebook(path, results) -> None:
    """An executed report notebook in miniature: one table with its counts, and enough text
    for the report to run over several pages."""
    body = table(["Group", "n", "Completed", "Dropouts"],
                 [["<40", *_counts(results)[:3]], ["40+", *_counts(results)[3:]]], "Age group")
    long = "<h2>Section</h2>" + "<p>Lorem ipsum dolor sit amet. </p>" * 60
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("show(...)", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": f"<h2>Attendance</h2>{body}{long}"})])]
    nbformat.write(notebook, str(path))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_team_edition_says_it_is_restricted_on_the_cover_and_every_pdf_page(tmp_path, lang):
    from analysis.report.render import render_html, write_pdf

    executed = tmp_path / "03_report.ipynb"
    public = _results()
    team = editions.for_edition(public, "team")
    _executed_notebook(executed, public)
    public_page = render_html(executed, public, lang)
    assert RESTRICTED[lang] not in public_page and "restricted" not in public_page
    _executed_notebook(executed, team)
    page = render_html(executed, team, lang)
    cover = page.split('<section class="cover">', 1)[1].split("</section>", 1)[0]
    # the first thing on the cover (the first screen, the first page)
    assert cover.lstrip().startswith(f'<p class="restricted">{RESTRICTED[lang]}</p>')
    assert f'@top-center {{ content: "{RESTRICTED[lang]}"' in page  # every printed page
    assert '<th scope="col">' in page and 'class="hidden-count"' not in page
    pdf = tmp_path / "report.pdf"
    write_pdf(page, pdf)
    pages = PdfReader(pdf).pages
    assert len(pages) >= 3
    for number, one in enumerate(pages, start=1):
        assert RESTRICTED[lang] in " ".join(one.extract_text().split()), f"page {number}"
    assert pdf_problems(pdf) == [] and pdfua_findings(pdf) == []


# --- never linked from the index --------------------------------------------------------------

def test_the_index_never_links_a_team_edition(tmp_path):
    """reports/<cohort>/team/ holds a full edition (and even a results.json): `analysis index`
    lists the cohort and links its public reports only."""
    from analysis.commands import main

    results = _results()
    folder = tmp_path / "demo-x"
    (folder / "team" / "notebooks").mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps(results), encoding="utf-8")
    (folder / "team" / "results.json").write_text(json.dumps(results), encoding="utf-8")
    for name in ("report.html", "report.pdf", "report.en.html", "report.en.pdf"):
        (folder / name).write_text("public", encoding="utf-8")
        (folder / "team" / name).write_text("team", encoding="utf-8")
    pooled = tmp_path / "pooled"
    (pooled / "team").mkdir(parents=True)
    (pooled / "results.json").write_text(json.dumps(
        {"cohort": {"id": "pooled", "title_key": "report_kind_pooled", "synthetic": True}}))
    for name in ("report.html", "report.pdf"):
        (pooled / name).write_text("public", encoding="utf-8")
        (pooled / "team" / name).write_text("team", encoding="utf-8")
    assert main(["index", "--reports-dir", str(tmp_path)]) == 0
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', page)
    assert "demo-x/report.html" in links and "pooled/report.html" in links
    assert not [link for link in links if "team" in link.split("/")], links
    assert page.count("Kohort X") == 1  # the cohort once, not again for its team folder


# --- the Makefile --------------------------------------------------------------------------------

def _make(*args) -> str:
    return subprocess.run(["make", "-s", "--no-print-directory", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, check=True).stdout


def test_make_team_is_listed_and_builds_the_four_files_and_the_stamp_per_cohort():
    assert re.search(r"make team +the evaluation team's edition", _make("help"))
    listed = _make("print-team_files", "COHORT=demo-x").split()
    assert listed == [f"reports/demo-x/team/{name}" for name in (
        "report.html", "report.pdf", "report.en.html", "report.en.pdf", "privacy.ok")]
    phony = next(line for line in (PROJECT_ROOT / "Makefile").read_text().splitlines()
                 if line.startswith(".PHONY:"))
    assert "team" in phony.split()


# --- end to end: make report team for one demo cohort -----------------------------------------

COHORT = "demo-2023-09-sukabumi"


def test_make_team_builds_the_restricted_edition_of_a_cohort(make_project):
    """One make run in a fresh copy of the project: the public report (for comparison, and the
    index) and the team edition of one demo cohort."""
    project = make_project(name="team-project")
    project.build("report", "team", f"COHORT={COHORT}")
    public, team = project.reports / COHORT, project.reports / COHORT / "team"
    assert sorted(p.name for p in team.iterdir()) == [
        "notebooks", "privacy.ok", "report.en.html", "report.en.pdf", "report.html", "report.pdf"]
    assert sorted(p.name for p in (team / "notebooks").iterdir()) == [
        "03_report.en.ipynb", "03_report.id.ipynb"]
    assert "no roster name or phone found in" in (team / "privacy.ok").read_text()
    results = json.loads((public / "results.json").read_text(encoding="utf-8"))
    hidden = set(results["disclosure"]["hidden"])
    assert hidden, "the demo cohort's public report hides some counts"
    for lang, line in RESTRICTED.items():
        name = f"report{SUFFIX[lang]}"
        page = (team / f"{name}.html").read_text(encoding="utf-8")
        shown = (public / f"{name}.html").read_text(encoding="utf-8")
        assert f'<p class="restricted">{line}</p>' in page and line not in shown
        assert 'class="hidden-count"' not in page and 'class="hidden-count"' in shown
        assert '<th scope="col">' in page
        # every table of the public report, every count shown: what it marks x, the team's
        # shows (and the tables the public report could only put in a sentence are there too)
        team_cells = {cell: value for cell, (_, value) in count_cells(page).items()}
        public_cells = count_cells(shown)
        assert public_cells.keys() <= team_cells.keys()
        assert all(value.isdigit() for value in team_cells.values())
        marked = {cell for cell, (hidden_here, _) in public_cells.items() if hidden_here}
        assert marked and marked <= hidden
        assert all(public_cells[cell][1] == team_cells[cell] for cell in public_cells.keys()
                   - marked)
        pdf = team / f"{name}.pdf"
        for number, one in enumerate(PdfReader(pdf).pages, start=1):
            assert line in " ".join(one.extract_text().split()), f"{pdf.name} page {number}"
        assert pdf_problems(pdf) == [] and pdfua_findings(pdf) == [], pdf.name
    index = (project.reports / "index.html").read_text(encoding="utf-8")
    assert f'href="{COHORT}/report.html"' in index
    assert "team" not in " ".join(re.findall(r'href="([^"]+)"', index))
    # the leak check reads the team folder: a roster name put there is found
    leak = team / "notebooks" / "leak.html"
    with open(project.raw / COHORT / "roster.csv", encoding="utf-8", newline="") as file:
        someone = list(csv.DictReader(file))[2]["Nama Lengkap"]
    leak.write_text(f"<p>{someone}</p>", encoding="utf-8")
    done = project.run_analysis("check-privacy", COHORT, "--data-dir", project.data,
                                "--reports-dir", project.reports, "--only-also", "--also", team)
    assert done.returncode == 2 and "leak.html contains a name" in done.stderr
