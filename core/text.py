"""Text helpers shared by every layer: the script table, language detection,
BM25 tokens (jieba), sentences, and the small normalisations of names.

Word lists come from the language profiles (data/lang/*.toml)."""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache

from core.language import profile

# The script table: every "is this Chinese?" in the project reads it.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ideographs (CJK unified, ext. A, compatibility)
CJK_PUNCT = "\u3000-\u303f\uff00-\uffef"  # ideographic punctuation, full-width forms
HAN_RE = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")
CJK_RE = HAN_RE
OTHER_SCRIPTS = "\u0400-\u04ff\u0600-\u06ff\u0900-\u097f\u3040-\u30ff\uac00-\ud7af\u0e00-\u0e7f"
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_OTHER_SCRIPT = re.compile(f"[{OTHER_SCRIPTS}]")


def has_han(text: str) -> bool:
    return bool(HAN_RE.search(text))


def han_count(text: str) -> int:
    return len(HAN_RE.findall(text))


@cache
def _stop() -> frozenset[str]:
    return frozenset(w for code in ("zh", "en") for w in profile(code).lexicon("text", "stop").words)


@cache
def _foreign() -> frozenset[str]:
    return frozenset(profile("en").lexicon("text", "foreign").words)


@cache
def _sentence_end() -> re.Pattern[str]:
    # English sentences end at ". " before a capital, except after the number
    # of a list item ("including:\n1. Free offices") or a title ("Dr. Schröder").
    titles = "".join(rf"(?<!{re.escape(t)}\.)" for t in profile("en").lexicon("text", "titles").words)
    return re.compile(r"(?<=[。！？!?；;])(?![”’」』）)])|(?<=[。！？!?][”’」』）)])"
                      r"|(?<=[.])(?<!^\d\.)(?<!\n\d\.)(?<!\n\d\d\.)" + titles + r"\s+(?=[A-Z])")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def detect_language(text: str) -> str:
    """'zh', 'en', or 'other' (a third language)."""
    cjk = han_count(text)
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    if cjk and cjk >= 2 * len(words):
        return "zh"
    if len(_OTHER_SCRIPT.findall(text)) > max(cjk, 2):
        return "other"
    if words:
        foreign = sum(w in _foreign() for w in words)
        english = sum(w in _stop() for w in words)
        if foreign > english and foreign >= 2:
            return "other"
        return "en"
    return "zh" if cjk else "en"


@cache
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@cache
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer

    return snowballstemmer.stemmer("english")


_ASCII_WORD = re.compile(r"[a-z]+")


@cache
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word)) if _ASCII_WORD.fullmatch(word) else word


def tokens(text: str) -> list[str]:
    """BM25 tokens: jieba search-mode words for Chinese (overlapping sub-words
    help recall), lower-cased Snowball stems for Latin words ("negotiations"
    and "negotiated" meet); stop words dropped."""
    text = nfkc(text).lower()
    out: list[str] = []
    for tok in _jieba().lcut_for_search(text):
        tok = tok.strip()
        if not tok or not re.search(r"\w", tok) or tok in _stop():
            continue
        out.append(_stem(tok))
    return out


def proper_names(text: str) -> set[str]:
    """Names of people and organisations (and other proper nouns) in Chinese
    text, by jieba's part-of-speech tags nr / nt / nz. Places (ns) are left
    out: paraphrases describe places ("海湾地区") more than they name them."""
    _jieba()
    import jieba.posseg

    return {w for w, flag in jieba.posseg.cut(text) if flag in ("nr", "nt", "nz") and len(w) >= 2}


def content_terms(text: str) -> set[str]:
    return set(tokens(text))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _sentence_end().split(text) if s and s.strip()]


def strip_controls(text: str) -> str:
    """Remove control and format characters (keeping newlines and tabs)."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


_NAME_WORD = re.compile(r"[\w'’\-]+")


def name_words(text: str) -> list[str]:
    """The words of names, lower-cased: "Ki-moon", "O'Neill", "Schröder"."""
    return [w.lower() for w in _NAME_WORD.findall(nfkc(text))]


def romanised_names(text: str, longest: int = 4) -> set[str]:
    """Toneless pinyin of every run of 2..``longest`` Chinese characters in
    ``text``, joined ("lixiaoming" for 李晓明): how an English answer spells
    a Chinese person's name."""
    from pypinyin import lazy_pinyin

    out: set[str] = set()
    for run in HAN_RUN.findall(text):
        syllables = lazy_pinyin(run)
        if len(syllables) != len(run):
            continue
        for i in range(len(run)):
            for n in range(2, longest + 1):
                if i + n <= len(run):
                    out.add("".join(syllables[i:i + n]))
    return out


def bigrams(text: str) -> set[str]:
    """Chinese character pairs that do not span punctuation: "城市、准、新"
    has one (城市), not three (市准 and 准新 are no one's words)."""
    return {run[i:i + 2] for run in HAN_RUN.findall(nfkc(text).lower()) for i in range(len(run) - 1)}


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _latin(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9\-]{1,}", nfkc(text).lower())}


def numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(nfkc(text))}


def overlap(text: str, passage: str) -> float:
    """Share of ``text``'s Chinese bigrams, Latin words and numbers found in ``passage``."""
    units = bigrams(text) | _latin(text) | numbers(text)
    if not units:
        return 0.0
    p_units = bigrams(passage) | _latin(passage) | numbers(passage)
    return len(units & p_units) / len(units)
