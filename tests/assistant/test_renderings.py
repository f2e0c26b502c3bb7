"""Whole passages in the reader's language: translated on demand, in pieces
that fit the model's answer length, kept per passage, failures not kept."""

from __future__ import annotations

from assistant.renderings import PassageRenderings, pieces
from core.text import sentences

PASSAGE_ZH = ("1996年，联合国志愿人员组织从日内瓦迁至波恩。这是第一个落户波恩的联合国机构。"
              "此后，更多组织相继迁入，波恩逐渐成为联合国城。")
PASSAGE_EN = "Geneva hosts many international organisations. Its lake is large."


class Model:
    """A stand-in for the model: records what it is asked."""

    def __init__(self, fail_first: int = 0) -> None:
        self.asked: list[tuple[str, str]] = []
        self.fail_first = fail_first

    def __call__(self, text: str, lang: str) -> str:
        self.asked.append((text, lang))
        if len(self.asked) <= self.fail_first:
            return ""
        return f"<{lang}:{len(text)}>"


def test_a_passage_is_cut_at_sentence_ends_into_pieces_no_longer_than_the_limit() -> None:
    cut = pieces(PASSAGE_ZH, 40)
    assert "".join(cut) == "".join(sentences(PASSAGE_ZH))
    assert len(cut) > 1 and all(len(p) <= 40 for p in cut)
    assert pieces(PASSAGE_ZH, 10_000) == ["".join(sentences(PASSAGE_ZH))]
    # An English passage keeps its spaces between sentences; a sentence longer than the limit stays whole.
    assert pieces(PASSAGE_EN, 10_000) == [PASSAGE_EN]
    assert pieces(PASSAGE_EN, 10) == sentences(PASSAGE_EN)


def test_a_chinese_passage_is_rendered_in_english_once_then_kept() -> None:
    model = Model()
    renderings = PassageRenderings(model, size=8, piece_chars=40)
    first = renderings.render(PASSAGE_ZH, "en")
    assert first.count("<en:") == len(pieces(PASSAGE_ZH, 40)) > 1 and " <en:" in first  # joined with spaces
    asked = len(model.asked)
    assert renderings.render(PASSAGE_ZH, "en") == first
    assert len(model.asked) == asked  # kept: the model is not asked again
    assert renderings.render(PASSAGE_EN, "zh").startswith("<zh:") and "> <" not in renderings.render(
        PASSAGE_EN + " More.", "zh")  # Chinese pieces are joined without spaces


def test_nothing_is_asked_for_a_passage_already_in_the_readers_language_or_without_a_model() -> None:
    model = Model()
    assert PassageRenderings(model).render(PASSAGE_ZH, "zh") == ""
    assert PassageRenderings(model).render("   ", "en") == ""
    assert model.asked == []
    nothing = PassageRenderings(None)
    assert not nothing.available and nothing.render(PASSAGE_ZH, "en") == ""


def test_a_failed_translation_is_not_kept_and_the_next_request_tries_again() -> None:
    model = Model(fail_first=1)
    renderings = PassageRenderings(model, piece_chars=10_000)
    assert renderings.render(PASSAGE_ZH, "en") == ""
    assert renderings.render(PASSAGE_ZH, "en").startswith("<en:")
    assert len(model.asked) == 2


def test_the_oldest_rendering_is_dropped_beyond_the_size() -> None:
    model = Model()
    renderings = PassageRenderings(model, size=2, piece_chars=10_000)
    texts = [f"第{n}段：波恩是联合国城。" for n in range(3)]
    for t in texts:
        renderings.render(t, "en")
    renderings.render(texts[2], "en")
    assert len(model.asked) == 3
    renderings.render(texts[0], "en")  # dropped: asked again
    assert len(model.asked) == 4
