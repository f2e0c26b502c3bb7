"""Where answers are cut into sentences, each of which gets its citation and
its grounding check."""

from __future__ import annotations

from core.text import sentences


def test_chinese_sentences_end_at_their_full_stops():
    assert sentences("波恩。UNFCCC到了。") == ["波恩。", "UNFCCC到了。"]


def test_a_numbered_english_list_is_not_cut_into_sentences_at_its_numbers():
    assert sentences("It lists:\n1. Free offices\n2. A hub. Then more.") == [
        "It lists:\n1. Free offices\n2. A hub.", "Then more."]


def test_a_title_does_not_end_an_english_sentence():
    assert sentences("The mayor is Dr. Christian Schröder. He was elected.") == [
        "The mayor is Dr. Christian Schröder.", "He was elected."]


def test_english_bm25_tokens_are_stems_so_word_forms_meet():
    from core.text import tokens

    assert tokens("negotiations")[0] == tokens("negotiated")[0]
    assert tokens("Organisations hosted")[:2] == tokens("organisation hosts")[:2]
    assert "日内瓦" in tokens("日内瓦的国际组织")  # Chinese words are left as jieba cuts them
