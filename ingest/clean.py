"""Raw extracted text -> clean blocks (headings, paragraphs, captions).

Written by hand because no library knows the habits of Chinese PDF
extraction: lines broken mid-sentence (rejoined without spaces between CJK
characters), running headers such as ``专题论坛 | 47`` / ``THEME  FORUM``,
footnote markers on their own line, figure captions glued to a heading,
spaced numbers (``4 000``) and spaced acronyms (``D H L``).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

from core.text import HAN_RE as _CJK_RE
from ingest.headings import MD_HEADING, TERMINAL, bare_headings, heading_level
from ingest.inline import join_lines, normalise_inline
from ingest.loaders import PAGE_BREAK

__all__ = ["Block", "clean", "clean_text", "heading_level", "joined", "normalise_inline"]


_LIST_ITEM = re.compile(r"^(?:[-•*·–]|\d{1,2}[.)])\s")
_ABSTRACT = re.compile(r"^(摘\s*要|内容提要|Abstract)\s*[:：]\s*", re.IGNORECASE)
_KEYWORDS = re.compile(r"^(关\s*键\s*词|Key\s*words)\s*(?:[:：]\s*(.*))?$", re.IGNORECASE)
_FOOTNOTE = re.compile(r"^[\[［]\s*(\d{1,3})\s*[\]］]$")
_RUNNING = [
    re.compile(r"^[^|｜]{1,30}\s*[|｜]\s*\d{1,4}$"),  # 专题论坛 | 47
    re.compile(r"^\d{1,4}\s*[|｜]\s*[^|｜]{1,30}$"),  # 48 | 专题论坛
    re.compile(r"^[A-Z]{2,}(?:\s+[A-Z]{2,}){1,4}$"),  # THEME  FORUM
    re.compile(r"^[-–—]?\s*\d{1,4}\s*[-–—]?$"),  # bare page numbers
    re.compile(r"^第\s*\d+\s*页"),
]
# A figure/table caption glued to the end of a line: "...社会发展图1  全球…".
_GLUED_CAPTION = re.compile(r"(?<=\S)((?:图|表|Figure|Fig\.|Table)\s*\d+[\s\u3000]{1,}\S.*)$")
_CAPTION = re.compile(r"^(?:图|表|Figure|Fig\.|Table)\s*\d+[\s\u3000]")


@dataclass
class Block:
    kind: str  # "heading" | "paragraph" | "caption" | "title" | "abstract" | "keywords"
    text: str
    level: int = 0  # heading level (1 = top)
    page: int | None = None
    start: int = 0  # character offsets in the cleaned text
    end: int = 0


@dataclass
class Line:
    text: str
    page: int | None


def clean(raw: str, has_pages: bool = False) -> list[Block]:
    """Return the document as blocks with offsets into :func:`joined` text."""
    lines = _lines(raw, has_pages)
    lines = _drop_running_heads(lines)
    blocks = _reflow(lines) if _is_hard_wrapped(lines) else _one_block_per_line(lines)
    for block in blocks:
        block.text = normalise_inline(block.text)
    blocks = [b for b in blocks if b.text]
    offset = 0
    for block in blocks:
        block.start, block.end = offset, offset + len(block.text)
        offset = block.end + 2  # blocks are joined by a blank line
    return blocks


def joined(blocks: list[Block]) -> str:
    return "\n\n".join(b.text for b in blocks)


def clean_text(raw: str) -> str:
    return joined(clean(raw))


def _lines(raw: str, has_pages: bool) -> list[Line]:
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    # Every Unicode space separator (U+2005 in "4\u2005000", U+3000, NBSP) -> " ".
    raw = re.sub(r"[^\S\n\f]", " ", raw)
    # Control characters other than newline/tab/page break are extraction noise.
    raw = re.sub(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", "", raw)
    out: list[Line] = []
    for page_no, page in enumerate(raw.split(PAGE_BREAK), start=1):
        for text in page.split("\n"):
            text = text.strip()
            if text:
                out.append(Line(text, page_no if has_pages else None))
    return out


def _drop_running_heads(lines: list[Line]) -> list[Line]:
    # Short lines that repeat on many pages (digits ignored) are running heads too.
    shape = Counter(re.sub(r"\d+", "#", ln.text) for ln in lines if len(ln.text) <= 40)
    repeated = {s for s, n in shape.items() if n >= 3 and not _CJK_RE.search(s[:1] or "x")}
    kept = []
    for ln in lines:
        if any(p.match(ln.text) for p in _RUNNING):
            continue
        if re.sub(r"\d+", "#", ln.text) in repeated and not _FOOTNOTE.match(ln.text) \
                and not MD_HEADING.match(ln.text) and not heading_level(ln.text):
            continue
        kept.append(ln)
    return kept


def _is_hard_wrapped(lines: list[Line]) -> bool:
    """PDF text breaks lines anywhere; Markdown/Word text breaks at paragraphs.
    List items ("- a name (1768–1822)") end unterminated in either."""
    body = [ln.text for ln in lines if len(ln.text) > 12 and not _LIST_ITEM.match(ln.text)]
    if len(body) < 5:
        return False
    unterminated = sum(1 for t in body if not t.endswith(TERMINAL))
    return unterminated / len(body) > 0.4


def _one_block_per_line(lines: list[Line]) -> list[Block]:
    # Text without heading marks (an article saved as plain text) shows its
    # headings as short unpunctuated lines before a paragraph: those are
    # headings then, and the first one is the title.
    marked = any(MD_HEADING.match(ln.text) or heading_level(ln.text) for ln in lines)
    bare = set() if marked else bare_headings([ln.text for ln in lines])
    blocks: list[Block] = []
    for i, ln in enumerate(lines):
        md = MD_HEADING.match(ln.text)
        if md:
            blocks.append(Block("heading", md.group(2), len(md.group(1)), ln.page))
        elif level := heading_level(ln.text):
            blocks.append(Block("heading", ln.text, level, ln.page))
        elif i in bare:
            # The first is the title; a heading right under another is its subsection.
            stacked = i - 1 in bare and i - 1 != 0
            blocks.append(Block("title", ln.text, 0, ln.page) if i == 0
                          else Block("heading", ln.text, 2 if stacked else 1, ln.page))
        elif _FOOTNOTE.match(ln.text) and blocks:
            blocks[-1].text += _footnote(ln.text)
        else:
            blocks.append(Block("paragraph", ln.text, 0, ln.page))
    return blocks


def _footnote(text: str) -> str:
    # Footnote markers are kept inline in Markdown footnote style, so they
    # never look like the assistant's own [n] citation markers.
    m = _FOOTNOTE.match(text)
    return f"[^{m.group(1)}]" if m else ""


class _Para:
    """A paragraph being reflowed, in time linear in its length: its text is
    kept in pieces, joined when it closes; a line joins on the last two
    characters (all join_lines reads); CJK found, or three Latin words, stay."""

    def __init__(self, block: Block) -> None:
        self.block, self.parts, self.words = block, [block.text], False
        self.cjk = bool(_CJK_RE.search(block.text))

    def join(self, line: str) -> None:
        last = self.parts[-1]
        self.parts[-1:] = [last[:-2], join_lines(last[-2:], line)]
        self.cjk = self.cjk or bool(_CJK_RE.search(line))

    def is_latin(self) -> bool:  # _is_latin_line(text)
        self.words = self.words or (not self.cjk and _is_latin_line(self.done().text))
        return self.words and not self.cjk

    def done(self) -> Block:
        self.block.text = "".join(self.parts)
        return self.block


def _reflow(lines: list[Line]) -> list[Block]:
    widths = [len(ln.text) for ln in lines if len(ln.text) > 12]
    width = statistics.median(widths) if widths else 25
    blocks: list[Block] = []
    para: _Para | None = None
    longest = 0
    front_matter = True
    i = 0

    def close() -> None:
        nonlocal para, longest
        if para is not None and para.done().text:
            blocks.append(para.block)
        para, longest = None, 0

    while i < len(lines):
        ln = lines[i]
        text = ln.text
        glued = _GLUED_CAPTION.search(text)
        caption = None
        if glued and not _CAPTION.match(text):
            text, caption = text[: glued.start()].rstrip(), glued.group(1)

        if _FOOTNOTE.match(text):
            if para is None and blocks and blocks[-1].kind == "paragraph":
                para = _Para(blocks.pop())
            if para is not None:
                # It ends the paragraph (below) if it follows a sentence end.
                ended = next((p[-1] for p in reversed(para.parts) if p), "") in set("。！？!?；”")
                para.parts[-1] += _footnote(text)
                # The marker sat mid-line: a short next line is the rest of
                # that physical line, so the paragraph goes on.
                nxt = lines[i + 1].text if i + 1 < len(lines) else ""
                if len(nxt) < width * 0.6:
                    longest = 0
                elif ended:
                    close()
            i += 1
            continue
        md = MD_HEADING.match(text)
        if md:
            front_matter = False
            close()
            blocks.append(Block("heading", md.group(2), len(md.group(1)), ln.page))
            i += 1
            continue
        level = heading_level(text)
        abstract = _ABSTRACT.match(text)
        keywords = _KEYWORDS.match(text)
        if level:
            front_matter = False
            close()
            # A heading wrapped onto a second, very short line: "…国际城市组" + "织".
            nxt = lines[i + 1].text if i + 1 < len(lines) else ""
            if 0 < len(nxt) <= 3 and not re.search(r"[，。、；：,.;:]", nxt) and not heading_level(nxt):
                text += nxt
                i += 1
            blocks.append(Block("heading", text, level, ln.page))
        elif abstract:
            close()
            para = _Para(Block("abstract", "摘要：" + text[abstract.end():], 0, ln.page))
            longest = len(text)
        elif keywords:
            close()
            words = keywords.group(2) or ""
            if not words:
                # PDF order puts the keywords before their label: take the run
                # of short unpunctuated lines just before it.
                run: list[str] = []
                while blocks and blocks[-1].kind == "paragraph" and len(blocks[-1].text) <= 12 \
                        and not re.search(r"[，。；]", blocks[-1].text):
                    run.insert(0, blocks.pop().text)
                words = "；".join(run)
            blocks.append(Block("keywords", "关键词：" + words, 0, ln.page))
        elif _CAPTION.match(text):
            close()
            blocks.append(Block("caption", text, 0, ln.page))
        elif para is not None and _CJK_RE.search(text) and para.is_latin():
            # Chinese text after an all-Latin block (the English title) starts anew.
            close()
            para = _Para(Block("paragraph", text, 0, ln.page))
            longest = len(text)
            if front_matter and len(text) <= 12:
                close()
        elif _is_latin_line(text) and (para is None or not para.is_latin()):
            # An all-Latin line after Chinese text starts a new block (e.g. the
            # English title); Latin lines join one another with spaces.
            close()
            para = _Para(Block("paragraph", text, 0, ln.page))
            longest = len(text)
        else:
            if para is None:
                para = _Para(Block("paragraph", text, 0, ln.page))
            else:
                para.join(text)
            longest = max(longest, len(text))
            ends = text.endswith(TERMINAL)
            short = len(text) < min(longest, width) - 2
            if ends and (short or len(text) < width * 0.5):  # or short even standing alone
                close()
            elif front_matter and len(text) <= 12 and not ends and not re.search(r"[，。、；：]", text) \
                    and any(_KEYWORDS.match(x.text) for x in lines[i + 1:i + 9]):
                # Short unpunctuated lines before the first heading (keyword
                # lists) are blocks of their own.
                close()
        if caption:
            close()
            blocks.append(Block("caption", caption, 0, ln.page))
        i += 1
    close()
    _mark_title(blocks)
    return blocks


def _is_latin_line(text: str) -> bool:
    return not _CJK_RE.search(text) and len(re.findall(r"[A-Za-z]{2,}", text)) >= 3


def _mark_title(blocks: list[Block]) -> None:
    """The first Latin-only block before any heading is the (English) title."""
    for block in blocks:
        if block.kind == "heading":
            return
        if block.kind == "paragraph" and _is_latin_line(block.text) and len(block.text) < 250:
            block.kind = "title"
            return
