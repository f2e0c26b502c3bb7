"""End to end: `python -m assistant serve` (extractive generator, a fresh index)
driven by Debian Chromium through Playwright.

Needs /usr/bin/chromium and fonts-noto-cjk (`apt-get install -y chromium
fonts-noto-cjk`, done by scripts/setup.sh). Saves evals/out/screenshots/chat.png.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import web
from assistant.config import ROOT
from tests.conftest import free_port, indexed_settings, stop

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SCREENSHOT = ROOT / "evals" / "out" / "screenshots" / "chat.png"
TIMEOUT_MS = 60_000

# Waits until the newest bot message is a finished answer: more bot messages
# than before, not a placeholder, not still streaming.
FINISHED = """([before, busy, cursor]) => {
  const bots = document.querySelectorAll('#chat [data-testid="bot"]');
  if (bots.length <= before) return false;
  const text = bots[bots.length - 1].innerText.trim();
  return text.length > 0 && !busy.includes(text) && !text.endsWith(cursor);
}"""


def _health(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url + "/health", timeout=5) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("browser")
    settings = indexed_settings(tmp)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp / "server.log").open("w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--generator", "extractive", "--store", str(settings.store_dir)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited ({proc.returncode}):\n"
                            + (tmp / "server.log").read_text())
            try:
                status, body = _health(url)
                if status == 200:
                    break
            except (OSError, ValueError):
                status, body = 0, {}
            if time.monotonic() > deadline:
                pytest.fail(f"/health never became ready: {status} {body}")
            time.sleep(0.5)
        assert body["generator"] == "extractive" and body["chunks"] > 0
        yield url
    finally:
        stop(proc)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def bot_messages(page) -> list[str]:
    return [m.inner_text().strip() for m in page.locator('#chat [data-testid="bot"]').all()]


def submit(page, text: str | None, *, press_enter: bool = False) -> str:
    """Send ``text`` (None: send whatever is in the box) and return the finished reply."""
    before = len(bot_messages(page))
    box = page.locator("#question textarea")
    if text is not None:
        box.fill(text)
    if press_enter:
        box.press("Enter")
    else:
        page.click("#send")
    page.wait_for_function(FINISHED, arg=[before, [web.SEARCHING, web.WRITING], web.CURSOR.strip()],
                           timeout=TIMEOUT_MS)
    return bot_messages(page)[-1]


def test_chat_in_the_browser(server: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server, "data:", "blob:")) else None)
    page.goto(server + "/", wait_until="domcontentloaded")
    page.locator("#question textarea").wait_for(timeout=TIMEOUT_MS)
    assert "Document assistant" in page.title() or "文档助手" in page.title()

    # English, sent with the Enter key.
    reply = submit(page, "How many rounds of negotiations did it take for Bonn to win the UNFCCC?",
                   press_enter=True)
    assert "四轮谈判" in reply and "[1]" in reply

    # Chinese: the answer names the four cities, cites [1], and the sources panel
    # lists the numbered passages with their section paths.
    reply = submit(page, "哪些城市与波恩竞争过UNFCCC秘书处？")
    assert "里约" in reply and "[1]" in reply
    sources = page.locator("#sources").inner_text()
    assert "[1]" in sources and "波恩吸引国际组织入驻 > " in sources
    for n in {m for m in range(1, 10) if f"[{m}]" in reply}:
        assert page.locator(f"#sources #source-{n}").count() == 1
    assert page.locator("#question textarea").input_value() == ""

    # A follow-up: the chat history goes back to the chain.
    reply = submit(page, "它后来发展到多少人？")
    assert "500多人" in reply

    # Bad input: a clear message, and the chat keeps working.
    reply = submit(page, "")
    assert reply.startswith("⚠️") and "empty" in reply and "问题为空" in reply
    reply = submit(page, "波" * 20_000)
    assert reply.startswith("⚠️") and "limit is 2000" in reply and "上限" in reply
    users = page.locator('#chat [data-testid="user"]').all()
    assert len(users[-1].inner_text()) < 700  # the pasted text is shortened in the chat

    # An example question, run on click.
    before = len(bot_messages(page))
    page.locator("#examples").get_by_text("波恩为国际组织提供了哪些硬件优势？", exact=True).click()
    page.wait_for_function(FINISHED, arg=[before, [web.SEARCHING, web.WRITING], web.CURSOR.strip()],
                           timeout=TIMEOUT_MS)
    reply = bot_messages(page)[-1]
    # Quoted from the section's outline (its subsection headings), cited.
    assert re.search(r"\[\d\]", reply) and "安全" in reply
    assert "硬件优势" in page.locator("#sources").inner_text()

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
    assert outside == [], f"the page reached outside the server: {outside}"

    # The clear button empties the chat; a fresh question still works.
    page.click("#clear")
    page.wait_for_function("() => !document.querySelector('#chat [data-testid=\"bot\"]')",
                           timeout=TIMEOUT_MS)
    assert "[1]" in submit(page, "上海可以从波恩学到什么？")
    page.close()
