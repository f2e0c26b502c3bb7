"""The local llama.cpp chat model keeps English answers free of Chinese."""

from __future__ import annotations

from assistant.generation.local import cjk_token_ids

VOCAB = [
    b"Bonn", b" members", "年".encode(), " 年".encode()[:3], " 年".encode()[3:],  # " 年" in two pieces
    "，".encode(), "é".encode(), b"\xc3", "–".encode(), b"\xe3\x80",
]


def test_tokens_that_write_or_start_a_chinese_character_are_banned():
    banned = cjk_token_ids(len(VOCAB), lambda tid: VOCAB[tid])
    assert [VOCAB[t] for t in banned] == [
        "年".encode(), b" \xe5\xb9", "，".encode(), b"\xe3\x80"]


def test_latin_accents_dashes_and_lone_continuation_bytes_stay_allowed():
    banned = set(cjk_token_ids(len(VOCAB), lambda tid: VOCAB[tid]))
    assert {VOCAB.index(b) for b in (b"Bonn", "é".encode(), b"\xc3", "–".encode(), b"\xb4")} \
        .isdisjoint(banned)
