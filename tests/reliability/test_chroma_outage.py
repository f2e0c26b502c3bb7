"""Fault: the `chroma run` server dies mid-session and comes back. Every
route says so plainly (503 with a reason a client can show, never a 500 or
a stack trace), and once the server is back the same app answers again,
without a restart. A real Chroma server, a real index, the HTTP app."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant import web
from assistant.build import build_assistant
from core.settings import Settings
from ingest.pipeline import ingest

pytestmark = pytest.mark.slow

CHROMA = Path(sys.executable).parent / "chroma"
QUESTION = {"messages": [{"role": "user", "content": "哪些城市与波恩竞争过UNFCCC秘书处？"}]}


def heartbeat(port: int) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Server:
    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port, self.proc = path, port, None

    def start(self) -> None:
        self.proc = subprocess.Popen([str(CHROMA), "run", "--path", str(self.path), "--host",
                                      "127.0.0.1", "--port", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not heartbeat(self.port):
            assert self.proc.poll() is None and time.monotonic() < deadline, "chroma run did not start"
            time.sleep(0.2)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, free_port, bundled: Path
          ) -> Iterator[tuple[Server, TestClient]]:
    root = tmp_path_factory.mktemp("outage")
    server = Server(root / "db", free_port())
    server.start()
    (root / "docs").mkdir()
    (root / "docs" / bundled.name).write_bytes(bundled.read_bytes())
    settings = Settings.from_env(environ={}).replace(
        docs_dir=root / "docs", store_dir=root / "unused", generator="extractive",
        chroma_host="127.0.0.1", chroma_port=server.port)
    assert not ingest(None, settings, progress=False).errors
    try:
        with TestClient(web.build_app(build_assistant(settings), settings)) as client:
            yield server, client
    finally:
        if server.proc and server.proc.poll() is None:
            server.kill()


def test_a_chroma_outage_is_a_503_everywhere_and_the_app_recovers_without_a_restart(setup) -> None:  # noqa: ANN001
    server, client = setup
    assert client.post("/v1/chat/completions", json=QUESTION).status_code == 200
    server.kill()

    r = client.get("/health")
    assert r.status_code == 503 and "index cannot be read" in r.json()["reason"]
    for r in (client.post("/v1/chat/completions", json=QUESTION),
              client.post("/v1/chat/completions", json={**QUESTION, "stream": False}),
              client.get("/v1/documents"),
              client.delete("/v1/documents/bonn-shanghai.txt"),
              client.post("/v1/documents", files={"file": ("a.txt", "波恩。".encode() * 50)})):
        assert r.status_code == 503, (r.request.url, r.text)
        message = r.json()["error"]["message"]
        assert "Traceback" not in message and message
    streamed = client.post("/v1/chat/completions", json={**QUESTION, "stream": True})
    assert streamed.status_code == 200 and '"error"' in streamed.text and "[DONE]" in streamed.text

    server.start()
    r = client.post("/v1/chat/completions", json=QUESTION)
    assert r.status_code == 200 and "里约" in r.json()["choices"][0]["message"]["content"]
    assert client.get("/health").status_code == 200
    assert [d["id"] for d in client.get("/v1/documents").json()["data"]] == ["bonn-shanghai.txt"]
