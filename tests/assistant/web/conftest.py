"""Fixtures for the real-browser tests: Debian Chromium driven by Playwright
(no `playwright install`: /usr/bin/chromium comes from apt, see scripts/setup.sh)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant import web

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TIMEOUT_MS = 60_000
# Waits until the newest bot message is a finished answer: more bot messages
# than before, not a placeholder, not still streaming.
FINISHED = """([before, busy, cursor]) => {
  const bots = document.querySelectorAll('#chat [data-testid="bot"]');
  if (bots.length <= before) return false;
  const text = bots[bots.length - 1].innerText.trim();
  return text.length > 0 && !busy.some(b => text.startsWith(b.slice(0, 8))) && !text.endsWith(cursor);
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _bot_messages(page) -> list[str]:  # noqa: ANN001
    return [m.inner_text().strip() for m in page.locator('#chat [data-testid="bot"]').all()]


@pytest.fixture(scope="module")
def bot_messages() -> Callable:
    """``bot_messages(page)``: the text of every answer in the chat."""
    return _bot_messages


@pytest.fixture(scope="module")
def submit() -> Callable:
    """``submit(page, text, press_enter=False)``: send ``text`` (None: whatever
    is in the box) and return the finished reply."""

    def send(page, text: str | None, *, press_enter: bool = False) -> str:  # noqa: ANN001
        before = len(_bot_messages(page))
        box = page.locator("#question textarea")
        if text is not None:
            box.fill(text)
        if press_enter:
            box.press("Enter")
        else:
            page.click("#send")
        wait_answer(page, before)
        return _bot_messages(page)[-1]

    return send


def wait_answer(page, before: int) -> None:  # noqa: ANN001
    page.wait_for_function(FINISHED, arg=[before, [web.SEARCHING, web.WRITING, web.WAITING],
                                          web.CURSOR.strip()], timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def wait_for_answer() -> Callable:
    """``wait_for_answer(page, before)``: until the chat holds a finished answer after ``before``."""
    return wait_answer
