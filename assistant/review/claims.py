"""Typed claims in a text, the same way in both languages: outcomes (a
success or a failure, a growth or a shrinking), years, and names. What
differs by language is data (``data/lang/<code>.toml``, section ``claims``).

>>> outcome("最终失败了。", "zh")
('result', -1)
>>> outcome("Why did the city win the bid?", "en")
('result', 1)
"""

from __future__ import annotations

import re
from functools import cache

from core.language import Lexicon, profile
from core.text import detect_language, nfkc, proper_names

AXES = {"result": ("success", "failure"), "change": ("increase", "decrease")}
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_EN_NAME = re.compile(r"\b(?:[A-Z][a-z]+(?:[-'][A-Za-z]+)*|[A-Z]{2,}[A-Za-z\-]*)(?:\s+(?:[A-Z][a-z]+|[A-Z]{2,}))*")


@cache
def _lex(lang: str, name: str) -> Lexicon:
    return profile(lang).lexicon("claims", name)


def _lang(text: str) -> str:
    lang = detect_language(text)
    return lang if lang in ("zh", "en") else "en"


def _negated(text: str, at: int, lang: str) -> bool:
    """A negation word right before position ``at`` ("did not win", "没有获得")."""
    before = text[max(0, at - (16 if lang == "en" else 3)):at]
    return bool(_lex(lang, "negation").found(before))


def outcome(text: str, lang: str | None = None, axis: str | None = None) -> tuple[str, int] | None:
    """The outcome ``text`` states, as (axis, +1 or -1); None when it states
    none or contradicts itself."""
    lang = lang or _lang(text)
    low = nfkc(text).lower()
    found: dict[str, set[int]] = {}
    for name, (positive, negative) in AXES.items():
        if axis and name != axis:
            continue
        signs: set[int] = set()
        for word, sign in ((positive, 1), (negative, -1)):
            for m in _lex(lang, word).pattern.finditer(low):
                signs.add(-sign if sign > 0 and _negated(low, m.start(), lang) else sign)
        if signs:
            found[name] = signs
    single = {k: next(iter(v)) for k, v in found.items() if len(v) == 1}
    if not single:
        return None
    name = "result" if "result" in single else next(iter(single))
    return name, single[name]


def years(text: str) -> set[str]:
    return set(_YEAR.findall(nfkc(text)))


def says_yes_or_no(answer: str, lang: str) -> int:
    """+1 when the answer opens with yes, -1 with no, 0 otherwise."""
    head = nfkc(answer).lower().strip()[:12 if lang == "en" else 4]
    no = _lex(lang, "no").found(head)
    yes = _lex(lang, "yes").found(head)
    if no and (not yes or len(no[0]) >= len(yes[0])):
        return -1
    return 1 if yes else 0


def names(text: str, known: set[str] | None = None) -> set[str]:
    """Names in ``text``: people, organisations and places (jieba's tags for
    Chinese, capitalised words and acronyms for Latin text), and any of the
    ``known`` names (the glossary's, the documents' people) it contains."""
    found = {n for n in proper_names(text)}
    for m in _EN_NAME.finditer(text):
        word = m.group(0)
        if m.start() == 0 or text[max(0, m.start() - 2):m.start()].strip() in (".", "?", "!"):
            # A capital at a sentence start is no sign of a name unless it is an acronym.
            if not re.fullmatch(r"[A-Z]{2,}[A-Za-z\-]*", word.split()[0]):
                word = " ".join(word.split()[1:])
        if word:
            found.add(word)
    if known:
        found |= {k for k in known if k in text}
    return found


# jieba's tags for names: people, places, organisations, other proper nouns.
_NAME_TAGS = {"nr": "person", "ns": "place", "nt": "organisation", "nz": "name"}


def kinds(text: str) -> dict[str, str]:
    """The names in Chinese ``text`` with their kind (person, place, organisation)."""
    import jieba.posseg

    from core.text import tokens as _warm

    _warm("")  # jieba initialised once, quietly
    return {w: _NAME_TAGS[f] for w, f in jieba.posseg.cut(text) if f in _NAME_TAGS and len(w) >= 2}


def kind(name: str, forms: set[str] | None = None) -> str:
    """The kind of one name (through its Chinese form when it has one), or ""."""
    for form in sorted(forms or {name}, key=len, reverse=True):
        if any("\u4e00" <= c <= "\u9fff" for c in form):
            found = kinds(form)
            if found:
                return next(iter(found.values()))
    return ""
