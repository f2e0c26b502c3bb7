"""The Gradio web chat: questions in, streamed answers and their sources out.

Everything shown is text (:func:`assistant.web.render.safe_markdown`): a
question, a document or a model answer cannot put markup on the page. A turn
whose page goes away (a closed tab) cancels its generation.
"""

from __future__ import annotations

import html
import logging
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.concurrency import run_in_threadpool

from assistant import messages as say
from assistant.chain import Answer, Assistant, QuestionError, validate
from assistant.choices import Choice, Variants
from assistant.messages import SEARCHING, SOURCES_EMPTY, WAITING, WRITING
from assistant.web.answer_sources import Opened, chosen, panel, remember, rendered
from assistant.web.conversation import conversation_markdown, plain_messages
from assistant.web.documents_tab import documents_tab, refreshed
from assistant.web.health import Holder
from assistant.web.library import Librarian
from assistant.web.render import final_text, passages_html, safe_markdown, sources_message
from assistant.web.settings_tab import Controls, choice, controls, settings_tab
from core.paths import public
from core.profile import Profile
from core.settings import Settings
from index.store import OUTAGES

__all__ = ["CURSOR", "SEARCHING", "WAITING", "WRITING", "build_ui", "chat_turn", "sources_html"]

log = logging.getLogger("assistant.web")

CURSOR = " ▌"
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
sources_html = passages_html


def _shorten(text: str, limit: int = SHOWN_QUESTION_CHARS) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters / {len(text)}字)"


def error_text(exc: BaseException) -> str:
    if isinstance(exc, QuestionError):
        return safe_markdown(f"⚠️ {exc}")
    if isinstance(exc, OUTAGES):
        return safe_markdown(say.UNAVAILABLE.format(message=public(str(exc))))
    return safe_markdown(say.FAILED.format(kind=type(exc).__name__, message=exc))


def chat_turn(holder: Holder, message: str | None, chat: list[dict[str, Any]] | None,
              history: list[dict[str, str]] | None, cancel: threading.Event | None = None,
              documents: list[str] | None = None, on_answer: Callable[[int, Answer], None] | None = None,
              choose: Callable[[Assistant], Assistant] | None = None
              ) -> Iterator[tuple[Any, list[dict[str, Any]], Any, list[dict[str, str]]]]:
    """One chat turn. Yields ``(textbox, chat, sources panel, history)``.

    ``history`` holds only completed turns (question and final answer): error
    messages are shown in the chat but never passed to the chain as history.
    ``gr.skip()`` leaves a component as it is. ``on_answer(index, answer)``
    hears the answer and its message's place in the chat; ``choose`` turns the
    server's assistant into the one the reader picked. Never raises.
    """
    message = message or ""
    chat = plain_messages(chat)
    history = list(history or [])
    bot = holder.assistant
    try:
        question = validate(message)
    except QuestionError as exc:
        if message.strip():
            chat.append({"role": "user", "content": safe_markdown(_shorten(message))})
        chat.append({"role": "assistant", "content": error_text(exc)})
        # Keep the text in the box so it can be corrected.
        yield gr.skip(), chat, gr.skip(), history
        return
    chat.append({"role": "user", "content": safe_markdown(_shorten(question))})
    if bot is not None and choose is not None:
        try:
            bot = choose(bot)
        except ValueError as exc:  # a choice that cannot be made: say which, keep the question
            chat.append({"role": "assistant", "content": safe_markdown(f"⚠️ {exc}")})
            yield message, chat, gr.skip(), history
            return
    if bot is None:
        chat.append({"role": "assistant", "content": safe_markdown(
            say.NOT_READY.format(reason=holder.reason))})
        yield gr.skip(), chat, gr.skip(), history
        return

    def shown(content: str, *before: dict[str, Any] | None) -> list[dict[str, Any]]:
        return [*chat, *[m for m in before if m], {"role": "assistant", "content": content}]

    yield "", shown(SEARCHING), gr.skip(), history
    text = ""
    try:
        for event in bot.stream(question, history, cancel=cancel, documents=documents or None):
            kind = event["type"]
            if kind == "sources":
                yield gr.skip(), shown(WRITING), sources_html(event["passages"]), history
            elif kind == "queue":
                yield gr.skip(), shown(WAITING.format(n=event["position"])), gr.skip(), history
            elif kind == "token":
                text += event["text"]
                yield gr.skip(), shown(safe_markdown(text) + CURSOR), gr.skip(), history
            elif kind == "answer":
                answer: Answer = event["answer"]
                history = [*history, {"role": "user", "content": question},
                           {"role": "assistant", "content": answer.answer}]
                final = shown(final_text(answer), sources_message(answer))
                if on_answer is not None:
                    on_answer(len(final) - 1, answer)
                yield gr.skip(), final, gr.skip(), history
                return
        raise RuntimeError("the chain ended without an answer")
    except Exception as exc:  # the chat must stay up whatever the chain does
        if cancel is not None and cancel.is_set():
            return
        log.exception("chat turn failed for %r", question[:200])
        yield gr.skip(), shown(error_text(exc)), gr.skip(), history


_END = object()


async def cancellable_turn(holder: Holder, message: str | None, chat: list[dict[str, Any]] | None,
                           history: list[dict[str, str]] | None, documents: list[str] | None = None,
                           on_answer: Callable[[int, Answer], None] | None = None,
                           choose: Callable[[Assistant], Assistant] | None = None
                           ) -> AsyncIterator[tuple[Any, ...]]:
    """:func:`chat_turn` for Gradio: when Gradio drops the turn (the page is
    closed, the client is gone), the generation is cancelled at once."""
    cancel = threading.Event()
    steps = chat_turn(holder, message, chat, history, cancel, documents, on_answer, choose)
    try:
        while True:
            step = await run_in_threadpool(next, steps, _END)
            if step is _END:
                return
            yield step
    finally:
        cancel.set()


def chat_tab(holder: Holder, page: Profile, doc_filter: gr.Dropdown, concurrency: int,
             picks: Controls, variants: Variants) -> None:
    """The chat: question box, answers with their own sources, the last
    answer's retrieved passages beside it, export. ``picks``: the reader's
    generator, model and top-k (the settings tab shows them)."""
    history = gr.State([])
    answers = gr.State({})  # each answer's sources, by its message's place in the chat
    opened = gr.State(None)  # the answer whose sources the panel shows
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label=say.CHAT_LABEL, elem_id="chat", height=560,
                                 buttons=["copy"], feedback_options=None,
                                 latex_delimiters=[], sanitize_html=True,
                                 placeholder=say.CHAT_PLACEHOLDER)
            with gr.Row():
                box = gr.Textbox(placeholder=say.BOX_PLACEHOLDER,
                                 show_label=False, lines=1, max_lines=6, scale=6,
                                 elem_id="question", autofocus=True)
                send = gr.Button(say.SEND, variant="primary", scale=1, min_width=140,
                                 elem_id="send")
                clear = gr.Button(say.CLEAR, scale=1, min_width=140, elem_id="clear")
            examples = gr.Examples(list(page.examples) or [""], inputs=[box], elem_id="examples",
                                   label=say.EXAMPLES_LABEL)
        with gr.Column(scale=2):
            # Markdown, not gr.HTML: Gradio's HTML component evaluates strings as
            # JavaScript, which the page's CSP (no 'unsafe-eval') refuses.
            sources = gr.Markdown(SOURCES_EMPTY, elem_id="sources", sanitize_html=True,
                                  latex_delimiters=[])
            gr.Markdown(say.OPEN_HINT, elem_id="open-hint")
            render = gr.Button(say.RENDER, elem_id="render", size="sm")
            export = gr.Button(say.EXPORT, elem_id="export", size="sm")
            exported = gr.File(label=say.EXPORT, elem_id="exported", visible=False, interactive=False)

    def picker(*picked: Any) -> Callable[[Assistant], Assistant]:
        wanted: Choice = choice(*picked)
        return lambda bot: variants.get(bot, wanted)

    async def respond(message: str, chat: list[dict[str, Any]], hist: list[dict[str, str]],
                      docs: list[str] | None, kept: dict[str, Any], *picked: Any
                      ) -> AsyncIterator[tuple[Any, ...]]:
        heard: list[tuple[int, Answer]] = []
        async for step in cancellable_turn(holder, message, chat, hist, docs,
                                           lambda i, a: heard.append((i, a)), picker(*picked)):
            if heard:
                kept = remember(kept, *heard.pop())
                yield (*step, kept, kept[max(kept, key=int)])
            else:
                yield (*step, gr.skip(), gr.skip())

    def reset() -> tuple[list, list, str, dict, None]:
        return [], [], SOURCES_EMPTY, {}, None

    def open_answer(kept: dict[str, Any], evt: gr.SelectData) -> tuple[str, Any]:
        picked = chosen(kept, evt.index)
        return (panel(picked), picked.to_json()) if picked else (gr.skip(), gr.skip())

    def render_opened(data: dict[str, Any] | None, *picked: Any) -> Iterator[str]:
        bot = holder.assistant
        try:
            bot = picker(*picked)(bot) if bot is not None else None
        except ValueError as exc:
            yield safe_markdown(f"⚠️ {exc}")
            return
        yield from rendered(bot, Opened.from_json(data) if data else None)

    def save(chat: list[dict[str, Any]]) -> Any:
        folder = Path(tempfile.mkdtemp(prefix="conversation-"))
        path = folder / f"conversation-{time.strftime('%Y%m%d-%H%M%S')}.md"
        path.write_text(conversation_markdown(chat), encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    io = {"inputs": [box, chatbot, history, doc_filter, answers, *picks.inputs],
          "outputs": [box, chatbot, sources, history, answers, opened],
          "concurrency_id": "answer", "concurrency_limit": concurrency, "show_progress": "hidden"}
    box.submit(respond, api_name="chat", **io)
    send.click(respond, api_visibility="private", **io)
    examples.load_input_event.then(respond, api_visibility="private", **io)
    cleared = [chatbot, history, sources, answers, opened]
    clear.click(reset, None, cleared, api_visibility="private")
    chatbot.clear(reset, None, cleared, api_visibility="private")
    chatbot.select(open_answer, answers, [sources, opened], api_visibility="private")
    render.click(render_opened, [opened, *picks.inputs], sources, api_visibility="private", concurrency_id="answer",
                 concurrency_limit=concurrency)
    export.click(save, chatbot, exported, api_visibility="private")


def build_ui(holder: Holder, page: Profile | None = None, librarian: Librarian | None = None,
             concurrency: int = 16, settings: Settings | None = None) -> gr.Blocks:
    """The page: chat, documents and settings tabs. ``concurrency``: chat turns
    in flight at once (the model worker queues them and each says its place)."""
    page = page or Profile()
    librarian = librarian or Librarian(holder)
    settings = settings or (holder.assistant.settings if holder.assistant else Settings())
    with gr.Blocks(title=page.title, analytics_enabled=False) as demo:
        gr.Markdown(page.description, elem_id="intro")
        status = gr.Markdown(elem_id="status")
        picks = controls(settings)
        with gr.Tabs():
            with gr.Tab(say.TAB_CHAT, id="chat-tab"):
                doc_filter = gr.Dropdown([], value=[], multiselect=True, label=say.DOC_FILTER,
                                         elem_id="doc-filter", allow_custom_value=False)
                chat_tab(holder, page, doc_filter, concurrency, picks, Variants())
            with gr.Tab(say.TAB_DOCS, id="documents-tab", elem_id="documents-tab"):
                table = documents_tab(librarian, doc_filter)
            with gr.Tab(say.TAB_SETTINGS, id="settings-tab", elem_id="settings-tab"):
                settings_tab(settings, picks)

        def show_status() -> str:
            bot = holder.assistant
            if bot is None:
                return say.LOADING_STATUS.format(reason=html.escape(holder.reason))
            return say.GENERATOR_STATUS.format(generator=bot.generator)

        demo.load(show_status, None, status, api_visibility="private")
        demo.load(lambda: refreshed(librarian), None, [table, doc_filter], api_visibility="private")
    return demo
