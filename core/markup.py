"""Markup and control tokens in untrusted text (documents, questions, model output).

Documents and questions are data, never instructions. Three things in them
could act instead of being read:

- a chat model's control tokens (``<|im_start|>system``): llama.cpp parses
  special tokens in the formatted prompt, so a document could open a system
  turn. :func:`neutralise_tokens` changes one character of each, so it is
  tokenised as text;
- HTML and Markdown that fetches (``![x](http://…)``, ``<img src=…>``,
  ``<script>``): :func:`strip_markup` keeps the words and drops the rest;
- links and URLs, which an answer never needs unless the question gave them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Control-token shapes of the common chat templates (ChatML / Qwen, Llama 2
# and 3, Gemma, Mistral): the configured model's own special tokens are
# added by the generator that loads it.
_TOKEN_SHAPES = re.compile(
    r"<\|[^|<>\s]{1,64}\|>"            # <|im_start|>, <|endoftext|>, <|eot_id|>
    r"|</?s>|<unk>|<pad>"              # sentencepiece markers
    r"|\[/?(?:INST|SYS|AVAILABLE_TOOLS|TOOL_CALLS)\]"
    r"|<</?SYS>>"
    r"|<(?:start|end)_of_turn>"
    r"|<\|?(?:begin|end)_of_text\|?>",
    re.IGNORECASE)
# Each special token loses its first character to a look-alike that no
# tokenizer treats as special.
_LOOKALIKE = {"<": "‹", "[": "［", "|": "｜", "{": "｛"}


def _defuse(token: str) -> str:
    first = _LOOKALIKE.get(token[0], "\u2039")
    return first + token[1:].replace("|", "｜")


def neutralise_tokens(text: str, specials: Iterable[str] = ()) -> str:
    """``text`` with every chat-template control token made plain text."""
    text = _TOKEN_SHAPES.sub(lambda m: _defuse(m.group(0)), text)
    for special in sorted({s for s in specials if len(s) >= 3}, key=len, reverse=True):
        if special in text:
            text = text.replace(special, _defuse(special))
    return text


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_DANGEROUS_BLOCK = re.compile(r"<(script|style|iframe|object|embed|svg|math|template|noscript)\b.*?"
                              r"(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][\w:-]*(?:\s+[^<>]*?)?/?>")
# Markdown images and inline links: "![alt](" / "[text](" up to the matching ")"
# (addresses may hold parentheses: data:image/svg+xml,…fetch(…)…).
_MD_OPEN = re.compile(r"(!?)\[([^\]\n]{0,300})\]\(")
_MD_REF_IMAGE = re.compile(r"!\[([^\]\n]{0,300})\]\[[^\]\n]*\]")
_MD_REF_DEF = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*\S+.*$", re.MULTILINE)
_SCRIPT_URL = re.compile(r"\b(?:javascript|vbscript|data):[^\s)\"'<>]*", re.IGNORECASE)
URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'（）()，。；、]+|\bwww\.[a-z0-9\-]+\.[^\s<>\"'（）()，。；、]+",
                 re.IGNORECASE)


def strip_markup(text: str) -> str:
    """The readable words of ``text``: no HTML tags or comments (the contents
    of scripts and styles go too), Markdown images become their alt text,
    links become ``text (url)``, ``javascript:`` and ``data:`` URLs are
    dropped. Plain prose passes through unchanged."""
    if not any(c in text for c in "<>[]:&"):
        return text
    text = _COMMENT.sub("", text)
    text = _DANGEROUS_BLOCK.sub("", text)
    text = _inline_links(text)
    text = _MD_REF_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_REF_DEF.sub("", text)
    text = _TAG.sub("", text)
    return _SCRIPT_URL.sub("", text)


def _inline_links(text: str) -> str:
    """Images become their alt text; links ``text (address)``, without
    script and data addresses."""
    out: list[str] = []
    cursor = 0
    for m in _MD_OPEN.finditer(text):
        if m.start() < cursor:
            continue
        depth, i = 1, m.end()
        while i < len(text) and depth and text[i] != "\n":
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        if depth:
            continue  # no closing parenthesis on the line: not a link
        bang, label, target = m.group(1), m.group(2), text[m.end():i - 1].strip().split(" ")[0]
        out.append(text[cursor:m.start()])
        if bang or not target or _SCRIPT_URL.match(target) or target.startswith("#"):
            out.append(label)
        else:
            out.append(label if target in label else f"{label} ({target})")
        cursor = i
    out.append(text[cursor:])
    return "".join(out)


def urls(text: str) -> set[str]:
    """The URLs (and www. addresses) in ``text``, without trailing punctuation."""
    return {u.rstrip(".,;:!?'\"”’]").lower() for u in URL.findall(text)}


def has_markup(text: str) -> bool:
    """HTML tags, Markdown images or links, or script/data URLs."""
    return bool(_TAG.search(text) or _MD_OPEN.search(text) or _SCRIPT_URL.search(text)
                or _COMMENT.search(text))
