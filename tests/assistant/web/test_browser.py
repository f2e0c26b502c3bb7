"""End to end: `python -m assistant serve` (extractive generator, a fresh index)
driven by Debian Chromium through Playwright.

Needs /usr/bin/chromium and fonts-noto-cjk (`apt-get install -y chromium
fonts-noto-cjk`, done by scripts/setup.sh). Saves evals/out/screenshots/chat.png.
"""

from __future__ import annotations

import re

import pytest

from core.settings import ROOT

pytestmark = pytest.mark.slow

SCREENSHOT = ROOT / "evals" / "out" / "screenshots" / "chat.png"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, make_index, start_server) -> str:
    settings = make_index(tmp_path_factory.mktemp("browser"))
    return start_server(["--generator", "extractive", "--store", str(settings.index.store_dir)])


def test_chat_in_the_browser(server: str, browser, submit, bot_messages, wait_for_answer) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server, "data:", "blob:")) else None)
    page.goto(server + "/", wait_until="domcontentloaded")
    page.locator("#question textarea").wait_for(timeout=60_000)
    assert "Document assistant" in page.title() or "文档助手" in page.title()

    # English, sent with the Enter key.
    reply = submit(page, "How many rounds of negotiations did it take for Bonn to win the UNFCCC?",
                   press_enter=True)
    assert "四轮谈判" in reply and "[1]" in reply
    # Clicking the answer opens its own cited passages in the side panel; reading
    # them in English needs a model generator, which the page says.
    page.locator('#chat [data-testid="bot"]').last.click()
    page.wait_for_function("() => document.querySelector('#sources').innerText"
                           ".includes('Passages this answer cites')", timeout=30_000)
    assert "四轮" in page.locator("#sources").inner_text()
    page.click("#render")
    page.wait_for_function("() => document.querySelector('#sources').innerText.includes('local or openai')",
                           timeout=30_000)

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
    wait_for_answer(page, before)
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
                           timeout=60_000)
    assert "[1]" in submit(page, "上海可以从波恩学到什么？")
    page.close()


def test_a_reader_chooses_top_k_and_model_for_their_own_chat(server: str, browser, submit) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.goto(server + "/", wait_until="domcontentloaded")
    page.locator("#question textarea").wait_for(timeout=60_000)
    question = "哪些城市与波恩竞争过UNFCCC秘书处？"
    assert "[1]" in submit(page, question)
    assert page.locator("#sources #source-2").count() == 1  # the configured top-k reads more than one

    page.get_by_role("tab", name="设置 · Settings").click()
    assert "ASSISTANT_TOP_K" in page.locator("#settings-table").inner_text()  # the server's, read-only
    top_k = page.locator("#choice-top-k input[type=number]")
    top_k.fill("1")
    top_k.press("Enter")
    page.get_by_role("tab", name="对话 · Chat").click()
    assert "[1]" in submit(page, question)
    assert page.locator("#sources #source-1").count() == 1
    assert page.locator("#sources #source-2").count() == 0

    # A local model that is not beside the configured one cannot be chosen: said in the chat.
    page.get_by_role("tab", name="设置 · Settings").click()
    generator = page.locator("#choice-generator input")
    generator.click()
    page.get_by_role("option", name="local", exact=True).click()
    page.wait_for_function("() => document.querySelector('#choice-generator input').value === 'local'",
                           timeout=10_000)
    page.locator("#choice-model input, #choice-model textarea").first.fill("../../etc/passwd")
    page.get_by_role("tab", name="对话 · Chat").click()
    reply = submit(page, question)
    assert reply.startswith("⚠️") and "no local model" in reply
    page.close()
