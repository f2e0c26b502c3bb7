"""The chat as text: its messages without markup objects, and the export
of a conversation as Markdown with each answer's sources."""

from __future__ import annotations

import html
from typing import Any

from assistant.web.requests import text_of


def plain_messages(chat: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The chat as messages of text; an answer's sources message keeps its title."""
    out: list[dict[str, Any]] = []
    for m in chat or []:
        msg: dict[str, Any] = {"role": str(m.get("role", "assistant")),
                               "content": text_of(m.get("content"))}
        meta = m.get("metadata") or {}
        if isinstance(meta, dict) and meta.get("title"):
            msg["metadata"] = {"title": str(meta["title"]), "status": "done"}
        out.append(msg)
    return out


def conversation_markdown(chat: list[dict[str, Any]] | None) -> str:
    """The conversation as Markdown: questions, answers and each answer's sources."""
    lines = ["# Conversation", ""]
    for m in plain_messages(chat):
        title = (m.get("metadata") or {}).get("title")
        if title:
            lines += [f"<details><summary>{html.escape(title)}</summary>", "", m["content"], "",
                      "</details>", ""]
        elif m["role"] == "user":
            lines += [f"**Q:** {m['content']}", ""]
        else:
            lines += [m["content"], ""]
    return "\n".join(lines)
