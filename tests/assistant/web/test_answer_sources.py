"""Each answer keeps its own sources: clicking it opens its cited passages in
the side panel, and they can be read in the asker's language (a machine
translation, marked as such). Real Assistant (extractive) over a real index."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant import messages as say
from assistant.build import build_assistant
from assistant.chain import Assistant
from assistant.renderings import PassageRenderings
from assistant.web import chat_turn
from assistant.web.answer_sources import Opened, chosen, panel, remember, rendered
from assistant.web.conversation import conversation_markdown
from assistant.web.health import Holder

ROUNDS_EN = "How many rounds of negotiations did it take for Bonn to win the UNFCCC?"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, make_index) -> Assistant:
    return build_assistant(make_index(tmp_path_factory.mktemp("opened")))


@pytest.fixture(scope="module")
def turn(bot: Assistant) -> tuple[list, dict]:
    heard: list = []
    steps = list(chat_turn(Holder(bot), ROUNDS_EN, [], [], on_answer=lambda i, a: heard.append((i, a))))
    chat = steps[-1][1]
    (index, answer), = heard
    return chat, remember({}, index, answer)


def test_an_answer_is_kept_under_its_place_in_the_chat(turn: tuple[list, dict]) -> None:
    chat, kept = turn
    (index,) = map(int, kept)
    assert index == len(chat) - 1 and chat[index]["role"] == "assistant"
    # Its sources message sits just above it: clicking either opens the same sources.
    assert chat[index - 1]["metadata"]["title"].startswith(say.ANSWER_SOURCES.split("{")[0])
    assert chosen(kept, index) == chosen(kept, index - 1) == chosen(kept, [index, 0])
    assert chosen(kept, index + 5) is None and chosen({}, 0) is None and chosen(kept, None) is None


def test_the_opened_answer_shows_its_passages_with_document_and_the_sentence_highlighted(
        turn: tuple[list, dict]) -> None:
    _, kept = turn
    opened = chosen(kept, int(next(iter(kept))))
    assert opened is not None and opened.language == "en" and opened.citations
    assert Opened.from_json(opened.to_json()) == opened
    shown = panel(opened)
    assert shown.startswith(f"**{say.OPENED_SOURCES}**")
    assert f"**[{opened.citations[0].n}]**" in shown and opened.citations[0].doc in shown
    assert "四轮" in shown.split("<mark>", 1)[1].split("</mark>", 1)[0]  # the evidence sentence, marked
    assert say.NOTHING_OPENED in panel(None)


def test_without_a_model_the_reader_is_told_translation_needs_one(bot: Assistant,
                                                                turn: tuple[list, dict]) -> None:
    _, kept = turn
    opened = chosen(kept, int(next(iter(kept))))
    steps = list(rendered(bot, opened))
    assert len(steps) == 1 and "local or openai" in steps[0]


def test_with_a_model_each_foreign_passage_is_rendered_and_marked_as_a_machine_translation(
        turn: tuple[list, dict]) -> None:
    _, kept = turn
    opened = chosen(kept, int(next(iter(kept))))
    asked: list[str] = []

    def model(text: str, lang: str) -> str:
        asked.append(text)
        return f"In English: {len(text)} characters."
    bot = SimpleNamespace(renderings=PassageRenderings(model))
    steps = list(rendered(bot, opened))
    assert "Translating" in steps[0] and say.MACHINE_TRANSLATION not in steps[0]
    assert steps[-1].count(say.PASSAGE_TRANSLATION) == len(opened.citations)
    assert "In English:" in steps[-1] and "Translating" not in steps[-1]
    before = len(asked)
    list(rendered(bot, opened))
    assert len(asked) == before  # kept per passage


def test_a_failed_translation_says_so_for_its_passage(turn: tuple[list, dict]) -> None:
    _, kept = turn
    opened = chosen(kept, int(next(iter(kept))))
    last = list(rendered(SimpleNamespace(renderings=PassageRenderings(lambda t, lang: "")), opened))[-1]
    assert f"[{opened.citations[0].n}] " in last and "could not be translated" in last


def test_the_export_keeps_questions_answers_and_each_answers_sources(turn: tuple[list, dict]) -> None:
    chat, _ = turn
    text = conversation_markdown(chat)
    assert text.startswith("# Conversation") and f"**Q:** {ROUNDS_EN}" in text
    assert "<details><summary>" in text and "四轮" in text
