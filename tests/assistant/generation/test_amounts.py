"""Chinese amounts are written out before an English answer is drafted, and an
English amount must have the value the passages state."""

from __future__ import annotations

import pytest

from assistant.generation.amounts import in_english_numbers
from assistant.review.evidence import misstated_amounts


@pytest.mark.parametrize(("chinese", "english"), [
    ("工资1年共计20万美元", "工资1年共计200,000美元"),
    ("补贴40万～45万美元", "补贴400,000～450,000美元"),
    ("补贴40～45万美元", "补贴400,000～450,000美元"),
    ("涉及到全球5.7亿人口", "涉及到全球570 million 人口"),
    ("带来了5千多万欧元", "带来了more than 50 million 欧元"),
    ("约5万人", "约50,000人"),
])
def test_wan_and_yi_amounts_are_written_out(chinese, english):
    assert in_english_numbers(chinese) == english


@pytest.mark.parametrize("text", ["800多个联合国雇员", "1200多个成员", "2010年", "17个国际组织"])
def test_numbers_without_wan_or_yi_are_left_alone(text):
    assert in_english_numbers(text) == text


def test_an_english_amount_must_have_the_value_the_passage_states():
    passages = [in_english_numbers("在73个国家内，有超过1200个成员，涉及到全球5.7亿人口。")]
    assert misstated_amounts("It covers 570 million people.", passages) == set()
    assert misstated_amounts("It covers 0.57 billion people.", passages) == set()
    # The digits 5.7 are in the passage, but as 5.7亿.
    assert misstated_amounts("It covers 5.7 billion people.", passages) == {"5.7 billion"}
