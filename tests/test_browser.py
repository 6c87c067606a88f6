"""The HTML reports as people read them: in Chromium, on a laptop (1280 px) and a phone (390 px).

No page is wider than the screen (a wide table scrolls inside its own wrapper), every figure
loads, the first screen shows the title and the synthetic-data notice, and every link of
reports/index.html leads to a file. Checked on two projects built by make in folders of their
own (conftest): the small cohort (`make report pooled`) and the checkout's demo cohorts
(`make report pooled power`). Screenshots at 390 px go to pytest's temporary folder (the path is
printed), never into the developer's reports/."""

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
SCREENS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
REPORTS = ("report.html", "report.en.html")
MEASURE = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth, innerHeight: window.innerHeight,
    images: [...document.images].map(i => ({complete: i.complete, width: i.naturalWidth})),
    firstScreen: ['h1', '.banner'].map(s => {
        const e = document.querySelector(s);
        if (!e) return {selector: s, missing: true};
        const r = e.getBoundingClientRect();
        return {selector: s, top: r.top, bottom: r.bottom, left: r.left, right: r.right};
    }),
})"""


def _html_files(reports: Path) -> list[Path]:
    files = [p for p in sorted(reports.glob("*/report*.html")) if p.name in REPORTS]
    return files + ([reports / "index.html"] if (reports / "index.html").exists() else [])


@pytest.fixture(scope="module")
def small_reports(small_project) -> Path:
    """The small cohort's reports/, as `make report pooled` built it (conftest)."""
    return small_project.reports


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"screenshots at 390 px: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


def _check_page(browser, page_file: Path, screenshots: Path) -> list[str]:
    """What is wrong with one HTML file at each screen width (empty: nothing); the phone's
    screenshots go to screenshots/<project>/<folder>/."""
    problems = []
    name = f"{page_file.parent.name}/{page_file.name}"
    for screen, viewport in SCREENS.items():
        page = browser.new_page(viewport=viewport)
        page.goto(page_file.resolve().as_uri())
        page.wait_for_load_state("load")
        m = page.evaluate(MEASURE)
        if m["scrollWidth"] > m["innerWidth"]:
            problems.append(f"{name} at {screen}: page {m['scrollWidth']} px wide on a "
                            f"{m['innerWidth']} px screen")
        broken = [i for i in m["images"] if not i["complete"] or i["width"] == 0]
        if broken:
            problems.append(f"{name} at {screen}: {len(broken)} image(s) did not load")
        for box in m["firstScreen"]:
            if box.get("missing"):
                problems.append(f"{name}: no {box['selector']}")
            elif box["top"] < 0 or box["bottom"] > m["innerHeight"] or box["left"] < 0 or (
                    box["right"] > m["innerWidth"]):
                problems.append(f"{name} at {screen}: {box['selector']} is not on the first "
                                f"screen ({box})")
        if screen == "phone":
            reports = page_file.parent if page_file.name == "index.html" else (
                page_file.parent.parent)
            shots = screenshots / reports.parent.name / (
                page_file.parent.name if page_file.name != "index.html" else "index")
            shots.mkdir(parents=True, exist_ok=True)
            stem = page_file.name.removesuffix(".html")
            page.screenshot(path=str(shots / f"{stem}-390.png"))
            page.screenshot(path=str(shots / f"{stem}-390-full.png"), full_page=True)
        page.close()
    return problems


def _index_links(index: Path) -> list[str]:
    return re.findall(r'href="([^"]+)"', index.read_text(encoding="utf-8"))


def test_built_reports_read_well_on_a_laptop_and_a_phone(browser, small_reports, screenshots):
    pages = _html_files(small_reports)
    cohort = [p for p in pages if p.parent.name not in ("pooled", "power", "reports")]
    pooled = [p for p in pages if p.parent.name == "pooled"]
    assert len(cohort) == 2 and len(pooled) == 2 and pages[-1].name == "index.html", pages
    problems = [problem for page in pages for problem in _check_page(browser, page, screenshots)]
    assert not problems, "\n".join(problems)


def test_the_index_links_every_report_in_both_languages_and_every_link_resolves(small_reports):
    index = small_reports / "index.html"
    links = _index_links(index)
    for folder in ("test-small", "pooled"):
        for name in ("report.html", "report.pdf", "report.en.html", "report.en.pdf"):
            assert f"{folder}/{name}" in links, (folder, name)
    missing = [link for link in links
               if not (index.parent / unquote(urlparse(link).path)).is_file()]
    assert not missing, missing
    page = index.read_text(encoding="utf-8")
    assert page.count("DATA SINTETIS") == 1 and "(sintetis / synthetic)" not in page
    assert re.search(r"Dibangun / Built: \d{4}-\d{2}-\d{2}", page)


def test_the_checkouts_reports_read_well_on_a_laptop_and_a_phone(browser, demo_project,
                                                                 screenshots):
    """The checkout's demo cohorts, pooled and power, as `make report pooled power` builds them
    (conftest's demo_project: built here, whatever the developer's reports/ holds)."""
    pages = _html_files(demo_project.reports)
    folders = {p.parent.name for p in pages}
    assert {"pooled", "power", "reports"} < folders and len(folders) >= 5, pages
    problems = [problem for page in pages for problem in _check_page(browser, page, screenshots)]
    index = demo_project.reports / "index.html"
    problems += [f"index.html links {link}, which does not exist" for link in _index_links(index)
                 if not (index.parent / unquote(urlparse(link).path)).is_file()]
    assert not problems, "\n".join(problems)
