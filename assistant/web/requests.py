"""An OpenAI chat-completions request, checked before anything runs: its
shape and types, the question (the last user message), the history before
it, and the limits on both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.settings import Settings

_ROLES = {"system", "user", "assistant", "developer", "tool"}


class RequestError(ValueError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def text_of(content: Any) -> str:
    """Plain text of a chat message's content (a string, or Gradio's / OpenAI's list
    of parts such as ``{"type": "text", "text": ...}``)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", "")) if content.get("type", "text") == "text" else ""
    if isinstance(content, list | tuple):
        return "\n".join(t for t in (text_of(part) for part in content) if t)
    return str(content)


@dataclass
class ChatRequest:
    question: str
    history: list[dict[str, str]]
    stream: bool
    model: str
    documents: list[str] | None


def parse_request(body: Any, settings: Settings) -> ChatRequest:
    """The question (the last user message), the history before it and the
    options of an OpenAI chat-completions request; RequestError if malformed."""
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("'messages' must be a non-empty list of {role, content} objects")
    if len(messages) > settings.server.max_messages:
        raise RequestError(f"'messages' has {len(messages)} entries; the limit is {settings.server.max_messages}")
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise RequestError(f"messages[{i}] must be an object with 'role' and 'content'")
        if m.get("role") not in _ROLES:
            raise RequestError(f"messages[{i}].role must be one of {', '.join(sorted(_ROLES))}")
        if not isinstance(m.get("content"), str | list | type(None)):
            raise RequestError(f"messages[{i}].content must be a string or a list of parts")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise RequestError("'stream' must be true or false")
    model = body.get("model", "")
    if not isinstance(model, str):
        raise RequestError("'model' must be a string")
    documents = body.get("documents")
    if documents is not None and not (isinstance(documents, list)
                                      and all(isinstance(d, str) for d in documents)):
        raise RequestError("'documents' must be a list of document names or ids")
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    if last_user < 0:
        raise RequestError("no user message: the last user message is the question")
    question = text_of(messages[last_user].get("content"))
    history = [{"role": m["role"], "content": text_of(m.get("content"))}
               for m in messages[:last_user] if m.get("role") in ("user", "assistant")]
    history = [h for h in history if h["content"].strip()]
    used = sum(len(h["content"]) for h in history)
    if used > settings.server.max_history_chars:
        raise RequestError(f"the conversation history is {used} characters long; the limit is "
                           f"{settings.server.max_history_chars}: start a new conversation")
    return ChatRequest(question, history, stream, model, documents)
