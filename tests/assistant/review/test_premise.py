"""What a question takes for granted must be what the passages say; a false
premise is answered with the document's own sentence, and every answer
shows the sentences it rests on."""

from __future__ import annotations

import pytest

from assistant.build import build_assistant
from assistant.review import claims
from assistant.review.premise import Evidence, answers_against_evidence


@pytest.fixture(scope="module")
def bot(tmp_path_factory, make_index):
    return build_assistant(make_index(tmp_path_factory.mktemp("premise")))


@pytest.mark.parametrize("text, lang, expected", [
    ("波恩推动开发计划署搬迁，但是最终失败了。", "zh", ("result", -1)),
    ("Why did Bonn succeed in winning the secretariat?", "en", ("result", 1)),
    ("The city did not win the bid.", "en", ("result", -1)),
    ("秘书处从十几人发展到500多人。", "zh", ("change", 1)),
    ("Why did the staff shrink to a dozen?", "en", ("change", -1)),
    ("波恩位于莱茵河畔。", "zh", None),
])
def test_outcomes_are_typed_the_same_way_in_both_languages(text, lang, expected) -> None:
    assert claims.outcome(text, lang) == expected


def test_a_premise_that_contradicts_the_passages_gets_the_documents_sentence(bot) -> None:
    answer = bot.ask("Why did the number of international organisations in Bonn drop from 17 to 3?")
    assert answer.refused and answer.corrected
    assert answer.citations and answer.evidence
    assert "17个国际组织" in answer.evidence[0].text
    assert answer.evidence[0].text in answer.citations[0].text  # verbatim


def test_a_year_the_passages_do_not_give_is_corrected(bot) -> None:
    answer = bot.ask("2008年，国际地方政府环境行动理事会在73个国家有多少个成员？")
    assert answer.refused and answer.corrected and "2011" in answer.answer


def test_a_plain_question_is_answered_with_its_evidence(bot) -> None:
    answer = bot.ask("哪些城市与波恩竞争过UNFCCC秘书处？")
    assert not answer.refused and not answer.corrected
    texts = [e.text for e in answer.evidence]
    assert any("里约" in t for t in texts)
    assert all(any(t in c.text for c in answer.citations) for t in texts)
    assert {e.n for e in answer.evidence} <= {c.n for c in answer.citations}


def test_a_yes_no_answer_against_its_evidence_is_found() -> None:
    found = [Evidence(1, "波恩推动联合国开发计划署从纽约搬到波恩，但是最终失败了。", 3)]
    question = "波恩成功地把联合国开发计划署吸引过来了吗？"
    assert answers_against_evidence("是的，波恩成功了。", question, found, "zh") == found[0]
    assert answers_against_evidence("没有，最终失败了。", question, found, "zh") is None
