"""The name pairs a document spells out (中文名（English name）) serve the
search in both directions."""

from __future__ import annotations

from assistant.retrieval.glossary import Glossary


def _learned() -> Glossary:
    g = Glossary()
    g.learn("日内瓦工业服务公司（SIG）负责供水。奥维夫枢纽站（Eaux-Vives）于2019年启用。")
    return g


def test_english_terms_of_a_question_bring_the_chinese_names():
    assert "日内瓦工业服务公司" in _learned().expand("Who supplies water, SIG?")


def test_chinese_names_of_a_question_bring_their_english_names():
    found = _learned().english_for("奥维夫枢纽站是哪一年启用的？日内瓦工业服务公司呢？")
    assert set(found) == {"Eaux-Vives", "SIG"}
    assert _learned().english_for("日内瓦有多少人？") == []
