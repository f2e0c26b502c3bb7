"""One HTTP server on one port: the Gradio web chat at ``/``, ``GET /health``
and ``POST /v1/chat/completions`` (OpenAI chat-completions, streaming too).

:func:`serve` starts listening at once and loads the assistant (index, embedder,
generator) in a background thread: until it is ready ``/health`` answers 503
with the reason, and the chat says so instead of answering.

The chain is blocking and CPU bound: FastAPI and Gradio run it in worker
threads, so the event loop stays free. The local model runs one request at
a time in its own worker thread (see assistant.generation.worker).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from assistant.chain import Assistant
from assistant.web import documents_api, openai_api
from assistant.web.access import LOOPBACK, Access, entries, users
from assistant.web.chat import CSS, build_ui
from assistant.web.health import Holder
from assistant.web.library import Librarian
from assistant.web.security import BodyLimit, SecurityHeaders
from core import profile
from core.settings import Settings

log = logging.getLogger("assistant.web")


def build_app(assistant: Assistant | None, settings: Settings) -> FastAPI:
    """The app: API routes first, then the Gradio chat mounted at ``/``, inside
    the security middleware.

    ``assistant`` may be None (not loaded yet): set it later with
    ``app.state.holder.ready(assistant)``.
    """
    srv = settings.server
    logins, keys = users(srv.auth), entries(srv.api_keys)
    holder = Holder(assistant, private=bool(logins or keys))
    librarian = Librarian(holder, srv.ingest_wait)
    max_file = settings.ingest.max_file_bytes
    # No /api/docs page: FastAPI's loads its scripts from a CDN, which this
    # page's policy (and an offline machine) refuses; the schema stays.
    page = profile.load(settings.retrieval.profile_path)
    app = FastAPI(title=page.title, docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.holder = holder
    app.state.settings = settings
    app.state.librarian = librarian

    @app.get("/health")
    def health() -> JSONResponse:
        status, body = holder.status()
        return JSONResponse(body, status_code=status)

    app.include_router(openai_api.router(holder, settings))
    app.include_router(documents_api.router(librarian, max_file))
    demo = build_ui(holder, page, librarian, srv.chat_concurrency, settings)
    app = gr.mount_gradio_app(
        app, demo, path="/", server_name=settings.server.host, server_port=settings.server.port,
        footer_links=["settings"], run_history=False, ssr_mode=False,
        mcp_server=False, css=CSS, show_error=True)
    app.add_middleware(BodyLimit, limit=srv.max_body_bytes, uploads=max_file + 64 * 1024)
    app.add_middleware(Access, logins=logins, keys=keys, origins=entries(srv.allowed_origins))
    app.add_middleware(SecurityHeaders)
    return app


def serve(settings: Settings, model_server: Any = None) -> None:
    """Listen on settings.host:settings.port; load the assistant in the background.
    ``model_server``: the supervisor of a model-server process, shown by /health."""
    import uvicorn

    from assistant.build import build_assistant

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = build_app(None, settings)
    holder: Holder = app.state.holder
    holder.model_server = model_server
    if settings.server.host not in LOOPBACK and not holder.private:
        log.warning("binding %s without sign-in: anyone who can reach this port can read the "
                    "documents and ask; set ASSISTANT_AUTH=user:password (see README)",
                    settings.server.host)
    holder.reason = "loading the index and the generator…"

    def load() -> None:
        started = time.perf_counter()
        try:
            holder.ready(build_assistant(settings))
        except Exception as exc:
            log.error("the assistant could not be loaded: %s", exc)
            holder.failed(f"{exc}")
            return
        log.info("assistant ready in %.1f s (generator: %s)", time.perf_counter() - started,
                 holder.assistant.generator if holder.assistant else "?")

    threading.Thread(target=load, name="assistant-loader", daemon=True).start()
    log.info("web chat on http://%s:%d/  (health: /health, API: /v1/chat/completions)",
             settings.server.host, settings.server.port)
    uvicorn.run(app, host=settings.server.host, port=settings.server.port, log_level="info")
