"""The `openai` generator against a real OpenAI-compatible HTTP server on
loopback (a small FastAPI server started by the test, speaking the
chat-completions protocol, streaming included)."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from assistant.build import build_assistant
from assistant.chain import Assistant
from core.settings import Settings
from ingest.pipeline import ingest

RECEIVED: list[dict] = []


def _reply(messages: list[dict]) -> str:
    user = messages[-1]["content"]
    if "Translate" in user:
        return "哪些城市与波恩竞争联合国气候变化框架公约秘书处？"
    # For an English answer the passages carry English names: 里约(Rio)、日内瓦(Geneva)…
    if "里约" in user and "多伦多" in user and "人口" not in user:
        if "Answer in English" in user:
            return "Four cities competed: Rio, Geneva, Toronto and Bonn."
        return "竞争的有里约、日内瓦、多伦多和波恩四个城市。"
    return "文档未提及"


def _server_app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request):  # noqa: ANN202
        body = await request.json()
        RECEIVED.append({"body": body, "auth": request.headers.get("authorization")})
        text = _reply(body["messages"])
        if not body.get("stream"):
            return JSONResponse({"id": "x", "object": "chat.completion", "created": 0,
                                 "model": body["model"], "choices": [{
                                     "index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": text}}]})

        def events():  # noqa: ANN202
            for i in range(0, len(text), 4):
                chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0,
                         "model": body["model"], "choices": [{
                             "index": 0, "delta": {"content": text[i:i + 4]},
                             "finish_reason": None}]}
                yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


@pytest.fixture(scope="module")
def endpoint():  # noqa: ANN201
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_server_app(), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "the OpenAI-compatible test server did not start"
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def bot(endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = Settings.from_env(environ={}).replace(
        store_dir=tmp_path_factory.mktemp("store"), generator="openai",
        openai_base_url=endpoint, openai_model="test-model", openai_api_key="sk-test")
    ingest(None, settings, progress=False)
    assistant = build_assistant(settings)
    assert assistant.generator == "openai", assistant.load_notice
    return assistant


def test_chinese_answer_comes_from_the_endpoint_with_citations(bot: Assistant) -> None:
    RECEIVED.clear()
    a = bot.ask("哪些城市与波恩竞争过UNFCCC秘书处？")
    assert "里约" in a.answer and not a.refused
    assert a.citations and "[" in a.answer
    sent = RECEIVED[-1]
    assert sent["auth"] == "Bearer sk-test"
    assert sent["body"]["model"] == "test-model" and sent["body"]["stream"] is True
    assert "只根据用户给出的编号资料回答" in sent["body"]["messages"][0]["content"]


def test_english_question_is_translated_for_search_then_answered_in_english(bot) -> None:
    RECEIVED.clear()
    a = bot.ask("Which cities competed with Bonn to host the UNFCCC secretariat?")
    # A translation for search, the answer, then the evidence sentence in English.
    assert len(RECEIVED) == 3
    assert "Geneva" in a.answer and a.language == "en"
    assert "里约(Rio)" in RECEIVED[1]["body"]["messages"][-1]["content"]
    assert a.evidence and a.evidence[0].translation and a.evidence[0].text in a.citations[0].text


def test_the_endpoint_saying_not_in_document_is_a_refusal(bot: Assistant) -> None:
    a = bot.ask("波恩市的人口是多少？")
    assert a.refused and "文档没有提到" in a.answer


def test_an_unreachable_endpoint_answers_from_the_document_and_says_so(tmp_path) -> None:
    settings = Settings.from_env(environ={}).replace(
        store_dir=tmp_path / "s", generator="openai", openai_base_url="http://127.0.0.1:9/v1")
    ingest(None, settings, progress=False)
    bot = build_assistant(settings)
    a = bot.ask("哪些城市与波恩竞争过UNFCCC秘书处？")
    assert not a.refused and "里约" in a.answer and a.citations
    assert "暂时无法连接模型" in a.notice
    a = bot.ask("How many rounds of negotiations did it take for Bonn to win the UNFCCC?")
    assert "cannot be reached" in a.notice and "四轮" in a.answer


def test_a_reader_can_choose_the_endpoint_and_its_model_for_their_own_chat(bot: Assistant) -> None:
    from assistant.choices import Choice, Variants

    plain = build_assistant(bot.settings.replace(generator="extractive"))
    chosen = Variants().get(plain, Choice("openai", "another-model"))
    assert chosen.generator == "openai" and plain.generator == "extractive"
    RECEIVED.clear()
    a = chosen.ask("哪些城市与波恩竞争过UNFCCC秘书处？")
    assert "里约" in a.answer and a.generator == "openai"
    assert RECEIVED and RECEIVED[-1]["body"]["model"] == "another-model"
