"""A researcher's session, for real: JupyterLab in headless Chromium, the model edited in the
parameters cell of 02_dropout_model, Run All, and the new term in the outputs."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analysis.ingest.clean import clean_cohort, write_outputs
from conftest import PROJECT_ROOT

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
COHORT = "demo-2023-08-jakarta"
NEW_FORMULA = "dropout ~ C(federation) + age + disability + np.log1p(messages_before_session2)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of the project's notebooks, next to processed demo data."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does this)")
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(PROJECT_ROOT / "notebooks", root / "notebooks")
    write_outputs(clean_cohort(PROJECT_ROOT / "data" / "raw" / COHORT),
                  root / "data" / "processed" / COHORT, root / "data" / "interim" / COHORT)
    port, token = _free_port(), "promise-test-token"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={port}",
         "--ip=127.0.0.1", f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
         f"--ServerApp.root_dir={root / 'notebooks'}", "--LabApp.news_url=",
         "--ServerApp.disable_check_xsrf=True", "--allow-root"],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start")
    yield {"url": url, "token": token, "root": root}
    server.terminate()
    server.wait(timeout=30)


def test_a_researcher_changes_the_model_in_jupyterlab_and_runs_all(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{lab['url']}/lab/tree/02_dropout_model.ipynb?token={lab['token']}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=60_000)
        # the parameters cell: select its text and write the new model in place of the old one
        cell = page.locator(".jp-CodeCell").filter(has_text="participant_formula =").first
        editor = cell.locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+A")
        source = editor.inner_text()
        old = next(line for line in source.splitlines()
                   if line.startswith("participant_formula ="))
        page.keyboard.insert_text(source.replace(old, f'participant_formula = "{NEW_FORMULA}"'))
        page.keyboard.press("Escape")
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        # done when every prompt shows a number, or a cell failed and nothing is still running
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                const failed = document.querySelector(
                    "[data-mime-type='application/vnd.jupyter.stderr']");
                return prompts.length && (prompts.every(p => /\\[\\d+\\]/.test(p.textContent))
                    || (failed && !prompts.some(p => p.textContent.includes('*'))));
            }""", timeout=180_000)
        outputs = page.locator(".jp-OutputArea").all_inner_texts()
        errors = page.locator("[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
        browser.close()
    text = "\n".join(outputs)
    assert "Traceback" not in text and not [e for e in errors if "Error" in e], errors
    assert "C(federation)[T.fsp_lem]" in text and "np.log1p(messages_before_session2)" in text
    # disability does not vary among the Jakarta demo's participants: left out, and said
    assert "'term': 'disability', 'reason': 'no_variation'" in text
    written = (lab["root"] / "reports" / COHORT / "results.json").read_text()
    assert NEW_FORMULA in written
