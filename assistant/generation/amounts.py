"""Chinese amounts written out for English answers: 20万 -> 200,000.

The small model copies numbers well but converts 万 and 亿 badly: on the eval
set it turned 20万美元 into "20 million USD", 5.7亿 into "5.7 billion" and
5千多万 into "5,000,000". The passages an English answer is written from get
the amounts already converted, so the model only has to copy them.
"""

from __future__ import annotations

import re

_UNITS = {"万": 10_000, "亿": 100_000_000, "千万": 10_000_000, "百万": 1_000_000}
_NUM = r"(\d+(?:\.\d+)?)"
# "40～45万": the unit follows the second number only.
_RANGE = re.compile(rf"{_NUM}\s*(多|余)?\s*[～~\-–—至到]\s*{_NUM}\s*(多|余)?\s*(千万|百万|万|亿)")
# "5千多万" is 5,000多万: more than 50 million.
_THOUSANDS_OF_WAN = re.compile(rf"{_NUM}\s*千\s*(多|余)?\s*万")
_AMOUNT = re.compile(rf"{_NUM}\s*(多|余)?\s*(千万|百万|万|亿)(多|余)?")


def spell(value: float, more: bool = False) -> str:
    """200000 -> "200,000"; 570000000 -> "570 million"."""
    if value >= 1_000_000_000:
        text = f"{value / 1_000_000_000:,.3f}".rstrip("0").rstrip(".") + " billion"
    elif value >= 1_000_000:
        text = f"{value / 1_000_000:,.3f}".rstrip("0").rstrip(".") + " million"
    else:
        text = f"{value:,.0f}"
    return ("more than " if more else "") + text


def in_english_numbers(text: str) -> str:
    """``text`` with its 万/亿 amounts written as English numbers."""
    def ranged(m: re.Match[str]) -> str:
        unit = _UNITS[m.group(5)]
        return f"{spell(float(m.group(1)) * unit)}～{spell(float(m.group(3)) * unit)}"

    def thousands(m: re.Match[str]) -> str:
        return spell(float(m.group(1)) * 10_000_000, more=bool(m.group(2)))

    def amount(m: re.Match[str]) -> str:
        return spell(float(m.group(1)) * _UNITS[m.group(3)], more=bool(m.group(2) or m.group(4)))

    text = _RANGE.sub(ranged, text)
    text = _THOUSANDS_OF_WAN.sub(thousands, text)
    text = _AMOUNT.sub(amount, text)
    # "570 million人口" -> "570 million 人口": the words stand apart.
    return re.sub(r"(million|billion)(?=\S)", r"\1 ", text)
