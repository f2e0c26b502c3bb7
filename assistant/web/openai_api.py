"""``POST /v1/chat/completions`` (OpenAI chat-completions, streaming too) and
``GET /v1/models``.

Requests are checked before anything runs: size, shape, types. A request
whose client goes away (a closed connection, a stop button) cancels its
generation, so the model is free for the next one at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from assistant.chain import Answer, Assistant, QuestionError, validate
from assistant.generation import GeneratorError
from assistant.generation.worker import WorkerError
from assistant.web.health import Holder
from assistant.web.requests import RequestError, parse_request
from core.paths import public
from core.settings import Settings
from core.text import HAN
from index.store import OUTAGES as STORE_OUTAGES

log = logging.getLogger("assistant.web")
_END = object()
# Failures of something the assistant depends on (the index, the model):
# 503, which a client may retry, with the reason.
_OUTAGES = (*STORE_OUTAGES, GeneratorError, WorkerError)


def error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    """An OpenAI-style error body; no server path in its message."""
    if status >= 500:
        kind = "server_error"
    return JSONResponse({"error": {"message": public(message), "type": kind, "param": None,
                                   "code": None}}, status_code=status)


def _approx_tokens(text: str) -> int:
    """A rough token count (no tokenizer offline): CJK characters count one each,
    other text one per word."""
    cjk = len(re.findall(f"[{HAN}]", text))
    return cjk + len(re.findall(f"[^\\s{HAN}]+", text))


def extras(answer: Answer) -> dict[str, Any]:
    data = answer.to_json()
    return {"citations": data["citations"], "refused": answer.refused,
            "corrected": answer.corrected, "evidence": data["evidence"],
            "notice": answer.notice, "language": answer.language,
            "standalone_question": answer.standalone_question}


def completion(answer: Answer, model: str, question: str,
               history: list[dict[str, str]]) -> dict[str, Any]:
    prompt = _approx_tokens(question + "".join(h["content"] for h in history))
    completion_tokens = _approx_tokens(answer.answer)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.answer},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion_tokens,
                  "total_tokens": prompt + completion_tokens},
        **extras(answer),
    }


def _sse(data: dict[str, Any] | str) -> str:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {payload}\n\n"


def stream_completion(bot: Assistant, question: str, history: list[dict[str, str]],
                      model: str, cancel: threading.Event | None = None,
                      documents: list[str] | None = None) -> Iterator[str]:
    """SSE chunks: a role delta, one content delta per token, a final chunk with
    ``finish_reason: "stop"`` and the extra fields, then ``[DONE]``. While the
    request waits for the model, empty chunks carry ``queue_position``.

    The tokens are the generator's raw text; the final answer (with [n] markers,
    or a clean refusal) is in the final chunk's ``answer`` field. If no token
    was streamed (a refusal), the answer is sent as one content delta first.
    """
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        return _sse({"id": cid, "object": "chat.completion.chunk", "created": created,
                     "model": model, "choices": [{"index": 0, "delta": delta,
                                                  "finish_reason": finish}], **extra})

    yield chunk({"role": "assistant", "content": ""})
    streamed = False
    try:
        for event in bot.stream(question, history, cancel=cancel, documents=documents):
            if event["type"] == "queue":
                yield chunk({}, queue_position=event["position"])
            elif event["type"] == "token" and event["text"]:
                streamed = True
                yield chunk({"content": event["text"]})
            elif event["type"] == "answer":
                answer: Answer = event["answer"]
                if not streamed:
                    yield chunk({"content": answer.answer})
                yield chunk({}, "stop", answer=answer.answer, **extras(answer))
                break
    except Exception as exc:  # headers are sent: report the error in the stream
        if cancel is not None and cancel.is_set():
            return
        log.warning("streamed completion failed for %r: %s", question[:200], exc)
        kind = "invalid_request_error" if isinstance(exc, QuestionError) else "server_error"
        yield _sse({"error": {"message": public(f"{exc}"), "type": kind, "param": None, "code": None}})
    yield _sse("[DONE]")


async def _cancelling(request: Request, chunks: Iterator[str],
                      cancel: threading.Event) -> AsyncIterator[str]:
    """Pass the chunks on; when the client goes away (the send fails, the
    response task is cancelled) or the stream ends, set ``cancel``."""
    watcher = asyncio.create_task(_watch_disconnect(request, cancel))
    try:
        while True:
            item = await run_in_threadpool(next, chunks, _END)
            if item is _END:
                return
            yield item
    finally:
        cancel.set()
        watcher.cancel()


async def _watch_disconnect(request: Request, cancel: threading.Event, every: float = 0.5) -> None:
    while not cancel.is_set():
        if await request.is_disconnected():
            cancel.set()
            return
        await asyncio.sleep(every)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, at most ``limit`` bytes (413 beyond, also for chunked bodies)."""
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > limit:
            raise RequestError(f"the request body is over the limit of {limit} bytes", 413)
    return bytes(body)


def router(holder: Holder, settings: Settings) -> APIRouter:
    api = APIRouter()

    @api.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> JSONResponse | StreamingResponse:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype and ctype != "application/json" and not ctype.endswith("+json"):
            # The types a cross-site form may send without asking first are refused.
            return error(415, f"send the request as application/json, not {ctype}")
        try:
            raw = await read_body(request, settings.server.max_body_bytes)
            try:
                body = json.loads(raw or b"null")
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise RequestError(f"the request body is not valid JSON: {exc}") from exc
            except RecursionError as exc:
                raise RequestError("the request body is nested too deeply") from exc
            req = parse_request(body, settings)
            question = validate(req.question, settings.server.max_question_chars)
        except RequestError as exc:
            return error(exc.status, str(exc))
        except QuestionError as exc:
            return error(400, str(exc))
        bot = holder.assistant
        if bot is None:
            return error(503, f"the assistant is not ready: {holder.reason}", "server_error")
        model = req.model or f"bonn-assistant-{bot.generator}"
        if req.documents:  # checked before a stream starts, so a bad name is a plain 400
            try:
                bot.search.check(req.documents)
            except QuestionError as exc:
                return error(400, str(exc))
            except _OUTAGES as exc:
                return error(503, f"the index cannot be read: {exc}", "server_error")
        cancel = threading.Event()
        if req.stream:
            chunks = stream_completion(bot, question, req.history, model, cancel, req.documents)
            return StreamingResponse(
                _cancelling(request, chunks, cancel), media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        watcher = asyncio.create_task(_watch_disconnect(request, cancel))
        try:
            answer = await run_in_threadpool(bot.ask, question, req.history, cancel, req.documents)
        except QuestionError as exc:
            return error(400, str(exc))
        except _OUTAGES as exc:
            log.warning("completion failed for %r: %s", question[:200], exc)
            return error(503, f"the assistant cannot answer now: {exc}", "server_error")
        except Exception as exc:
            log.exception("completion failed for %r", question[:200])
            return error(500, f"the assistant failed ({type(exc).__name__})", "server_error")
        finally:
            cancel.set()
            watcher.cancel()
        return JSONResponse(completion(answer, model, question, req.history))

    @api.get("/v1/models")
    def models() -> dict[str, Any]:
        bot = holder.assistant
        name = f"bonn-assistant-{bot.generator if bot else settings.generation.generator}"
        return {"object": "list", "data": [{"id": name, "object": "model", "created": 0,
                                            "owned_by": "local"}]}

    return api
