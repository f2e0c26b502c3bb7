"""The search step: the question is rendered in every other language the
index holds (one mechanism for both directions), and a document filter
reaches the retriever."""

from __future__ import annotations

from assistant.retrieval.corpus import NoKnowledge
from assistant.search import Search
from core.schema import Passage
from core.settings import Settings


class Languages(NoKnowledge):
    def __init__(self, languages: set[str]) -> None:
        super().__init__()
        self._languages = languages

    @property
    def languages(self) -> set[str]:
        return self._languages


def _search(languages: set[str], settings: Settings | None = None):
    asked: list[tuple[str, str]] = []
    queries: list[tuple] = []

    def translate(question: str, lang: str) -> str:
        asked.append((question, lang))
        return f"<{lang}>"

    def retrieve(query: str, k: int, documents: list[str] | None = None) -> list[Passage]:
        queries.append((query, documents))
        return [Passage("p1", "正文。", "a.txt", "a", "一", None, 0, 3)]

    s = Search(settings or Settings.from_env(environ={}), retrieve, Languages(languages), translate)
    return s, asked, queries


def test_a_chinese_question_is_rendered_in_english_for_an_index_with_english_documents():
    search, asked, queries = _search({"zh", "en"})
    found = search("日内瓦有多少人口？", "zh")
    assert asked == [("日内瓦有多少人口？", "en")]
    assert found.query == "日内瓦有多少人口？ <en>"


def test_an_english_question_is_rendered_in_chinese_for_a_chinese_index():
    search, asked, _ = _search({"zh"})
    assert search("How many people live in Bonn?", "en").query == "How many people live in Bonn? <zh>"
    assert asked == [("How many people live in Bonn?", "zh")]


def test_a_question_in_the_only_language_of_the_index_is_not_translated():
    search, asked, _ = _search({"zh"})
    found = search("波恩有多少人口？", "zh")
    assert asked == [] and "translate" not in found.timings


def test_the_rendering_can_be_switched_off():
    settings = Settings.from_env(environ={"ASSISTANT_TRANSLATE_QUESTION": "false"})
    search, asked, _ = _search({"zh"}, settings)
    search("How many people live in Bonn?", "en")
    assert asked == []


def test_a_document_filter_reaches_the_retriever_and_its_absence_does_not():
    search, _, queries = _search({"zh"})
    search("波恩", "zh", ["a.txt"])
    search("波恩", "zh")
    assert [d for _, d in queries] == [["a.txt"], None]
