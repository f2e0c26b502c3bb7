"""End to end in Chromium: the documents tab (add, update, a bad file, remove)
and each answer's own sources, on `python -m assistant serve` with sign-in
configured (extractive generator, a fresh index). Saves
evals/out/screenshots/documents.png and answer-sources.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import ROOT

pytestmark = pytest.mark.slow

SHOTS = ROOT / "evals" / "out" / "screenshots"
NOTE = ("# Rhine ferry note\n\nThe Rhine ferry between Bonn and Königswinter carried "
        "{n} passengers on its first day in the spring of 2031.\n")
QUESTION = "How many passengers did the Rhine ferry between Bonn and Königswinter carry on its first day?"
LOGIN = {"username": "ana", "password": "long-pass"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, make_index, start_server) -> tuple[str, Path]:
    tmp = tmp_path_factory.mktemp("browser-docs")
    settings = make_index(tmp)
    url = start_server(["--generator", "extractive", "--store", str(settings.index.store_dir)],
                       env={"ASSISTANT_DOCS_DIR": str(settings.ingest.docs_dir),
                            "ASSISTANT_AUTH": f"{LOGIN['username']}:{LOGIN['password']}"})
    return url, tmp


def wait_text(page, selector: str, text: str, timeout: int = 30_000) -> None:  # noqa: ANN001
    page.wait_for_function("([s, t]) => (document.querySelector(s)?.innerText || '').includes(t)",
                           arg=[selector, text], timeout=timeout)


def open_tab(page, name: str) -> None:  # noqa: ANN001
    page.get_by_role("tab", name=name).click()


def ingest_file(page, path: Path) -> str:  # noqa: ANN001
    before = page.locator("#library-result").inner_text()
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.wait_for_timeout(500)
    page.click("#ingest")
    wait_result(page, before)
    return page.locator("#library-result").inner_text()


def wait_result(page, before: str) -> None:  # noqa: ANN001
    """Until the result line is a new outcome (not the progress bar's text)."""
    page.wait_for_function(
        "(before) => { const t = document.querySelector('#library-result').innerText.trim();"
        " return t !== before && ['已导入', '出错', '已移除'].some(m => t.startsWith(m)); }",
        arg=before, timeout=120_000)


def test_without_sign_in_nothing_is_shown(server, browser) -> None:  # noqa: ANN001
    url, _ = server
    from playwright.sync_api import Error

    context = browser.new_context()
    page = context.new_page()
    # The browser meets the sign-in challenge (headless, it has no one to ask).
    with pytest.raises(Error, match="AUTH"):
        page.goto(url + "/", wait_until="domcontentloaded")
    for path in ("/", "/v1/documents", "/gradio_api/info"):
        r = context.request.get(url + path)
        assert r.status == 401 and "文档" not in r.text()
    context.close()


def test_documents_are_added_updated_and_removed_in_the_browser(
        server, browser, submit) -> None:  # noqa: ANN001
    url, tmp = server
    context = browser.new_context(http_credentials=LOGIN, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(url + "/", wait_until="domcontentloaded")
    page.locator("#question textarea").wait_for(timeout=60_000)

    open_tab(page, "文档 · Documents")
    wait_text(page, "#documents-table", "bonn-shanghai.txt")
    note = tmp / "ferry.md"
    note.write_text(NOTE.format(n=412), encoding="utf-8")
    result = ingest_file(page, note)
    assert "Ingested ferry.md" in result and "added" in result
    wait_text(page, "#documents-table", "ferry.md")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "documents.png"), full_page=True)

    open_tab(page, "对话 · Chat")
    assert "412" in submit(page, QUESTION)

    # Each answer keeps its own sources: open the first answer's and see the ferry note.
    page.get_by_text("Sources of this answer").last.click()
    assert "ferry.md" in page.locator("#chat").inner_text()
    page.screenshot(path=str(SHOTS / "answer-sources.png"), full_page=True)

    open_tab(page, "文档 · Documents")
    note.write_text(NOTE.format(n=977), encoding="utf-8")
    assert "Ingested ferry.md" in ingest_file(page, note)
    bad = tmp / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7 truncated")
    result = ingest_file(page, bad)
    assert result.startswith("出错 · Error: broken.pdf") and str(tmp) not in result

    open_tab(page, "对话 · Chat")
    reply = submit(page, QUESTION)
    assert "977" in reply and "412" not in reply

    open_tab(page, "文档 · Documents")
    page.locator("#remove-name input").click()
    page.get_by_role("option", name="ferry.md").click()
    before = page.locator("#library-result").inner_text()
    page.click("#remove")
    wait_result(page, before)
    assert "Removed ferry.md" in page.locator("#library-result").inner_text()

    open_tab(page, "对话 · Chat")
    reply = submit(page, QUESTION)
    assert "977" not in reply
    context.close()


def test_the_page_fits_a_phone_and_the_tabs_work_there(server, browser, submit) -> None:  # noqa: ANN001
    url, _ = server
    context = browser.new_context(http_credentials=LOGIN, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(url + "/", wait_until="domcontentloaded")
    page.locator("#question textarea").wait_for(timeout=60_000)
    assert "[1]" in submit(page, "哪些城市与波恩竞争过UNFCCC秘书处？")
    open_tab(page, "文档 · Documents")
    wait_text(page, "#documents-table", "bonn-shanghai.txt")
    # Nothing wider than the screen (the table scrolls inside its own box).
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 400, width
    page.screenshot(path=str(SHOTS / "documents-390.png"), full_page=True)
    context.close()
