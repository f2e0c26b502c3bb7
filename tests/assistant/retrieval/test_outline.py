"""A question about a whole section also reads the section's outline: the
headings of its subsections, which retrieval alone brings back one or two of."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.build import build_assistant
from assistant.chain import Assistant
from assistant.retrieval.outline import best_section, outline
from core.text import tokens

HARDWARE = "二、波恩吸引国际组织入驻 > （一）波恩吸引国际组织的硬件优势"
GAINS = "二、波恩吸引国际组织入驻 > （二）波恩吸引国际组织的收获"
RECORDS = [("d", "T", f"{HARDWARE} > 1.优越的办公设施"), ("d", "T", f"{HARDWARE} > 1.优越的办公设施"),
           ("d", "T", f"{HARDWARE} > 2.欧洲的交通枢纽"), ("d", "T", f"{HARDWARE} > 3.配套的国际学校"),
           ("d", "T", f"{GAINS} > 1.迁都后的政治补偿"), ("d", "T", f"{GAINS} > 2.审时度势下的一击即中"),
           ("d", "T", "三、ICLEI")]
RARE = {"硬件", "优势", "收获"}


def test_sections_with_several_subsections_are_outlined_in_reading_order():
    sections = {s.path: s for s in outline(RECORDS)}
    assert sections[HARDWARE].children == ("1.优越的办公设施", "2.欧洲的交通枢纽", "3.配套的国际学校")
    assert sections[HARDWARE].text() == (
        "（一）波恩吸引国际组织的硬件优势：1.优越的办公设施、2.欧洲的交通枢纽、3.配套的国际学校。")
    assert "二、波恩吸引国际组织入驻" in sections  # two subsections: （一） and （二）
    assert "三、ICLEI" not in sections  # no subsections


@pytest.mark.parametrize(("question", "path"), [
    ("文章列举了波恩吸引国际组织的哪些硬件优势？", HARDWARE),
    ("波恩吸引国际组织有哪些收获？", GAINS),
    ("波恩有哪些优势？", None),  # one of the heading's two rare words: not the section's name
    ("波恩是在哪一年把前议会区域建设成为联合国区域的？", None),
])
def test_a_section_is_picked_when_the_question_names_its_heading(question, path):
    found = best_section(question, outline(RECORDS), tokens, lambda w: w in RARE)
    assert (found.path if found else None) == path


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, make_index) -> Assistant:
    from pathlib import Path


    return build_assistant(make_index(Path(tmp_path_factory.mktemp("outline"))))


def test_a_question_about_a_section_reads_and_cites_its_outline(index):
    reply = "硬件优势包括欧洲的交通枢纽、配套的国际学校、专门的安全措施和免税和外交豁免权。"
    model = FakeListChatModel(responses=[reply])
    bot = Assistant(index.settings.replace(generator="openai"), index.retriever, model)
    answer = bot.ask("除了优越的办公设施之外，文章还列举了波恩吸引国际组织的哪些硬件优势？")
    outline_passage = answer.retrieved[-1]
    assert outline_passage.section.endswith("（一）波恩吸引国际组织的硬件优势")
    for heading in ("2.欧洲的交通枢纽", "3.配套的国际学校", "4.专门的安全措施", "5.免税和外交豁免权"):
        assert heading in outline_passage.text
    assert not answer.refused
    assert [c.section for c in answer.citations] == [outline_passage.section]
    # The ranking itself is the retriever's: the outline is read, not ranked.
    assert all(not p.id.startswith("outline:") for p in answer.ranked)


def test_a_question_about_one_fact_reads_no_outline(index):
    found = index.corpus.outline_for("波恩是在哪一年哪一月正式把前议会区域建设成为联合国区域的？")
    assert found is None


def test_a_heading_reached_only_through_the_glossary_needs_two_rare_words():
    sections = outline(RECORDS)
    assert best_section("收获", sections, tokens, lambda w: w in RARE, min_words=2) is None
    found = best_section("硬件 优势", sections, tokens, lambda w: w in RARE, min_words=2)
    assert found is not None and found.path == HARDWARE
