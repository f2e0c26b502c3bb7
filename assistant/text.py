"""Language detection, BM25 tokens and sentence splitting for mixed zh/en text."""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_OTHER_SCRIPT = re.compile(r"[\u0400-\u04ff\u0600-\u06ff\u0900-\u097f\u3040-\u30ff\uac00-\ud7af\u0e00-\u0e7f]")
_EN_STOP = {"the", "a", "an", "of", "to", "in", "and", "is", "are", "was", "were", "what", "which",
            "who", "why", "how", "did", "does", "do", "for", "on", "with", "by", "it", "its",
            "that", "this", "as", "at", "from", "be", "or", "has", "have", "had", "many", "much",
            "when", "where", "there", "their", "they", "them", "can", "should", "about", "into",
            "according", "document", "paper", "text", "say", "says", "tell", "me", "please",
            "i", "you", "we", "our", "your", "than", "more", "most", "not", "no", "so", "s"}
_FOREIGN_STOP = {"le", "la", "les", "des", "est", "que", "qui", "der", "die", "das", "und",
                 "ist", "el", "los", "las", "qué", "por", "wie", "viele", "combien", "cuántos",
                 "quel", "quelle", "wer", "warum", "pourquoi", "sont", "à", "dans", "une", "sind",
                 "gibt", "ein", "eine", "hay", "cuál", "cuáles", "dónde", "où"}
_ZH_STOP = set(
    "的 了 是 在 和 与 及 或 也 都 就 而 被 把 对 从 向 为 以 于 "
    "之 其 该 这 那 有 吗 呢 吧 啊 么 什么 哪些 哪个 多少 "
    "如何 怎么 怎样 为什么 是否 请问 文中 文章 本文 根据 提到 一个 一些 个".split()
)
# English sentences end at ". " before a capital, except after the number of
# a list item ("including:\n1. Free offices") or a title ("Dr. Schröder").
SENTENCE_END = re.compile(r"(?<=[。！？!?；;])(?![”’」』）)])|(?<=[。！？!?][”’」』）)])"
                          r"|(?<=[.])(?<!^\d\.)(?<!\n\d\.)(?<!\n\d\d\.)"
                          r"(?<!Dr\.)(?<!Mr\.)(?<!Ms\.)(?<!Mrs\.)(?<!Prof\.)(?<!St\.)(?<!No\.)\s+(?=[A-Z])")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def detect_language(text: str) -> str:
    """'zh', 'en', or 'other' (a third language)."""
    cjk = len(CJK_RE.findall(text))
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    if cjk and cjk >= 2 * len(words):
        return "zh"
    if len(_OTHER_SCRIPT.findall(text)) > max(cjk, 2):
        return "other"
    if words:
        foreign = sum(w in _FOREIGN_STOP for w in words)
        english = sum(w in _EN_STOP for w in words)
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


def tokens(text: str) -> list[str]:
    """BM25 tokens: jieba search-mode words for Chinese (overlapping sub-words
    help recall), lower-cased words for Latin text; stop words dropped."""
    text = nfkc(text).lower()
    out: list[str] = []
    for tok in _jieba().lcut_for_search(text):
        tok = tok.strip()
        if not tok or not re.search(r"\w", tok) or tok in _ZH_STOP or tok in _EN_STOP:
            continue
        out.append(tok)
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
    return [s.strip() for s in SENTENCE_END.split(text) if s and s.strip()]


def strip_controls(text: str) -> str:
    """Remove control and format characters (keeping newlines and tabs)."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


_NAME_WORD = re.compile(r"[\w'’\-]+")


def name_words(text: str) -> list[str]:
    """The words of names, lower-cased: "Ki-moon", "O'Neill", "Schröder"."""
    return [w.lower() for w in _NAME_WORD.findall(nfkc(text))]


def romanised_names(text: str, longest: int = 4) -> set[str]:
    """Toneless pinyin of every run of 2..``longest`` Chinese characters in
    ``text``, joined ("zhouhanmin" for 周汉民): how an English answer spells
    a Chinese person's name."""
    from pypinyin import lazy_pinyin

    out: set[str] = set()
    for run in re.findall(CJK_RE.pattern + "+", text):
        syllables = lazy_pinyin(run)
        if len(syllables) != len(run):
            continue
        for i in range(len(run)):
            for n in range(2, longest + 1):
                if i + n <= len(run):
                    out.add("".join(syllables[i:i + n]))
    return out
