"""No client can hold the model: six streaming requests abandoned mid-answer
(or while they wait), then an ordinary question gets its answer in normal
time. Real local model, real HTTP server on loopback."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow

QUESTIONS = ["哪些城市与波恩竞争过UNFCCC秘书处？", "Why did Bonn fail to bring UNDP from New York?",
             "波恩为国际组织提供了哪些免费的办公设施？", "What are the three keywords the paper proposes for Shanghai?",
             "UNFCCC后来发展到多少人？", "Who got the IRENA secretariat and who got its research centre?"]


def ask(url: str, question: str) -> tuple[float, dict]:
    body = json.dumps({"messages": [{"role": "user", "content": question}]}).encode()
    req = urllib.request.Request(url + "/v1/chat/completions", body,
                                 {"Content-Type": "application/json"})
    started = time.monotonic()
    with urllib.request.urlopen(req, timeout=300) as r:
        return time.monotonic() - started, json.load(r)


def abandon(url: str, question: str, seen: list[str]) -> None:
    """Stream a question, read until a token (or a place in line) arrives, hang up."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    conn.request("POST", "/v1/chat/completions",
                 json.dumps({"messages": [{"role": "user", "content": question}], "stream": True}),
                 {"Content-Type": "application/json"})
    resp = conn.getresponse()
    while True:
        line = resp.fp.readline()
        if not line:
            break
        if b"queue_position" in line:
            seen.append("queued")
            break
        if b'"content": "' in line and b'"content": ""' not in line:
            seen.append("answering")
            break
    conn.sock.close()
    conn.close()


def test_abandoned_streams_free_the_model(tmp_path_factory: pytest.TempPathFactory, start_server,
                                          make_index) -> None:
    settings = make_index(tmp_path_factory.mktemp("abandon"))
    url = start_server(["--generator", "local", "--store", str(settings.index.store_dir)],
                       {"ASSISTANT_STALL_SECONDS": "5"})
    ask(url, "波恩的定位是什么？")  # warm-up: the prompt cache
    normal, first = ask(url, "波恩有多少个联合国雇员？")
    assert first["refused"] is False

    seen: list[str] = []
    threads = [threading.Thread(target=abandon, args=(url, q, seen)) for q in QUESTIONS]
    for t in threads:
        t.start()
        time.sleep(0.3)
    for t in threads:
        t.join(timeout=300)
    assert len(seen) == 6, seen

    elapsed, body = ask(url, "2006年1月，谁共同主持了联合国区域建筑启动仪式？")
    assert "安南" in body["choices"][0]["message"]["content"]
    # Normal time: that of an answer on an idle server, with room for noise and
    # for the one generation that may still be finishing its current token.
    assert elapsed < max(2.5 * normal, normal + 15), (elapsed, normal, seen)
    with urllib.request.urlopen(url + "/health", timeout=5) as r:
        queue = json.load(r)["model_queue"]
    assert queue["running"] == 0 and queue["queued"] == 0
    assert queue["cancelled"] >= 5, queue
    print(f"\nidle answer {normal:.2f} s; after 6 abandoned streams ({', '.join(seen)}): "
          f"{elapsed:.2f} s; model queue {queue}")
