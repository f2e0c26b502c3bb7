"""Follow-up questions become standalone questions in their own language,
naming the subject the conversation was about."""

from __future__ import annotations

from assistant.condense import condense as _condense
from assistant.retrieval.glossary import Glossary
from core import profile
from core.settings import Settings

# The places the bundled paper's profile names (data/profile.toml).
PLACES = profile.load(Settings().retrieval.profile_path).places_zh


def condense(question, history, lang, glossary=None):  # noqa: ANN001, ANN201
    return _condense(question, history, lang, glossary, PLACES)



def chat(*turns: str) -> list[dict[str, str]]:
    roles = ("user", "assistant")
    return [{"role": roles[i % 2], "content": t} for i, t in enumerate(turns)]


def test_a_question_without_history_is_left_alone():
    assert condense("它后来发展到多少人？", [], "zh") == "它后来发展到多少人？"


def test_a_standalone_question_is_left_alone_even_with_history():
    history = chat("ICLEI是什么？", "ICLEI是国际地方政府环境行动理事会。")
    question = "波恩为吸引国际组织努力了多少年？"
    assert condense(question, history, "zh") == question


def test_a_chinese_pronoun_becomes_the_chinese_name():
    history = chat("联合国气候变化框架公约秘书处是怎么落户波恩的？", "经过四轮谈判，最终选择了波恩。")
    assert condense("它后来发展到多少人？", history, "zh") == "联合国气候变化框架公约秘书处后来发展到多少人？"


def test_a_question_phrase_is_not_taken_for_a_name():
    history = chat("波恩最初想吸引哪个大型联合国机构？", "波恩曾想把联合国开发计划署从纽约搬到波恩。")
    assert condense("为什么没能成功？", history, "zh") == "关于联合国开发计划署，为什么没能成功？"


def test_an_english_pronoun_becomes_the_acronym():
    history = chat("What is ICLEI?", "An organisation of local governments.")
    assert condense("How many members did it have in 2011?", history, "en") == \
        "How many members did ICLEI have in 2011?"


def test_the_organisation_in_the_answer_beats_the_place_in_the_question():
    history = chat("What breakthrough does the paper recommend for Shanghai?",
                   "It recommends the UNCCD Asia-Pacific office.")
    standalone = condense("Where is that office now?", history, "en")
    assert standalone == "Where is UNCCD now?"


def test_a_sentence_opener_in_the_answer_is_not_a_name():
    history = chat("Why did Bonn need political compensation?",
                   "Because Germany decided to move its capital to Berlin.")
    assert condense("What did the German parliament do about it?", history, "en") == \
        "What did the German parliament do about Bonn?"


def test_a_demonstrative_phrase_in_the_answer_is_not_a_name():
    history = chat("哪些城市与波恩竞争过UNFCCC秘书处？", "竞争这个组织的有四个城市，分别是里约、日内瓦、多伦多和波恩。")
    assert condense("它后来发展到多少人？", history, "zh") == "UNFCCC后来发展到多少人？"


def _glossary_of(text: str) -> Glossary:
    glossary = Glossary()
    glossary.learn(text)
    return glossary


def test_people_are_learned_from_their_titles_and_honorifics():
    text = ("2006年1月联合国秘书长安南和德国总理默克尔共同主持了仪式。"
            "上海世博会事务协调局副局长周汉民先生在一次发言中提到。")
    assert _glossary_of(text).people == {"安南", "默克尔", "周汉民"}


def test_he_becomes_the_person_the_conversation_named():
    glossary = _glossary_of("世博会事务协调局副局长周汉民先生在一次发言中提到，有必要吸引国际组织。")
    history = chat("周汉民在全国政协十届四次会议上说了什么？", "他提到“有必要吸引一些重要国际组织在中国设立总部”。")
    assert condense("他当时是什么身份？", history, "zh", glossary) == "周汉民当时是什么身份？"


def test_they_is_not_taken_for_a_person():
    glossary = _glossary_of("副局长周汉民先生在一次发言中提到。")
    history = chat("ICLEI是什么？", "ICLEI是国际地方政府环境行动理事会。")
    assert condense("他们有多少成员？", history, "zh", glossary) == "ICLEI有多少成员？"
