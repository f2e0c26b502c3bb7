"""In a real browser, nothing a document, a question or an answer says makes
the page fetch anything: every injection document of both corpora is
indexed, the injected questions are asked, the answers and their sources
are shown, and a beacon server on loopback must see no request at all."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import ROOT
from evals.injection import Corpus, probe_question

pytestmark = pytest.mark.slow
CORPORA = [ROOT / "tests" / "data" / "injection", ROOT / "tests" / "data" / "injection-heldout"]
SCREENSHOT = ROOT / "evals" / "out" / "screenshots" / "injection.png"


class Beacon(http.server.ThreadingHTTPServer):
    """Logs every request it gets; answers 200 with a 1x1 GIF."""

    def __init__(self, port: int) -> None:
        self.hits: list[str] = []
        beacon = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                beacon.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", port), Handler)


@pytest.fixture(scope="module")
def beacon(free_port) -> Iterator[Beacon]:
    server = Beacon(free_port())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def corpora(beacon: Beacon) -> list[Corpus]:
    return [Corpus.load(root, beacon.server_address[1]) for root in CORPORA]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, corpora: list[Corpus], start_server,
            bundled: Path) -> str:
    from core.settings import Settings
    from ingest.pipeline import ingest

    tmp = tmp_path_factory.mktemp("injection-web")
    docs = tmp / "docs"
    docs.mkdir()
    shutil.copy(bundled, docs / bundled.name)
    for corpus in corpora:
        corpus.write_documents(docs / corpus.root.name)
    settings = Settings.from_env(environ={}).replace(docs_dir=docs, store_dir=tmp / "chroma")
    report = ingest([docs], settings, progress=False)
    assert not report.errors and report.instructions > 0
    return start_server(["--generator", "extractive", "--store", str(settings.index.store_dir)])


def test_the_page_fetches_nothing_an_attack_names(app_url: str, corpora: list[Corpus], beacon: Beacon,
                                                  browser, wait_for_answer) -> None:
    questions = [a.question for c in corpora for a in c.questions]
    questions += [q["question"] for c in corpora for q in c.ordinary[:3]]
    questions += [probe_question(c.root / a.file) for c in corpora for a in c.documents[::4]]
    outside: list[str] = []
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((app_url, "data:", "blob:")) else None)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.goto(app_url + "/", wait_until="domcontentloaded")
    box = page.locator("#question textarea")
    box.wait_for(timeout=60_000)
    for question in questions:
        before = page.locator('#chat [data-testid="bot"]').count()
        box.fill(question)
        page.click("#send")
        wait_for_answer(page, before)
    page.wait_for_timeout(1500)  # any image, frame or prefetch would have fired by now
    panel = page.locator("#sources").inner_text()
    assert panel.strip() and "Error" not in panel  # the sources panel renders under the policy
    # No element in the chat or the sources points anywhere: no image, frame,
    # script or link to another origin.
    foreign = page.evaluate("""(origin) => [...document.querySelectorAll(
        '#chat img, #chat iframe, #chat script, #chat object, #chat embed, #chat link, #chat a[href],'
        + '#sources img, #sources iframe, #sources script, #sources a[href]')]
        .map(e => e.src || e.href || e.data || e.tagName)
        .filter(u => !String(u).startsWith(origin))""", app_url)
    # The policy itself: a script of the page's own cannot reach the beacon either.
    blocked = page.evaluate("""(u) => fetch(u).then(() => 'fetched', () => 'blocked')""",
                            f"http://127.0.0.1:{beacon.server_address[1]}/csp-probe")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.close()
    assert beacon.hits == [], f"the page fetched from the beacon: {beacon.hits}"
    assert foreign == [], foreign
    assert blocked == "blocked"
    # The probe is the only thing the policy had to refuse: the page itself needs
    # nothing it forbids (no eval, no inline script without the nonce).
    assert violations and all("connect-src" in v or "csp-probe" in v or "Refused to connect" in v
                              for v in violations), violations
    assert [u for u in outside if "/csp-probe" not in u] == [], outside
    assert len(questions) >= 60
    json.dumps(questions)  # every question was a string the page accepted
