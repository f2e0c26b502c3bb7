"""Sixteen readers at once in Chromium, one local model: every chat
completes with an answer, each question that waits for the model says so
with its place while it waits, and /health answers fast meanwhile.
Real packaged model, real server on loopback, sixteen real pages."""

from __future__ import annotations

import json
import re
import statistics
import time
import urllib.request

import pytest

from core.settings import ROOT

pytestmark = pytest.mark.slow

READERS = 16
QUESTIONS = ["哪些城市与波恩竞争过UNFCCC秘书处？", "波恩有多少个联合国雇员？", "UNFCCC后来发展到多少人？",
             "波恩为国际组织提供了哪些免费的办公设施？"]
LAST = """() => { const b = document.querySelectorAll('#chat [data-testid="bot"]');
  return b.length ? b[b.length - 1].innerText.trim() : ''; }"""
PLACE = re.compile(r"Waiting for the model: (\d+) question")
BUSY = ("🔎", "✍️", "⏳")
REPORT = ROOT / "evals" / "out" / "browser-load.json"  # the figures of the last run


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, make_index, start_server) -> str:
    settings = make_index(tmp_path_factory.mktemp("browser-load"))
    return start_server(["--generator", "local", "--store", str(settings.index.store_dir)])


def health_seconds(url: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(url + "/health", timeout=30) as r:
        r.read()
    return time.monotonic() - started


def test_sixteen_readers_all_get_answers_and_each_waiting_one_sees_its_place(server: str, browser) -> None:
    pages = []
    for _ in range(READERS):
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        page.goto(server + "/", wait_until="domcontentloaded")
        page.locator("#question textarea").wait_for(timeout=60_000)
        pages.append(page)
    for i, page in enumerate(pages):
        page.locator("#question textarea").fill(QUESTIONS[i % len(QUESTIONS)])
        page.click("#send")

    places: dict[int, set[int]] = {i: set() for i in range(READERS)}
    finished: dict[int, str] = {}
    health: list[float] = []
    started = time.monotonic()
    done_at: dict[int, float] = {}
    deadline = started + 900
    while len(finished) < READERS and time.monotonic() < deadline:
        for i, page in enumerate(pages):
            if i in finished:
                continue
            text = page.evaluate(LAST)
            if m := PLACE.search(text):
                places[i].add(int(m.group(1)))
            elif text and not text.startswith(BUSY) and not text.endswith("▌"):
                finished[i] = text
                done_at[i] = time.monotonic() - started
        health.append(health_seconds(server))
        time.sleep(0.5)

    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({
        "readers": READERS, "finished": len(finished), "told_place": sum(bool(p) for p in places.values()),
        "first_places": sorted(max(p) for p in places.values() if p),
        "latency_s": sorted(round(t, 1) for t in done_at.values()),
        "health_s": {"median": round(statistics.median(health), 3), "max": round(max(health), 3),
                     "requests": len(health)}}, indent=1))
    assert len(finished) == READERS, f"{READERS - len(finished)} chats did not finish"
    assert not [t for t in finished.values() if t.startswith("⚠️")], finished
    told = [i for i in range(READERS) if places[i]]
    # Whoever the model served at once never waited; every other reader saw a place.
    assert len(told) >= READERS - 2, places
    assert max(max(p) for p in places.values() if p) >= READERS // 2  # places are real queue depths
    assert statistics.median(health) < 0.5 and max(health) < 5, health
    for page in pages:
        page.close()
