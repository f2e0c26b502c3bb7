"""One HTTP server on one port: the Gradio web chat at ``/``, ``GET /health`` and
``POST /v1/chat/completions`` (OpenAI chat-completions, streaming too).

:func:`serve` starts listening at once and loads the assistant (index, embedder,
generator) in a background thread: until it is ready ``/health`` answers 503
with the reason, and the chat says so instead of answering.

The chain is blocking and CPU bound. FastAPI runs it in its threadpool
(``run_in_threadpool``; a streamed response's iterator is advanced there too)
and Gradio runs its synchronous handlers in worker threads, so the event loop
stays free. There is one chain and one model instance; the local model
serialises generation with its own lock.
"""

from __future__ import annotations  # noqa: I001  (assistant.offline must come first)

import assistant.offline  # noqa: F401  (before gradio is imported)

import html
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from assistant.chain import Answer, Assistant, QuestionError, validate
from assistant.config import Settings
from assistant.retrieval import Passage

log = logging.getLogger("assistant.web")

TITLE = "文档助手 · Document assistant"
DESCRIPTION = (
    "# 文档助手 · Document assistant\n"
    "用中文或英文提问，回答只来自文档（关于波恩吸引国际组织及对上海的借鉴的政策论文）。"
    "回答中的 [n] 对应右侧编号的来源段落。\n\n"
    "Ask in Chinese or English. Answers come only from the document (a policy paper on how "
    "Bonn attracted international organisations and what Shanghai can learn from it); "
    "each [n] marker points to the numbered source passage on the right."
)
EXAMPLES = [
    "Which cities competed with Bonn to host the UNFCCC secretariat?",
    "How many rounds of negotiations did it take for Bonn to win the UNFCCC?",
    "波恩为国际组织提供了哪些硬件优势？",
    "上海可以从波恩学到什么？",
    "哪些城市与波恩竞争过UNFCCC秘书处？",
]
SEARCHING = "🔎 正在检索文档… / Searching the document…"
WRITING = "✍️ 正在生成回答… / Writing the answer…"
CURSOR = " ▌"
SOURCES_EMPTY = (
    '<div class="sources-empty">提问后，这里会显示检索到的段落。<br>'
    "The passages retrieved for your question appear here.</div>"
)
SHOWN_QUESTION_CHARS = 200  # a pasted wall of text is shortened in the chat bubble
CSS = """
#sources { max-height: 640px; overflow-y: auto; }
#sources .source { margin: 0 0 0.9em 0; padding: 0.5em 0.7em; border-left: 3px solid
  var(--color-accent); background: var(--background-fill-secondary); border-radius: 4px; }
#sources .source-head { font-weight: 600; margin-bottom: 0.3em; }
#sources .source-n { color: var(--color-accent); margin-right: 0.4em; }
#sources .source-doc { color: var(--body-text-color-subdued); font-size: 0.8em; }
#sources .source-text { white-space: pre-wrap; font-size: 0.92em; line-height: 1.55; }
#sources .sources-empty, #sources .sources-title { color: var(--body-text-color-subdued); }
"""


# -- the assistant behind the server ---------------------------------------------
class Holder:
    """The assistant the server answers with; ``None`` until it is loaded."""

    def __init__(self, assistant: Assistant | None, reason: str = "") -> None:
        self.assistant = assistant
        self.reason = reason or ("" if assistant else "the assistant is not loaded")
        self._documents: tuple[str, int] | None = None  # (store revision, count)

    def ready(self, assistant: Assistant) -> None:
        self.assistant, self.reason = assistant, ""

    def failed(self, reason: str) -> None:
        self.assistant, self.reason = None, reason

    def status(self) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) for /health."""
        bot = self.assistant
        if bot is None:
            state = "loading" if self.reason.startswith("loading") else "unavailable"
            return 503, {"status": state, "reason": self.reason}
        try:
            store = bot.retriever.store
            chunks = store.count()
            documents = self._count_documents(store.revision, chunks, store)
        except Exception as exc:  # a Chroma server that went away, a broken folder...
            return 503, {"status": "unavailable", "reason": f"the index cannot be read: {exc}"}
        body: dict[str, Any] = {
            "status": "ok",
            "generator": bot.generator,
            "configured_generator": bot.settings.generator,
            "chunks": chunks,
            "documents": documents,
            "store": store.location,
            "embedder": store.embedder_id,
        }
        if bot.load_notice and bot.settings.generator != "extractive":
            body["notice"] = bot.load_notice
        if chunks == 0:
            return 503, {**body, "status": "unavailable",
                         "reason": "the index is empty: run `python -m ingest` first"}
        return 200, body

    def _count_documents(self, revision: str, chunks: int, store: Any) -> int:
        key = f"{revision}:{chunks}"
        if self._documents is None or self._documents[0] != key:
            metas = store.all(include_documents=False)["metadatas"] or []
            self._documents = (key, len({str((m or {}).get("doc_id", "")) for m in metas}))
        return self._documents[1]


# -- the web chat -------------------------------------------------------------------
def _text(content: Any) -> str:
    """Plain text of a chat message's content (a string, or Gradio's / OpenAI's list
    of parts such as ``{"type": "text", "text": ...}``)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", "")) if content.get("type", "text") == "text" else ""
    if isinstance(content, list | tuple):
        return "\n".join(t for t in (_text(part) for part in content) if t)
    return str(content)


def _plain(chat: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    return [{"role": str(m.get("role", "assistant")), "content": _text(m.get("content"))}
            for m in chat or []]


def _shorten(text: str, limit: int = SHOWN_QUESTION_CHARS) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters / {len(text)}字)"


def sources_html(passages: list[Passage]) -> str:
    """The retrieved passages, numbered like the answer's [n] markers."""
    if not passages:
        return ('<div class="sources-empty">没有检索到相关段落。<br>'
                "No passage was retrieved.</div>")
    parts = ['<div class="sources-title">来源 · Sources</div>']
    for n, p in enumerate(passages, start=1):
        where = p.section or p.doc_title or p.doc_id
        if p.page is not None:
            where += f" (p. {p.page})"
        parts.append(
            f'<div class="source" id="source-{n}"><div class="source-head">'
            f'<span class="source-n">[{n}]</span><span class="source-section">'
            f"{html.escape(where)}</span></div>"
            f'<div class="source-doc">{html.escape(p.doc_title or p.doc_id)}</div>'
            f'<div class="source-text">{html.escape(p.text.strip())}</div></div>'
        )
    return "\n".join(parts)


def final_text(answer: Answer) -> str:
    """What the chat shows once the answer is complete."""
    text = answer.display_text()
    if answer.notice:
        text += f"\n\nℹ️ {answer.notice}"
    return text


def error_text(exc: BaseException) -> str:
    if isinstance(exc, QuestionError):
        return f"⚠️ {exc}"
    return ("⚠️ 出错了，请重试或换个问法。 / Something went wrong; please try again or "
            f"rephrase the question. ({type(exc).__name__}: {exc})")


def chat_turn(holder: Holder, message: str | None, chat: list[dict[str, Any]] | None,
              history: list[dict[str, str]] | None
              ) -> Iterator[tuple[Any, list[dict[str, str]], Any, list[dict[str, str]]]]:
    """One chat turn. Yields ``(textbox, chat, sources panel, history)``.

    ``history`` holds only completed turns (question and final answer): error
    messages are shown in the chat but never passed to the chain as history.
    ``gr.skip()`` leaves a component as it is. Never raises.
    """
    message = message or ""
    chat = _plain(chat)
    history = list(history or [])
    bot = holder.assistant
    try:
        question = validate(message)
    except QuestionError as exc:
        if message.strip():
            chat.append({"role": "user", "content": _shorten(message)})
        chat.append({"role": "assistant", "content": error_text(exc)})
        # Keep the text in the box so it can be corrected.
        yield gr.skip(), chat, gr.skip(), history
        return
    chat.append({"role": "user", "content": _shorten(question)})
    if bot is None:
        chat.append({"role": "assistant", "content": (
            f"⚠️ 助手尚未就绪 / The assistant is not ready: {holder.reason}")})
        yield gr.skip(), chat, gr.skip(), history
        return

    def shown(content: str) -> list[dict[str, str]]:
        return [*chat, {"role": "assistant", "content": content}]

    yield "", shown(SEARCHING), gr.skip(), history
    text = ""
    try:
        for event in bot.stream(question, history):
            kind = event["type"]
            if kind == "sources":
                yield gr.skip(), shown(WRITING), sources_html(event["passages"]), history
            elif kind == "token":
                text += event["text"]
                yield gr.skip(), shown(text + CURSOR), gr.skip(), history
            elif kind == "answer":
                answer: Answer = event["answer"]
                history = [*history, {"role": "user", "content": question},
                           {"role": "assistant", "content": answer.answer}]
                yield gr.skip(), shown(final_text(answer)), gr.skip(), history
                return
        raise RuntimeError("the chain ended without an answer")
    except Exception as exc:  # the chat must stay up whatever the chain does
        log.exception("chat turn failed for %r", question[:200])
        yield gr.skip(), shown(error_text(exc)), gr.skip(), history


def build_ui(holder: Holder) -> gr.Blocks:
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(DESCRIPTION, elem_id="intro")
        status = gr.Markdown(elem_id="status")
        history = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="对话 · Chat", elem_id="chat", height=560,
                                     buttons=["copy"], feedback_options=None,
                                     placeholder="用中文或英文提问 · Ask in Chinese or English")
                with gr.Row():
                    box = gr.Textbox(placeholder="输入问题… / Type a question…",
                                     show_label=False, lines=1, max_lines=6, scale=6,
                                     elem_id="question", autofocus=True)
                    send = gr.Button("发送 · Send", variant="primary", scale=1, min_width=140,
                                     elem_id="send")
                    clear = gr.Button("清空 · Clear", scale=1, min_width=140, elem_id="clear")
                examples = gr.Examples(EXAMPLES, inputs=[box], elem_id="examples",
                                       label="示例问题 · Example questions")
            with gr.Column(scale=2):
                sources = gr.HTML(SOURCES_EMPTY, elem_id="sources")

        def respond(message: str, chat: list[dict[str, Any]], hist: list[dict[str, str]]
                    ) -> Iterator[tuple[Any, ...]]:
            yield from chat_turn(holder, message, chat, hist)

        def reset() -> tuple[list, list, str]:
            return [], [], SOURCES_EMPTY

        def show_status() -> str:
            bot = holder.assistant
            if bot is None:
                return f"⏳ 助手尚未就绪 / Not ready: {html.escape(holder.reason)}"
            return f"生成方式 · Generator: `{bot.generator}`"

        io = {"inputs": [box, chatbot, history], "outputs": [box, chatbot, sources, history],
              "concurrency_id": "answer", "concurrency_limit": 2, "show_progress": "hidden"}
        box.submit(respond, api_name="chat", **io)
        send.click(respond, api_visibility="private", **io)
        examples.load_input_event.then(respond, api_visibility="private", **io)
        clear.click(reset, None, [chatbot, history, sources], api_visibility="private")
        chatbot.clear(reset, None, [chatbot, history, sources], api_visibility="private")
        demo.load(show_status, None, status, api_visibility="private")
    return demo


# -- the OpenAI-compatible API ------------------------------------------------------
def _error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "param": None,
                                   "code": None}}, status_code=status)


def _approx_tokens(text: str) -> int:
    """A rough token count (no tokenizer offline): CJK characters count one each,
    other text one per word."""
    cjk = len(re.findall(r"[\u3400-\u9fff\uf900-\ufaff]", text))
    return cjk + len(re.findall(r"[^\s\u3400-\u9fff\uf900-\ufaff]+", text))


class RequestError(ValueError):
    pass


def parse_messages(body: Any) -> tuple[str, list[dict[str, str]]]:
    """(question, history) from an OpenAI chat-completions request body."""
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("'messages' must be a non-empty list of {role, content} objects")
    if not all(isinstance(m, dict) for m in messages):
        raise RequestError("each message must be an object with 'role' and 'content'")
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    if last_user < 0:
        raise RequestError("no user message: the last user message is the question")
    question = _text(messages[last_user].get("content"))
    history = [{"role": m["role"], "content": _text(m.get("content"))}
               for m in messages[:last_user] if m.get("role") in ("user", "assistant")]
    return question, [h for h in history if h["content"].strip()]


def _extras(answer: Answer) -> dict[str, Any]:
    data = answer.to_json()
    return {"citations": data["citations"], "refused": answer.refused,
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
        **_extras(answer),
    }


def _sse(data: dict[str, Any] | str) -> str:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {payload}\n\n"


def stream_completion(bot: Assistant, question: str, history: list[dict[str, str]],
                      model: str) -> Iterator[str]:
    """SSE chunks: a role delta, one content delta per token, a final chunk with
    ``finish_reason: "stop"`` and the extra fields, then ``[DONE]``.

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
        for event in bot.stream(question, history):
            if event["type"] == "token" and event["text"]:
                streamed = True
                yield chunk({"content": event["text"]})
            elif event["type"] == "answer":
                answer: Answer = event["answer"]
                if not streamed:
                    yield chunk({"content": answer.answer})
                yield chunk({}, "stop", answer=answer.answer, **_extras(answer))
                break
    except Exception as exc:  # headers are sent: report the error in the stream
        log.exception("streamed completion failed for %r", question[:200])
        kind = "invalid_request_error" if isinstance(exc, QuestionError) else "server_error"
        yield _sse({"error": {"message": f"{exc}", "type": kind, "param": None, "code": None}})
    yield _sse("[DONE]")


# -- the app ------------------------------------------------------------------------
def build_app(assistant: Assistant | None, settings: Settings) -> FastAPI:
    """The FastAPI app: API routes first, then the Gradio chat mounted at ``/``.

    ``assistant`` may be None (not loaded yet): set it later with
    ``app.state.holder.ready(assistant)``.
    """
    holder = Holder(assistant)
    app = FastAPI(title=TITLE, docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.holder = holder
    app.state.settings = settings

    @app.get("/health")
    def health() -> JSONResponse:
        status, body = holder.status()
        return JSONResponse(body, status_code=status)

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> JSONResponse | StreamingResponse:
        try:
            body = json.loads(await request.body() or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return _error(400, f"the request body is not valid JSON: {exc}")
        try:
            question, history = parse_messages(body)
            question = validate(question)
        except (RequestError, QuestionError) as exc:
            return _error(400, str(exc))
        bot = holder.assistant
        if bot is None:
            return _error(503, f"the assistant is not ready: {holder.reason}", "server_error")
        model = str(body.get("model") or f"bonn-assistant-{bot.generator}")
        if body.get("stream"):
            return StreamingResponse(
                stream_completion(bot, question, history, model),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        try:
            answer = await run_in_threadpool(bot.ask, question, history)
        except QuestionError as exc:
            return _error(400, str(exc))
        except Exception as exc:
            log.exception("completion failed for %r", question[:200])
            return _error(500, f"the assistant failed: {type(exc).__name__}: {exc}",
                          "server_error")
        return JSONResponse(completion(answer, model, question, history))

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        bot = holder.assistant
        name = f"bonn-assistant-{bot.generator if bot else settings.generator}"
        return {"object": "list", "data": [{"id": name, "object": "model", "created": 0,
                                            "owned_by": "local"}]}

    demo = build_ui(holder)
    return gr.mount_gradio_app(
        app, demo, path="/", server_name=settings.host, server_port=settings.port,
        footer_links=["api", "settings"], run_history=False, ssr_mode=False,
        mcp_server=False, css=CSS, show_error=True)


def serve(settings: Settings) -> None:
    """Listen on settings.host:settings.port; load the assistant in the background."""
    import uvicorn

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = build_app(None, settings)
    holder: Holder = app.state.holder
    holder.reason = "loading the index and the generator…"

    def load() -> None:
        started = time.perf_counter()
        try:
            holder.ready(Assistant.from_settings(settings))
        except Exception as exc:
            log.error("the assistant could not be loaded: %s", exc)
            holder.failed(f"{exc}")
            return
        log.info("assistant ready in %.1f s (generator: %s)", time.perf_counter() - started,
                 holder.assistant.generator if holder.assistant else "?")

    threading.Thread(target=load, name="assistant-loader", daemon=True).start()
    log.info("web chat on http://%s:%d/  (health: /health, API: /v1/chat/completions)",
             settings.host, settings.port)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
