"""Model-server mode end to end: `serve --model-server` runs the packaged
model as llama.cpp's OpenAI-compatible server in its own process and answers
through it. Killed, the model server is a notice and quoted sentences, not a
failure; it is restarted and the next answers come from the model again,
with no restart of the web app."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request

import pytest

from assistant.generation.model_server import ready

pytestmark = pytest.mark.slow

QUESTION = "哪些城市与波恩竞争过UNFCCC秘书处？"
DOWN = "暂时无法连接模型"


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


def ask(url: str, question: str) -> dict:
    body = json.dumps({"messages": [{"role": "user", "content": question}]}).encode()
    req = urllib.request.Request(url + "/v1/chat/completions", data=body,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        assert r.status == 200
        return json.load(r)


def wait(predicate, timeout: float = 300) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(1)


def test_the_model_runs_in_its_own_server_and_its_crash_is_survived(
        tmp_path_factory: pytest.TempPathFactory, make_index, start_server) -> None:
    settings = make_index(tmp_path_factory.mktemp("model-server"))
    url = start_server(["--model-server", "--generator", "local",
                        "--store", str(settings.index.store_dir)])
    health = get(url + "/health")
    assert health["generator"] == "openai" and health["model_server"]["running"]
    model_url = health["model_server"]["url"]
    assert model_url.startswith("http://127.0.0.1:")
    wait(lambda: ready(model_url))

    answer = ask(url, QUESTION)
    assert not answer["refused"] and answer["citations"] and DOWN not in answer["notice"]

    os.kill(health["model_server"]["pid"], signal.SIGKILL)
    wait(lambda: not ready(model_url, timeout=0.5), timeout=10)
    answer = ask(url, QUESTION)  # the page stays up: quoted sentences and a notice
    assert DOWN in answer["notice"] and "里约" in answer["choices"][0]["message"]["content"]
    assert get(url + "/health")["status"] == "ok"

    wait(lambda: get(url + "/health")["model_server"]["restarts"] >= 1 and ready(model_url))
    answer = ask(url, QUESTION)
    assert not answer["refused"] and DOWN not in answer["notice"]
