"""Text as the page shows it: every question, answer, notice and passage is
shown as text, never as markup. Gradio renders chat messages as Markdown
(with sanitised HTML), so the text is escaped into Markdown that displays
exactly its characters: no tag, image or link can form, and a URL stays
text (no autolink). The page's Content-Security-Policy is the second line."""

from __future__ import annotations

import html
import re
from typing import Any

from assistant import messages as say
from assistant.answer import Answer
from assistant.messages import MACHINE_TRANSLATION, NO_SOURCES, PASSAGE_TRANSLATION, SOURCES_TITLE

# What turns text into markup once HTML is escaped: images (![), inline links
# ](…), link definitions (]: url) and the renderer's autolinks (a scheme's ':',
# 'www.', e-mail '@'). Escaped with a backslash (CommonMark shows an escaped
# ASCII punctuation character as itself); emphasis and headings stay, being
# only formatting. Backslashes are escaped first so none can undo ours.
_ACTIVE = [
    (re.compile(r"\\"), r"\\\\"),
    (re.compile(r"!\["), r"!\\["),
    (re.compile(r"\]([(:\[])"), r"]\\\1"),
    (re.compile(r"(?i)\b(https?|ftp|mailto|javascript|data|file|vbscript):"), r"\1\\:"),
    (re.compile(r"(?i)\bwww\."), "www\\."),
    (re.compile(r"@"), r"\\@"),
]


def safe_markdown(text: str) -> str:
    """``text`` as Markdown that renders as exactly that text: no tag, image
    or link can form in it."""
    text = html.escape(text, quote=False)
    for pattern, repl in _ACTIVE:
        text = pattern.sub(repl, text)
    return text


def passages_html(passages: list[Any]) -> str:
    """The retrieved passages, numbered like the answer's [n] markers (HTML,
    every document string escaped)."""
    if not passages:
        return NO_SOURCES
    parts = [f'<div class="sources-title">{SOURCES_TITLE}</div>']
    for n, p in enumerate(passages, start=1):
        where = p.section or p.doc_title or p.doc
        if p.page is not None:
            where += f" (p. {p.page})"
        parts.append(
            f'<div class="source" id="source-{n}"><div class="source-head">'
            f'<span class="source-n">[{n}]</span><span class="source-section">'
            f"{html.escape(where)}</span></div>"
            f'<div class="source-doc">{html.escape(p.doc_title or p.doc)}</div>'
            f'<div class="source-text">{html.escape(p.text.strip())}</div></div>'
        )
    return "\n".join(parts)


def cited_markdown(answer: Any, renderings: dict[int, str] | None = None) -> str:
    """An answer's own sources (``answer``: its ``citations`` and
    ``evidence``): each cited passage with its document, section and page, the
    evidence sentence highlighted, and its rendering in the asker's language
    (marked as a machine translation) when the passage is in another
    language: the whole passage's where ``renderings`` (by citation n) has
    it, else the evidence sentence's. Text, not markup."""
    evidence = {e.n: e for e in answer.evidence}
    renderings = renderings or {}
    parts = []
    for c in answer.citations:
        where = " · ".join(x for x in (c.doc, c.section) if x)
        if c.page is not None:
            where += f" (p. {c.page})"
        text = safe_markdown(c.text.strip())
        e = evidence.get(c.n)
        if e is not None and e.text.strip():
            said = safe_markdown(e.text.strip())
            # <mark>, not **: CommonMark does not close emphasis between CJK
            # punctuation and a following character (。**由 stays literal).
            text = text.replace(said, f"<mark>{said}</mark>", 1) if said in text else text
            if e.translation and c.n not in renderings:
                text += f"\n\n> {MACHINE_TRANSLATION} {safe_markdown(e.translation)}"
        if c.n in renderings:
            text += f"\n\n> {PASSAGE_TRANSLATION} {safe_markdown(renderings[c.n])}"
        parts.append(f"**[{c.n}]** {safe_markdown(where)}\n\n{text}")
    return "\n\n---\n\n".join(parts)


def sources_message(answer: Answer) -> dict[str, Any] | None:
    """The answer's own cited passages, as a collapsed message above it (so
    every answer keeps its evidence, not only the last one)."""
    if not answer.citations:
        return None
    marks = " ".join(f"[{c.n}]" for c in answer.citations)
    return {"role": "assistant", "content": cited_markdown(answer),
            "metadata": {"title": say.ANSWER_SOURCES.format(marks=marks), "status": "done"}}


def final_text(answer: Answer) -> str:
    """What the chat shows once the answer is complete (as text, not markup)."""
    text = answer.display_text()
    if answer.evidence:
        lines = [f"[{e.n}] {e.text}" + (f"\n    → {e.translation}" if e.translation else "")
                 for e in answer.evidence]
        text += f"\n\n{say.EVIDENCE}\n" + "\n".join(lines)
    if answer.notice:
        text += f"\n\nℹ️ {answer.notice}"
    return safe_markdown(text)
