"""Names across the two languages: the English names written beside Chinese
ones for an English answer, and the check that the people an English answer
names by title are people the sources name."""

from __future__ import annotations

from assistant.generation.prompts import format_context
from assistant.retrieval.glossary import Glossary
from assistant.review.evidence import titled_people, unknown_people
from core.schema import Passage
from core.text import romanised_names


def glossary(*lines: str, learn: str = "") -> Glossary:
    g = Glossary()
    for line in lines:
        en, zh = line.split("\t")
        for e in en.split("|"):
            for z in zh.split("|"):
                g.add(e, z)
    if learn:
        g.learn(learn)
    return g


def test_a_capitalised_name_is_written_once_beside_its_first_chinese_mention():
    g = glossary("Bonn\t波恩", "Geneva\t日内瓦")
    assert g.annotate("波恩和日内瓦竞争，波恩胜出。") == "波恩(Bonn)和日内瓦(Geneva)竞争，波恩胜出。"


def test_common_words_and_names_already_spelled_out_are_left_alone():
    g = glossary("secretariat\t秘书处", "Bonn\t波恩")
    assert g.annotate("秘书处设在波恩（Bonn）。") == "秘书处设在波恩（Bonn）。"


def test_the_longest_known_name_wins_and_acronyms_the_document_pairs_are_used():
    g = glossary("Bonn\t波恩", learn="联合国气候变化框架公约（UNFCCC）")
    text = "波恩争取联合国气候变化框架公约秘书处。"
    assert g.annotate(text) == "波恩(Bonn)争取联合国气候变化框架公约(UNFCCC)秘书处。"


def test_an_english_context_carries_english_names_and_amounts_a_chinese_one_does_not():
    g = glossary("Annan\t安南", "Merkel\t默克尔")
    p = Passage("c1", "秘书长安南和总理默克尔出席，投资20万欧元。", "d", "t", "s", None, 0, 20)
    assert format_context([p], "en", g) == "[1] 秘书长安南(Annan)和总理默克尔(Merkel)出席，投资200,000欧元。"
    assert format_context([p], "zh", g) == "[1] 秘书长安南和总理默克尔出席，投资20万欧元。"


def test_english_words_are_those_of_the_names_the_texts_mention():
    g = glossary("Abu Dhabi\t阿布扎比", "Berlin\t柏林")
    assert g.english_words(["阿布扎比取得了秘书处。"]) == {"abu", "dhabi"}


def test_people_are_the_capitalised_names_after_a_title():
    assert titled_people("The current mayor of Bonn is Dr. Christian Schröder.") == {"Christian Schröder"}
    assert titled_people("UN Secretary-General Kofi Annan and Chancellor Merkel met.") == {
        "Kofi Annan", "Merkel"}
    assert titled_people("The President of the assembly opened it.") == set()


def test_chinese_names_are_known_by_their_pinyin():
    assert {"zhouhanmin", "hanmin"} <= romanised_names("副局长周汉民先生")


def test_a_titled_person_the_sources_do_not_name_is_unknown():
    known = {"annan", "merkel", "bonn"}
    romanised = romanised_names("副局长周汉民先生")
    assert unknown_people("Dr. Christian Schröder is the mayor.", known, romanised) == {
        "Christian Schröder"}
    assert unknown_people("Secretary-General Ban Ki-moon came.", known, romanised) == {"Ban Ki-moon"}
    assert unknown_people("Secretary-General Kofi Annan came.", known, romanised) == set()
    assert unknown_people("Deputy Director Zhou Hanmin spoke.", known, romanised) == set()
