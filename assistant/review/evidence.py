"""How well a piece of text is supported by a passage: used to pick extractive
sentences, to attach citations, and to check an answer's numbers."""

from __future__ import annotations

import re

from core.text import CJK_RE, name_words, nfkc, numbers, overlap, sentences
from core.text import bigrams as _bigrams

__all__ = ["numbers", "overlap"]

_QUANTITY = re.compile(r"\d+(?:\.\d+)?\s*(?:多|余)?\s*(?:千万|百万|万|亿|千)")


def quantities(text: str) -> set[str]:
    """Chinese amounts with their magnitude: "3亿", "40万", "5千多万"."""
    return {re.sub(r"\s+", "", m) for m in _QUANTITY.findall(nfkc(text).replace(",", ""))}


_EN_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)*)\s*(thousand|million|billion)\b", re.IGNORECASE)
_EN_SCALE = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def _values(text: str) -> dict[str, float]:
    """English amounts with a scale word, by their wording: "5.7 billion" -> 5.7e9."""
    return {m.group(0): float(m.group(1).replace(",", "")) * _EN_SCALE[m.group(2).lower()]
            for m in _EN_AMOUNT.finditer(nfkc(text))}


def misstated_amounts(answer: str, sources: list[str]) -> set[str]:
    """English amounts ("5.7 billion") whose value no source states, in words
    or digits: "5.7" is in the passage, but as 5.7亿 (570 million)."""
    have = {v for s in sources for v in _values(s).values()}
    have |= {float(n) for s in sources for n in numbers(s) if n.replace(".", "", 1).isdigit()}
    return {w for w, v in _values(answer).items() if not any(abs(v - h) < 0.5 for h in have)}


# "1. " / "2、" / "3）" numbering a list the model wrote: not a claim.
_LIST_MARK = re.compile(r"(?:^|(?<=[\s：:；;。，,]))\d{1,2}(?:[.、)）](?!\d))")


def without_list_marks(text: str) -> str:
    return _LIST_MARK.sub(" ", text)


def ungrounded_numbers(answer: str, sources: list[str]) -> set[str]:
    """Numbers in the answer that no source (passage or question) contains,
    and Chinese amounts ("3亿") no source states with the same magnitude
    (a lone "3" is found almost anywhere)."""
    have: set[str] = set()
    for s in sources:
        have |= numbers(s)
    joined = "".join(nfkc(s).replace(",", "").replace(" ", "") for s in sources)
    bad = {n for n in numbers(answer) if n not in have and n not in joined and len(n) > 1}
    return bad | {q for q in quantities(answer) if q not in joined}


def unsupported_numbers(answer: str, question: str, passages: list[str], salient: set[str],
                        tokenize, window: int | None = 1,  # noqa: ANN001
                        related: set[str] | None = None) -> set[str]:
    """Numbers of the answer that no passage states near one of the question's
    salient words: in the same sentence or ``window`` sentences either side
    (``None``: anywhere in the passage). E.g. "17" offered as city A's count
    of organisations, where the passage names city A two sentences before
    "17个国际组织" (city B's). The window lets through answers whose subject
    sits in the sentence before. Single digits (list numbering, "3个") are
    checked per passage only. ``related``: the question's less specific
    words (the organisation's name); a passage that has them but none of the
    salient ones (成立) is about the question's subject and never says what
    was asked."""
    bad = set()
    asked = numbers(question)
    for n in numbers(answer) - asked:
        holders = [p for p in passages if n in numbers(p)]
        if not holders or not salient:
            continue  # not in the passages at all: see ungrounded_numbers
        anchored = [p for p in holders if salient & set(tokenize(p))]
        if window is None or len(n) == 1:
            supported = bool(anchored)
        elif not anchored:
            # A paraphrased question shares no word with the passage that
            # holds the number (a capital named by its country, a treaty by
            # its subject): nothing to measure the distance from, so no
            # verdict. But "某组织是哪一年成立的？" answered with a year of a
            # passage about that organisation that never says 成立: the
            # number is about something else.
            supported = not any(related & set(tokenize(p)) for p in holders) if related else True
        else:
            supported = any(_near(n, p, salient, tokenize, window) for p in anchored)
        if not supported:
            bad.add(n)
    return bad


def _near(n: str, passage: str, salient: set[str], tokenize, window: int) -> bool:  # noqa: ANN001
    sents = sentences(passage)
    for i, sent in enumerate(sents):
        if n in numbers(sent):
            around = "".join(sents[max(0, i - window): i + window + 1])
            if salient & set(tokenize(around)):
                return True
    return False


# Asking for an amount: 多少, 几个/几年…, how many / how much.
_ASKS_AMOUNT = re.compile(r"多少|(?<!哪)几(?:个|年|家|次|位|种|名|人|十|百|千|万)|\bhow (?:many|much)\b",
                          re.IGNORECASE)
_STATES_AMOUNT = re.compile(
    r"\d|[一二两三四五六七八九十百千万亿]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozens?|"
    # "How much did the offices cost?" "Nothing: they are free."
    r"zero|none|nothing|free)\b|免费|没有",
    re.IGNORECASE)


def asks_amount(question: str) -> bool:
    """The question asks how many or how much (多少, 几个, how many)."""
    return bool(_ASKS_AMOUNT.search(question))


def lacks_asked_amount(answer: str, question: str) -> bool:
    """The question asks how many or how much and the answer gives no number
    at all ("带来了大量就业岗位" for "带来了多少就业岗位"): it did not answer."""
    return bool(_ASKS_AMOUNT.search(question)) and not _STATES_AMOUNT.search(answer)


# Words an answer may add to the question's without saying anything: "The
# paper says that some Chinese cities have tried…", "…上有所不同".
_FILLER = {"paper", "article", "document", "says", "states", "mentions", "notes", "lists",
           "some", "several", "certain", "various", "these", "those", "also", "been",
           "following",
           "有所", "一定", "某些", "这些", "那些", "方面", "它们", "他们", "指出", "列举", "提及"}


def _stem(word: str) -> str:
    """Enough of an English word to match its other forms ("summarises",
    "summarise"); Chinese words as they are."""
    if not word.isascii() or len(word) <= 4:
        return word
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word.removesuffix("e")


# A yes/no question, which an answer may rightly restate ("具有法律约束力" for
# "具有法律约束力吗？").
_YES_NO = re.compile(r"吗\s*[？?]?\s*$|是否|是不是|有没有|能不能|可不可以|"
                     r"^\s*(?:is|are|was|were|do|does|did|can|could|has|have|had|will|would|should)\b",
                     re.IGNORECASE)


def is_yes_no(question: str) -> bool:
    """A yes/no question ("…吗？", "是否…", "Did …?")."""
    return bool(_YES_NO.search(question))


def echoes(answer: str, question: str, tokenize) -> bool:  # noqa: ANN001
    """The answer only restates the question: it has words, and all of them
    are the question's or filler ("The paper summarises four scholarly views
    on the benefits…" for "What four scholarly views on the benefits… does
    the paper summarise?", "…各自得到的实惠在见效快慢上有所不同" for "…在见效
    快慢上有什么不同？")."""
    if _YES_NO.search(question):
        return False
    asked = {_stem(t) for t in tokenize(question)}
    # Longest first, so that a compound is taken apart into the words it was made of.
    known = sorted(asked | _FILLER, key=len, reverse=True)

    def restated(word: str) -> bool:
        if word in _FILLER or _stem(word) in asked:
            return True
        if not CJK_RE.search(word):
            return False
        # A Chinese compound of the question's words and filler (有所 + 不同).
        for part in known:
            word = word.replace(part, "")
        return not CJK_RE.search(word)

    said = set(tokenize(answer))
    return bool(said) and all(restated(w) for w in said)


def novelty(answer: str, sources: list[str]) -> float:
    """Share of the answer's Chinese bigrams found in no source: invented
    names and claims show up as new character pairs."""
    units = _bigrams(answer)
    if not units:
        return 0.0
    have: set[str] = set()
    for s in sources:
        have |= _bigrams(s)
    return len(units - have) / len(units)


# A person an English answer names by office or honorific: "Dr. Christian
# Schröder", "UN Secretary-General Antonio Guterres". Asked who a city's mayor
# is, the small model invents one (the document names no mayor).
_TITLES = (r"Dr|Mr|Mrs|Ms|Prof|Professor|Mayor|Lord Mayor|Chancellor|President|"
           r"Secretary-General|Minister|Director-General|Director|Premier|Ambassador|Governor")
_TITLED_PERSON = re.compile(rf"\b(?:{_TITLES})\.?\s+((?:[A-Z][\w'’\-]*)(?:\s+[A-Z][\w'’\-]*){{0,2}})")
_TITLE_WORDS = {w.lower() for w in re.split(r"\||\s", _TITLES)}


def titled_people(answer: str) -> set[str]:
    """Names that follow a title in an English answer."""
    found = set()
    for m in _TITLED_PERSON.finditer(nfkc(answer)):
        words = [w for w in m.group(1).split() if w.lower() not in _TITLE_WORDS]
        if words:
            found.add(" ".join(words))
    return found


def unknown_people(answer: str, known_words: set[str], romanised: set[str]) -> set[str]:
    """Titled people in an English answer that the sources do not name: no
    word of the name is among ``known_words`` (the question's and passages'
    Latin words, the glossary's English names for the passages' Chinese
    ones), and the whole name is not the pinyin of a Chinese name in the
    passages (``romanised``: Li Xiaoming for 李晓明)."""
    bad = set()
    for name in titled_people(answer):
        words = name_words(name)
        if any(w in known_words for w in words):
            continue
        joined = {"".join(words), "".join(reversed(words))}
        if joined & romanised:
            continue
        bad.add(name)
    return bad
