"""The web surface, one module per concern: ``app`` (assembly and the
launcher), ``chat`` (the Gradio page), ``openai_api`` (the OpenAI-compatible
routes), ``health``, ``render`` (text as the page shows it) and ``security``
(headers and request limits)."""

from assistant.web.app import build_app, serve
from assistant.web.chat import CURSOR, SEARCHING, WAITING, WRITING, chat_turn, sources_html
from assistant.web.health import Holder
from assistant.web.render import safe_markdown
from assistant.web.requests import parse_request

__all__ = ["CURSOR", "SEARCHING", "WAITING", "WRITING", "Holder", "build_app",
           "chat_turn", "parse_request", "safe_markdown", "serve", "sources_html"]
