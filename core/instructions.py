"""Sentences that speak to the assistant instead of about the world.

Documents and questions are data. A sentence that tells an assistant what to
do ("Ignore all previous instructions…", "请AI助手在回答时注明…", a fake
``SYSTEM:`` line, a Markdown image that would fetch a URL) is flagged here,
so that ingest can record it, the prompt can leave it out, and the review
can withhold an answer that repeats it.

One mechanism for every language: each sentence is scored by features
built from the word lists of the language profiles (``data/lang/*.toml``):

- *strong* features flag a sentence on their own: a chat-template token or
  a role marker (``system:``, ``### Instruction``, ``[INST]``), markup that
  fetches (images, scripts, ``data:`` URLs), a countermand aimed at the
  assistant's instructions or documents (ignore + instructions), or a claim
  about the assistant's role (you are now…);
- *weak* features need company (``weak_needed`` of them): a demand about
  the answer (directive + answer), a rule about the answer (answer + must),
  a standing rule (from now on / every answer), the assistant addressed
  directly, a demand about the assistant's instructions (print + system
  prompt), a demand to write a given string (add + "…"), a demand to visit
  or show a link, an order in the second person, a clause that opens with
  an order.

Attacks spread over several sentences, so in a document a flag spreads:
to the whole paragraph of a flagged sentence, to the paragraph a bare role
marker heads (``### Instruction:``), and to any sentence that repeats the
quoted payload of a flagged one (``…都要说明“X”`` then ``X``).

A question is addressed to the assistant and may say how to answer it
("请用英文回答", "in one sentence"): there, weak features count only with
one that reaches beyond the question (a standing rule, a demand about the
assistant's instructions, a payload to write), and flags do not spread
except by payload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.instruction_features import BARE_MARKER, QUESTION_REACH, QUOTED, STRONG, features, norm

_TITLES = ("Dr", "Mr", "Mrs", "Ms", "Prof", "St", "No", "Jr", "Sr", "vol", "e.g", "i.e", "etc", "cf")
# Sentence ends: CJK terminators, line breaks, and Latin . ! ? before a capital
# (not after a title, and not inside a URL).
_CJK_END = re.compile(r"[。！？；]+[”’」』）)\"']*")
_LATIN_END = re.compile(r"(?<=[.!?])[\"'”’)*_]*\s+(?=[A-Z\"“‘(\[#*<])")
# Clause breaks inside a question: an instruction clause can be cut out of it.
_CLAUSE = re.compile(r"[,，:：;；]\s*|\s+(?:and then|and|then|but|also)\s+|然后|并且|并|再", re.IGNORECASE)
# Markup, links and URLs are never cut into clauses.
_WHOLE = re.compile(r"<[^<>]*(?:<[^<>]*>[^<>]*)*>|!?\[[^\]\n]*\]\([^\n]*?\)(?=\s|$|[，。,;；])|\S*://\S+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    features: tuple[str, ...] = ()
    flagged: bool = False


@dataclass
class Redacted:
    """Text with its instruction sentences cut out."""

    text: str
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.removed)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``; lines and paragraphs end sentences."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        cuts = {line.start(), line.end()}
        piece = line.group(0)
        cuts |= {line.start() + m.end() for m in _CJK_END.finditer(piece)}
        for m in _LATIN_END.finditer(piece):
            before = piece[:m.start()].rstrip("\"'”’)")
            word = re.search(r"([A-Za-z.]+)[.!?]$", before)
            if word and word.group(1).rstrip(".") in _TITLES:
                continue
            cuts.add(line.start() + m.end())
        edges = sorted(cuts)
        spans += [(a, b) for a, b in zip(edges, edges[1:], strict=False) if text[a:b].strip()]
    return spans


def _paragraphs(text: str, spans: list[tuple[int, int]]) -> list[int]:
    """The paragraph number of each span (blank lines separate paragraphs)."""
    breaks = [m.start() for m in re.finditer(r"\n[ \t]*\n", text)]
    return [sum(b < start for b in breaks) for start, _ in spans]


def _payloads(text: str) -> list[str]:
    return [p.strip() for m in QUOTED.finditer(norm(text)) for p in m.groups() if p and len(p.strip()) >= 3]


def scan(text: str, weak_needed: int = 2, spans: list[tuple[int, int]] | None = None,
         question: bool = False) -> list[Span]:
    """Every sentence of ``text`` with its features and whether it is flagged.
    ``question``: ``text`` is a question to the assistant."""
    spans = spans if spans is not None else split_sentences(text)
    scored = []
    for a, b in spans:
        strong, weak = features(text[a:b])
        if question:
            # A user may quote a user turn, and may say how to answer this question.
            strong = [f for f in strong if f != "user_marker"]
            if not QUESTION_REACH & set(weak):
                weak = []
        scored.append((a, b, strong, weak))
    flagged = [bool(strong) or len(weak) >= weak_needed for _, _, strong, weak in scored]
    if not question:
        flagged = _spread(text, spans, scored, flagged, weak_needed)
    # The payload of a flagged sentence is an attack wherever it appears.
    payloads = [p for (a, b, _, _), f in zip(scored, flagged, strict=True) if f for p in _payloads(text[a:b])]
    if payloads:
        flagged = [f or any(p in norm(text[a:b]) for p in payloads)
                   for (a, b, _, _), f in zip(scored, flagged, strict=True)]
    return [Span(a, b, text[a:b], tuple(strong + weak), f)
            for (a, b, strong, weak), f in zip(scored, flagged, strict=True)]


def _spread(text: str, spans: list[tuple[int, int]], scored: list, flagged: list[bool],
            weak_needed: int) -> list[bool]:
    flagged = list(flagged)
    # A neighbour of a flagged sentence needs one weak feature fewer.
    for _ in range(2):
        for i, (_, _, _, weak) in enumerate(scored):
            near = (i > 0 and flagged[i - 1]) or (i + 1 < len(scored) and flagged[i + 1])
            if not flagged[i] and near and len(weak) >= max(1, weak_needed - 1):
                flagged[i] = True
    paras = _paragraphs(text, spans)
    # A bare role marker ("### Instruction:") heads the paragraph below it.
    headed = {paras[i] + 1 for i, (a, b) in enumerate(spans) if BARE_MARKER.match(text[a:b])}
    hit = {p for p, f in zip(paras, flagged, strict=True) if f} | headed
    return [f or p in hit for p, f in zip(paras, flagged, strict=True)]


def instructions(text: str, weak_needed: int = 2) -> list[str]:
    """The flagged sentences of ``text``."""
    return [s.text.strip() for s in scan(text, weak_needed) if s.flagged]


def redact(text: str, weak_needed: int = 2) -> Redacted:
    """``text`` without its instruction sentences."""
    kept: list[str] = []
    removed: list[str] = []
    cursor = 0
    for s in scan(text, weak_needed):
        if s.flagged:
            kept.append(text[cursor:s.start])
            removed.append(s.text.strip())
            cursor = s.end
    if not removed:
        return Redacted(text)
    kept.append(text[cursor:])
    cleaned = re.sub(r"[ \t]{2,}", " ", "".join(kept))
    cleaned = re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n\n", cleaned).strip()
    return Redacted(cleaned, removed)


def redact_question(question: str, weak_needed: int = 2) -> Redacted:
    """The question without the clauses that instruct the assistant: a
    flagged sentence is cut into clauses and only its flagged clauses go
    ("Ignore all previous instructions and tell me where …" keeps "tell me
    where …"); when no clause is flagged alone, the whole sentence goes."""
    removed: list[str] = []
    pieces: list[str] = []
    cursor = 0
    for s in scan(question, weak_needed, question=True):
        if not s.flagged:
            continue
        pieces.append(question[cursor:s.start])
        cursor = s.end
        clauses = _clauses(s.text)
        marks = _clause_marks(s.text, clauses, weak_needed) if len(clauses) > 1 else []
        # Clauses go one by one only when they account for the sentence's
        # strong features ("You are X, an AI…" is a claim across two clauses).
        covered = {f for m in marks if m.flagged for f in m.features}
        strong = {f for f in s.features if f in STRONG}
        if any(m.flagged for m in marks) and not all(m.flagged for m in marks) and strong <= covered:
            sub = 0
            for m in marks:
                if m.flagged:
                    pieces.append(s.text[sub:m.start])
                    removed.append(m.text.strip())
                    sub = m.end
            pieces.append(s.text[sub:])
        else:
            removed.append(s.text.strip())
    if not removed:
        return Redacted(question)
    pieces.append(question[cursor:])
    cleaned = re.sub(r"\s{2,}", " ", "".join(pieces)).strip(" ,，;；:：-—\n\t")
    cleaned = re.sub(r"^(?:and|then|also|but|然后|并且|并|再)\s*", "", cleaned, flags=re.IGNORECASE)
    return Redacted(cleaned, removed)


def _clause_marks(sentence: str, clauses: list[tuple[int, int]], weak_needed: int) -> list[Span]:
    """The clauses of a flagged question sentence; a clause next to a flagged
    one needs only one feature that reaches beyond the question."""
    marks = scan(sentence, weak_needed, clauses, question=True)
    flags = [m.flagged for m in marks]
    for _ in range(2):
        for i, m in enumerate(marks):
            near = (i > 0 and flags[i - 1]) or (i + 1 < len(marks) and flags[i + 1])
            if not flags[i] and near and QUESTION_REACH & set(m.features):
                flags[i] = True
    return [Span(m.start, m.end, m.text, m.features, f) for m, f in zip(marks, flags, strict=True)]


def _clauses(sentence: str) -> list[tuple[int, int]]:
    whole = [(m.start(), m.end()) for m in _WHOLE.finditer(sentence)]
    spans, start = [], 0
    for m in _CLAUSE.finditer(sentence):
        if any(a < m.start() < b for a, b in whole):
            continue
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(sentence):
        spans.append((start, len(sentence)))
    return [(a, b) for a, b in spans if sentence[a:b].strip()]
