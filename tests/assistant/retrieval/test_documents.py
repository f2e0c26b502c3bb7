"""Several documents in one index, in two languages: every passage names its
document, a search can be restricted to some of them, and the corpus knows
which languages it holds (what the question is rendered into)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.build import build_assistant
from assistant.chain import Assistant, QuestionError
from core.settings import Settings
from ingest.pipeline import ingest

ARTICLE = (
    "Riverton\n\n"
    "Riverton is a small harbour town on the northern coast. It is known for its lighthouse.\n\n"
    "History\n\n"
    "The town was founded by fishermen in 1602. Its harbour was negotiated away to a trading "
    "company in 1750 and bought back by the council in 1811.\n\n"
    "Economy\n\n"
    "Shipbuilding employed about 3,000 people in 1900. Today tourism is the largest employer.\n")


@pytest.fixture(scope="module")
def two_docs(tmp_path_factory: pytest.TempPathFactory, bundled: Path) -> Assistant:
    docs = tmp_path_factory.mktemp("docs")
    (docs / bundled.name).write_bytes(bundled.read_bytes())
    (docs / "riverton.txt").write_text(ARTICLE, encoding="utf-8")
    settings = Settings.from_env(environ={}).replace(
        docs_dir=docs, store_dir=tmp_path_factory.mktemp("store"), generator="extractive")
    report = ingest(None, settings, progress=False)
    assert report.documents == 2 and not report.errors
    return build_assistant(settings)


def test_the_corpus_knows_the_languages_its_documents_are_written_in(two_docs: Assistant):
    assert two_docs.corpus.languages == {"zh", "en"}


def test_an_english_article_is_found_by_the_stems_of_its_words(two_docs: Assistant):
    top = two_docs.retriever.search("When were the negotiations about the harbour?", 3)
    assert top[0].doc == "riverton.txt"
    assert "1750" in top[0].text
    assert top[0].section == "History"  # a bare heading line is a section


def test_a_search_restricted_to_one_document_reads_only_it(two_docs: Assistant):
    for name in ("riverton.txt", "bonn-shanghai.txt"):
        found = two_docs.retriever.search("波恩和上海的国际组织", 5, documents=[name])
        assert found and {p.doc for p in found} == {name}


def test_an_unknown_document_name_is_refused_with_the_indexed_names(two_docs: Assistant):
    with pytest.raises(ValueError, match="riverton.txt"):
        two_docs.retriever.search("harbour", 3, documents=["nowhere.txt"])
    with pytest.raises(QuestionError, match="nowhere.txt"):
        two_docs.ask("When was the town founded?", documents=["nowhere.txt"])


def test_an_answer_restricted_to_a_document_cites_only_it(two_docs: Assistant):
    answer = two_docs.ask("When was the town founded?", documents=["riverton.txt"])
    assert not answer.refused
    assert "1602" in answer.answer
    assert {c.doc for c in answer.citations} == {"riverton.txt"}
    assert answer.to_json()["citations"][0]["doc"] == "riverton.txt"


def test_a_chinese_question_carries_the_english_names_the_documents_pair_with_its_words(two_docs: Assistant):
    expanded = two_docs.corpus.expanded("国际地方政府环境行动理事会有多少成员？")
    assert "ICLEI" in expanded
