"""What a reader chooses for their own chat (generator, model, top-k) makes
another assistant over the same index, built once and shared; the server's
assistant and settings are untouched; a choice that cannot be made says why.
Real index, real Assistant (extractive; the openai choice against a real
loopback server is in tests/assistant/generation/test_openai.py)."""

from __future__ import annotations

import pytest

from assistant.build import build_assistant
from assistant.chain import Assistant
from assistant.choices import Choice, Variants, local_models
from assistant.web import chat_turn
from assistant.web.health import Holder

ROUNDS_ZH = "波恩经过几轮谈判才赢得了联合国气候变化框架公约秘书处？"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, make_index) -> Assistant:
    settings = make_index(tmp_path_factory.mktemp("choices"))
    models = tmp_path_factory.mktemp("models")
    for name in ("a.gguf", "b.gguf"):
        (models / name).write_bytes(b"not a model")
    return build_assistant(settings.replace(generator="extractive", model_path=models / "a.gguf"))


def test_no_choice_is_the_servers_own_assistant(bot: Assistant) -> None:
    variants = Variants()
    assert variants.get(bot, Choice()) is bot
    assert variants.get(bot, Choice("extractive", "", bot.settings.retrieval.top_k)) is bot


def test_top_k_changes_what_is_read_for_that_reader_only(bot: Assistant) -> None:
    variants = Variants()
    one = variants.get(bot, Choice(top_k=1))
    assert one is not bot and one.settings.retrieval.top_k == 1 and bot.settings.retrieval.top_k == 3
    assert one.retriever is bot.retriever and one.corpus is bot.corpus
    assert variants.get(bot, Choice(top_k=1)) is one  # built once, shared
    read_one, read_base = one.ask(ROUNDS_ZH).retrieved, bot.ask(ROUNDS_ZH).retrieved
    assert read_one and len(read_one) < len(read_base)
    assert read_one[0].id == read_base[0].id


def test_a_new_server_assistant_drops_the_old_variants(bot: Assistant) -> None:
    variants = Variants()
    old = variants.get(bot, Choice(top_k=2))
    other = build_assistant(bot.settings)
    assert variants.get(other, Choice(top_k=2)) is not old


def test_only_gguf_files_beside_the_configured_model_can_be_chosen(bot: Assistant) -> None:
    assert local_models(bot.settings) == ["a.gguf", "b.gguf"]
    for name in ("../a.gguf", "/etc/passwd", "c.gguf"):
        with pytest.raises(ValueError, match="no local model"):
            Variants().get(bot, Choice("local", name))
    with pytest.raises(ValueError, match="generator must be one of"):
        Variants().get(bot, Choice("gpt"))


def test_a_model_that_cannot_load_answers_from_the_document_and_says_why(bot: Assistant) -> None:
    broken = Variants().get(bot, Choice("local", "b.gguf"))
    assert broken.generator == "extractive" and broken.load_notice
    a = broken.ask(ROUNDS_ZH)
    assert not a.refused and a.citations and a.notice  # the fallback notice


def test_a_choice_that_cannot_be_made_is_said_in_the_chat_and_the_question_kept(bot: Assistant) -> None:
    def choose(b: Assistant) -> Assistant:
        return Variants().get(b, Choice("local", "../x.gguf"))

    steps = list(chat_turn(Holder(bot), ROUNDS_ZH, [], [], choose=choose))
    box, chat, _, history = steps[-1]
    assert box == ROUNDS_ZH and history == []
    assert "no local model" in chat[-1]["content"]
