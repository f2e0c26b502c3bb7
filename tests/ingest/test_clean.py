"""Raw extracted text -> clean blocks, specified on the bundled document.

The snippets below are exact copies of passages of data/docs/bonn-shanghai.txt
(Chinese text extracted from a PDF: every line is followed by a blank line,
lines break mid-sentence, running headers, footnote markers on their own
line, a figure caption glued to a heading, spaced numbers and acronyms).
"""
# ruff: noqa: E501  (the snippets copy the document's long lines verbatim)

from __future__ import annotations

import re

import pytest

from core.text import HAN as CJK
from ingest.clean import Block, clean, clean_text, heading_level, joined, normalise_inline

# Lines 1-32.
FRONT_MATTER = """\
 摘要：城市发展各具特色，在当前各类国际组织蓬勃发展的背景之下，吸引国际组织

的入驻已经成为城市发展的新路径。以德国波恩为例，从吸引国际组织的硬件优势、吸引

国际组织的收获这两个角度分析，有助于了解如何运用这个新的路径推动城市的发展，以

及其所带来的广阔国际影响。上海作为中国重要的国际化大都市，应该学习借鉴波恩的经

验，吸引国际组织的入驻。在具体做法上，可以总结为“新”、“准”、“城市”这三个

关键词。由于在城市国际组织中，上海作为一个城市能够获得更大的收益，因而要将有限

的精力合理利用，多关注相关国际城市组织的引进，以实现更大的成效。

Common Negotiation and Sharing for Global Governance: New City\x20
Development Ways of Attracting the Participation of International Organizations

国际组织

城市发展

德国波恩

ICLEI

上海

关键词

专题论坛 | 47

THEME  FORUM"""

# Lines 34-52.
INTRO = """\
当前，为促进城市的进一步发展，各地方政府不断探

索新路径。其中，发展吸引国际组织入驻的城市已经成为

推动城市发展的崭新路径。包括中国个别城市在内的一些

城市在如何吸引国际组织入驻方面进行了积极的努力，它

们中的佼佼者已经收到了一定的成效。本文之所以选取波

恩为例，不仅因为它积极吸引国际组织发展

了自己的城市，而且它还利用城市国际组织

联盟的入驻提升了自己的全球影响力。本文

将以对此进行深入讨论，并探索整个案例对

上海的借鉴意义。"""

# Lines 225-251.
HARDWARE = """\
（一）波恩吸引国际组织的硬件优势

1.优越的办公设施

世界贸易组织认为，波恩和日内瓦有竞

争的可能性，波恩有希望逐渐取代日内瓦的

地位，国际联系比较多，波恩的基础设施也非常好。

无论联合国机构和国际组织的规模大小，波恩都为

其提供免费的办公设施。波恩把毗邻莱茵河的前德国政

府大楼（波恩最高建筑之一）修建成为联合国专区（U N\x20

Campus），免费提供给入住的17个国际组织。所有办公设

施（家具电脑电话等）全部免费提供，并且免费维护，部

分办公场所还提供免费水电。前美国驻德国军营（二战后

马歇尔计划的签署地点）也被免费提供给联合国气候变化

框架公约秘书处使用，那里风景绮丽，深受国际组织喜

爱。德国方面目前还在为国际组织修建新的会议中心。"""

# Lines 287-302.
RELOCATION = """\
（二）波恩吸引国际组织的收获

1.迁都后的政治补偿

德国准备迁都柏林后，4 000多外交人员、180多外交使
 团将会离开波恩，而在波恩为这些政府机构服务的工作人

员约5万人，这些人大多数不愿意搬迁并留在了波恩，这也

造成了严重的失业问题。为此1994年德国议会通过了关于

波恩的法律，在决定迁都到柏林的同时，将波恩定位为国

际组织和跨国公司的总部基地，并由联邦政府提供免费的

办公大楼和设施。"""

# Lines 368-392.
PIC = """\
4.PIC原则下的长期可持续发展

从上个世纪90年代到现在，德国波恩

为吸引国际组织入驻已经努力了接近20年并

且取得了一定的成功，成为欧洲仅次于日内

瓦、数量名列第二的国际组织中心。波恩政

府官员特别强调的就是坚持PIC原则（坚持、

远见和创意）。尽管国际组织给波恩仅仅带

来了5千多万欧元的年收入，但是由于国际

组织中心的定位，很多跨国公司如德国电

信、D H L等也纷纷把波恩作为总部，由此带

来的会议、展览和商务活动为波恩带来了很

多收益。更为重要的是，通过长期的努力，

波恩城市国际化水平和意识也有显著提高。"""

# Lines 406-443.
ICLEI = """\
三、波恩利用城市国际组织联盟提升国际影响力

（一）ICLEI（国际地方政府环境行动理事会）

当前全球治理的治理主体已经多元化，
[3]

在全球环境

治理领域亦是如此。目前分为三个层次：第一层次是组织，

主要包括联合国大会（General Assembly of the United\x20

Nations）、联合国经社理事会（ECOSOC）、联合国环境规

划署（UNEP）、联合国可持续发展委员会（CSD）以及联合

国开发计划署（UNDP）等，而联合国粮农组织（FAO）、世

界卫生组织（WHO）、联合国教科文组织（UNESCO）、世界

气象组织（WMO）等专门机构也包括在其中，此外还有世界

银行（World Bank）、世界贸易组织（WTO），而地区或次

地区层次上的政府间国际组织如欧安组织（OSCE）、欧盟

(EU)等也在此列。第二层次是国家，国家虽然在很多时候成

为全球可持续发展治理的对象，但是国家作为国际环境合作

的重要主体，也发挥着重要作用。第三层次是公民社会的各

主要群组，包括非政府组织、私有部门、媒

体、科学界等，也是全球可持续发展治理的重

要参与者。"""

# Lines 564-582.
WORLD_CITY = """\
1.推动波恩国际化进程，打造又一座世界城市

ICLEI定位为地方政府性国际组织，实际上，它介于政

府间国际组织和非政府组织之间。在全球可持续发展的潮

流中，致力于帮助地方政府在可持续发展方面实现切实的

改善。如图1所示，在2011年，国际地方政府环境行动理事

会特别关注当地的环境问题在73个国家内，有超过1 200个

成员，涉及到全球5.7亿人口。比起国家，以城市为单位，

更能具体准确地反映出存在的问题，也使得该组织更具备

多样性。这样一个国际组织的入驻，其丰富的国际性元素

有利于将波恩打造成为一座世界性的城市。"""

# Lines 604-646.
CAPTION = """\
3.利用主场优势进行宣传

国际地方政府环境行动理事会的成员包括正式成员

（地方及地区政府、城市联合会），以及参与成员（非政

府组织、地方选举的官员、私人企业等）。
[4]

国际地方政府环境行动理事会通过1 200多个地方政府

成员以及一位由当地选举的国际执委会委员，实施会员民

主管理。这些都成为波恩进行自我宣传的重要受众。

4.高端资源整合流通，推进社会发展图1  全球“国际地方政府环境行动理事会”（ICLEI）成员的分布情况
 四、对于上海的借鉴意义

国际地方政府环境行动理事会和很多国际组织建立

了伙伴关系，包括城市联盟联合会、美国城市和地方政府

（UCLG）、世界气候方面市长委员会（WMCCC）、联合国环

境规划署（UNEP）、联合国人居署（UN-HABITAT）、联合

国国际减灾战略署（UNISDR）、联合国气候变化框架公约

（UNFCCC）、联合国生物多样性公约（UNCCD）、国际大自

然保护联盟（IUCN）、世界经济论坛（WEF）等。这种联系

不仅进一步促进了该城市高端资源信息的合理

配置，推进了当地甚至是该国的社会整体发

展；更为重要的是，当联系建立的时候，波恩

凭借自己城市的身份，就可以利用所在的城市

国际组织平台把原先和常规国际组织的间接联

系，转化为更直接的联系。"""

# Lines 697-739.
SHANGHAI = """\
（二）“准”：找到合适的突破口

联合国防治荒漠化公约亚太办事处是目前较为可行的突

破口。在曼谷的联合国防治荒漠化公约亚太办事处缺少资金，

运转不动。由于面临房租、工资的压力，这个机构正在寻找新

的东道主。该机构工作人员工资1年共计20万美元，东道主运

行费用补贴40万～45万美元，搬迁费用人均3万美元左右。

联合国防治荒漠化公约是发展中国家主导的国际组

织，荒漠化和城市环境可持续发展密切相关，中国是受危

害最大的国家，也是为世界贡献最大的国家，是全球成功

范例最多的国家。因此，联合国防治荒漠化公约亚太办

事处对于提升中国软实力、树立中国形象、推动上海影响

力、都有相当重要的作用，它也将成为上海吸引国际组织

的重要突破口。

（三）“城市”：注重吸引国际城市组

织

ICLEI介于政府间国际组织和非政府组织

之间，定位为国际地方政府联盟。该组织突

出环保和低碳技术、城市规划等问题，城市

全球城市交流信息、分享技术的良好平台。

目前该机构希望在中国设立亚太办事处和研

究中心。上海可以以此为契机，吸引该组织

的入驻。"""

# Lines 96-130.
NO_HEADING = """\
第二，推动城市资源整合。“国际组织

聚集了大批全球高端人才和专业人士，其运

营模式在一定程度上使（所在城市）信息的

整合和流动成为可能”，
[1]

加之“国际组织

的落户往往伴随政治、文化、经济或科技资

源的大量流入，为相关城市发展带来难得的

发展机遇”。
[2]

第三，国家获得主场优势。尽管有学者
 认为,“国际组织所在城市凭借‘主场’优

势，往往会成为该组织的核心成员，在相关

国际事务中具有较大话语权”。
[2]

但更为确

切地说，该城市只是一个所在国获得主场权

的平台，毕竟国家才是国际组织的成员，也

只有国家才是真正利用主场优势发挥作用的

行为主体。"""


SNIPPETS = {
    "FRONT_MATTER": FRONT_MATTER,
    "INTRO": INTRO,
    "HARDWARE": HARDWARE,
    "RELOCATION": RELOCATION,
    "PIC": PIC,
    "ICLEI": ICLEI,
    "WORLD_CITY": WORLD_CITY,
    "CAPTION": CAPTION,
    "SHANGHAI": SHANGHAI,
    "NO_HEADING": NO_HEADING,
}


def kinds(blocks: list[Block]) -> list[tuple[str, int, str]]:
    return [(b.kind, b.level, b.text) for b in blocks]


def texts(raw: str) -> list[str]:
    return [b.text for b in clean(raw)]


@pytest.mark.parametrize("name", SNIPPETS)
def test_snippets_are_exact_copies_of_the_bundled_document(bundled_text, name):
    assert SNIPPETS[name] in bundled_text


# --- lines broken mid-sentence ---------------------------------------------


def test_lines_broken_mid_sentence_are_rejoined_without_spaces_between_cjk():
    assert texts(INTRO) == [
        "当前，为促进城市的进一步发展，各地方政府不断探索新路径。其中，发展吸引国际组织入驻的城市已经成为推动城市发展的崭新路径。"
        "包括中国个别城市在内的一些城市在如何吸引国际组织入驻方面进行了积极的努力，它们中的佼佼者已经收到了一定的成效。"
        "本文之所以选取波恩为例，不仅因为它积极吸引国际组织发展了自己的城市，而且它还利用城市国际组织联盟的入驻提升了自己的全球影响力。"
        "本文将以对此进行深入讨论，并探索整个案例对上海的借鉴意义。"
    ]


def test_line_starting_with_a_stray_space_is_joined_without_it():
    # " 团将会离开波恩" and " 认为,“国际组织…" begin with a space in the extraction.
    [paragraph] = [b.text for b in clean(RELOCATION) if b.kind == "paragraph"]
    assert "180多外交使团将会离开波恩" in paragraph


def test_spaces_between_latin_words_are_kept_across_a_line_break():
    [paragraph] = [b for b in clean(ICLEI) if b.kind == "paragraph"]
    assert "联合国大会（General Assembly of the United Nations）、联合国经社理事会" in paragraph.text
    assert "世界银行（World Bank）、世界贸易组织（WTO）" in paragraph.text


def test_latin_word_glued_to_cjk_gets_no_space():
    [paragraph] = [b for b in clean(WORLD_CITY) if b.kind == "paragraph"]
    assert paragraph.text.startswith("ICLEI定位为地方政府性国际组织，实际上，它介于政府间国际组织")


# --- front matter: abstract, English title, keywords, running headers --------


def test_front_matter_is_abstract_title_and_keywords():
    assert kinds(clean(FRONT_MATTER)) == [
        (
            "abstract",
            0,
            "摘要：城市发展各具特色，在当前各类国际组织蓬勃发展的背景之下，吸引国际组织的入驻已经成为城市发展的新路径。"
            "以德国波恩为例，从吸引国际组织的硬件优势、吸引国际组织的收获这两个角度分析，有助于了解如何运用这个新的路径推动城市的发展，"
            "以及其所带来的广阔国际影响。上海作为中国重要的国际化大都市，应该学习借鉴波恩的经验，吸引国际组织的入驻。"
            "在具体做法上，可以总结为“新”、“准”、“城市”这三个关键词。由于在城市国际组织中，上海作为一个城市能够获得更大的收益，"
            "因而要将有限的精力合理利用，多关注相关国际城市组织的引进，以实现更大的成效。",
        ),
        (
            "title",
            0,
            "Common Negotiation and Sharing for Global Governance: New City Development Ways of "
            "Attracting the Participation of International Organizations",
        ),
        ("keywords", 0, "关键词：国际组织；城市发展；德国波恩；ICLEI；上海"),
    ]


def test_keywords_listed_before_their_label_are_gathered_into_one_block():
    [keywords] = [b for b in clean(FRONT_MATTER) if b.kind == "keywords"]
    assert keywords.text == "关键词：国际组织；城市发展；德国波恩；ICLEI；上海"


def test_english_title_is_detected_as_title():
    [title] = [b for b in clean(FRONT_MATTER) if b.kind == "title"]
    assert title.text.startswith("Common Negotiation and Sharing for Global Governance: New City Development")


@pytest.mark.parametrize(
    ("header", "words"),
    [("专题论坛 | 47", ["专题论坛", "47"]), ("THEME  FORUM", ["THEME", "FORUM"])],
)
def test_running_headers_are_dropped(header, words):
    assert header in FRONT_MATTER
    cleaned = joined(clean(FRONT_MATTER))
    for word in words:
        assert word not in cleaned


# --- footnotes ----------------------------------------------------------------


def test_footnote_marker_mid_sentence_becomes_inline_and_the_sentence_goes_on():
    [paragraph] = [b for b in clean(ICLEI) if b.kind == "paragraph"]
    assert paragraph.text.startswith("当前全球治理的治理主体已经多元化，[^3]在全球环境治理领域亦是如此。")


def test_footnote_marker_after_a_paragraph_is_attached_to_it():
    blocks = clean(CAPTION)
    assert blocks[1].text.endswith("以及参与成员（非政府组织、地方选举的官员、私人企业等）。[^4]")
    assert blocks[2].text.startswith("国际地方政府环境行动理事会通过1200多个地方政府成员")


def test_no_footnote_marker_survives_as_a_block_of_its_own():
    for raw in SNIPPETS.values():
        assert not any(re.fullmatch(r"\[\^?\d+\]", b.text) for b in clean(raw))


# --- figure caption glued to a heading ----------------------------------------


def test_caption_glued_to_a_heading_is_split_into_heading_and_caption():
    blocks = clean(CAPTION)
    assert kinds(blocks)[3:6] == [
        ("heading", 3, "4.高端资源整合流通，推进社会发展"),
        ("caption", 0, "图1 全球“国际地方政府环境行动理事会”（ICLEI）成员的分布情况"),
        ("heading", 1, "四、对于上海的借鉴意义"),
    ]


def test_paragraph_after_the_caption_is_its_own_block():
    blocks = clean(CAPTION)
    assert blocks[6].kind == "paragraph"
    assert blocks[6].text.startswith("国际地方政府环境行动理事会和很多国际组织建立了伙伴关系")
    assert blocks[6].text.endswith("转化为更直接的联系。")


# --- spaced numbers and acronyms ----------------------------------------------


def test_spaced_thousands_are_joined():
    [paragraph] = [b.text for b in clean(RELOCATION) if b.kind == "paragraph"]
    assert "4000多外交人员" in paragraph
    assert "4 000" not in paragraph


def test_spaced_1_200_is_joined_wherever_it_occurs():
    assert "有超过1200个成员，涉及到全球5.7亿人口" in joined(clean(WORLD_CITY))
    assert "通过1200多个地方政府成员" in joined(clean(CAPTION))


def test_spaced_acronym_dhl_is_joined():
    [paragraph] = [b.text for b in clean(PIC) if b.kind == "paragraph"]
    assert "很多跨国公司如德国电信、DHL等也纷纷把波恩作为总部" in paragraph


def test_spaced_acronym_broken_over_lines_becomes_un_campus():
    [paragraph] = [b.text for b in clean(HARDWARE) if b.kind == "paragraph"]
    assert "修建成为联合国专区（UN Campus），免费提供给入住的17个国际组织" in paragraph


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4 000多外交人员", "4000多外交人员"),
        ("超过1 200个成员", "超过1200个成员"),
        ("1 234 567人", "1234567人"),
        ("D H L等", "DHL等"),
        ("（U N Campus）", "（UN Campus）"),
        ("THEME  FORUM", "THEME FORUM"),
    ],
)
def test_normalise_inline_joins_spaced_numbers_and_acronyms(raw, expected):
    assert normalise_inline(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2011年，在73个国家内",
        "涉及到全球5.7亿人口",
        "坚持PIC原则",
        "UNFCCC从最初的十几人发展到现在500多人",
        "in 2011 200 cities joined",  # a year next to a count is not a spaced number
        "Bonn is a UN City",
    ],
)
def test_normalise_inline_leaves_ordinary_text_alone(text):
    assert normalise_inline(text) == text


def test_unicode_spaces_inside_numbers_are_normalised():
    # PDF extraction writes thin/four-per-em spaces (U+2005) and NBSPs.
    assert clean_text("联合国有4\u2005000多名雇员。") == "联合国有4000多名雇员。"
    assert clean_text("超过1\u00a0200个成员。") == "超过1200个成员。"


def test_control_characters_from_extraction_are_removed():
    assert clean_text("波恩\x07是联合国\x1b城市。") == "波恩是联合国城市。"


# --- headings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("一、城市吸引国际组织入驻的已有探索", 1),
        ("四、对于上海的借鉴意义", 1),
        ("（一）波恩吸引国际组织的硬件优势", 2),
        ("（一）ICLEI（国际地方政府环境行动理事会）", 2),
        ("（三）“城市”：注重吸引国际城市组", 2),
        ("1.优越的办公设施", 3),
        ("4.PIC原则下的长期可持续发展", 3),
        ("1.推动波恩国际化进程，打造又一座世界城市", 3),
    ],
)
def test_heading_levels_follow_chinese_numbering(bundled_text, line, level):
    assert line in bundled_text
    assert heading_level(line) == level


@pytest.mark.parametrize(
    "line",
    [
        "第一，提升国际组织所在城市国际化水平。“城市的",  # enumerated sentence, not a heading
        "73个国家内，有着超过1 200个成员。“国际",  # starts with a number
        "（UNFCCC）作为突破口。竞争这个组织的有四个城市：里",  # parenthesised acronym
        "关键词",
        "一、城市吸引国际组织入驻的已有探索，这一现象的出现已经有很长一段时间了。",  # a sentence
    ],
)
def test_body_lines_are_not_headings(line):
    assert heading_level(line) == 0


def test_headings_in_a_snippet_get_their_levels():
    assert [(b.level, b.text) for b in clean(RELOCATION) if b.kind == "heading"] == [
        (2, "（二）波恩吸引国际组织的收获"),
        (3, "1.迁都后的政治补偿"),
    ]
    assert [(b.level, b.text) for b in clean(ICLEI) if b.kind == "heading"] == [
        (1, "三、波恩利用城市国际组织联盟提升国际影响力"),
        (2, "（一）ICLEI（国际地方政府环境行动理事会）"),
    ]


def test_heading_wrapped_onto_a_second_line_is_joined():
    blocks = clean(SHANGHAI)
    assert ("heading", 2, "（三）“城市”：注重吸引国际城市组织") in kinds(blocks)
    after = blocks[[b.text for b in blocks].index("（三）“城市”：注重吸引国际城市组织") + 1]
    assert after.kind == "paragraph"
    assert after.text.startswith("ICLEI介于政府间国际组织和非政府组织之间")


def test_paragraph_ends_where_the_next_heading_starts():
    blocks = clean(SHANGHAI)
    assert blocks[1].kind == "paragraph"
    assert blocks[1].text.endswith("它也将成为上海吸引国际组织的重要突破口。")


# --- offsets ------------------------------------------------------------------


@pytest.mark.parametrize("name", SNIPPETS)
def test_block_offsets_index_the_joined_text(name):
    blocks = clean(SNIPPETS[name])
    text = joined(blocks)
    for block in blocks:
        assert text[block.start:block.end] == block.text
    for before, after in zip(blocks, blocks[1:], strict=False):
        assert text[before.end:after.start] == "\n\n"


def test_clean_text_is_the_joined_blocks():
    assert clean_text(ICLEI) == joined(clean(ICLEI))


# --- the whole bundled document -----------------------------------------------


EXPECTED_OUTLINE = [
    (1, "一、城市吸引国际组织入驻的已有探索"),
    (1, "二、波恩吸引国际组织入驻"),
    (2, "（一）波恩吸引国际组织的硬件优势"),
    (3, "1.优越的办公设施"),
    (3, "2.欧洲的交通枢纽"),
    (3, "3.配套的国际学校"),
    (3, "4.专门的安全措施"),
    (3, "5.免税和外交豁免权"),
    (2, "（二）波恩吸引国际组织的收获"),
    (3, "1.迁都后的政治补偿"),
    (3, "2.审时度势下的一击即中"),
    (3, "3.合理定位下的效率提升"),
    (3, "4.PIC原则下的长期可持续发展"),
    (1, "三、波恩利用城市国际组织联盟提升国际影响力"),
    (2, "（一）ICLEI（国际地方政府环境行动理事会）"),
    (2, "（二）波恩利用ICLEI提升全球影响力"),
    (3, "1.推动波恩国际化进程，打造又一座世界城市"),
    (3, "2.东道城市身份下的话语权"),
    (3, "3.利用主场优势进行宣传"),
    (3, "4.高端资源整合流通，推进社会发展"),
    (1, "四、对于上海的借鉴意义"),
    (2, "（一）“新”：抓住新兴领域的国际组织"),
    (2, "（二）“准”：找到合适的突破口"),
    (2, "（三）“城市”：注重吸引国际城市组织"),
]


@pytest.fixture(scope="module")
def document_blocks(bundled_text) -> list[Block]:
    return clean(bundled_text)


def test_document_outline_is_recovered(document_blocks):
    assert [(b.level, b.text) for b in document_blocks if b.kind == "heading"] == EXPECTED_OUTLINE


def test_document_starts_with_abstract_title_keywords_then_body(document_blocks):
    assert [b.kind for b in document_blocks[:5]] == [
        "abstract", "title", "keywords", "paragraph", "heading"
    ]
    assert document_blocks[3].text.startswith("当前，为促进城市的进一步发展")


def test_document_has_no_running_headers(document_blocks):
    text = joined(document_blocks)
    assert "专题论坛" not in text
    assert "THEME" not in text
    assert "FORUM" not in text


def test_document_has_no_line_breaks_inside_blocks(document_blocks):
    assert not any("\n" in b.text or "\f" in b.text for b in document_blocks)


def test_document_has_no_space_between_cjk_characters(document_blocks):
    spaced = re.compile(f"[{CJK}，。、；：“”（）] +[{CJK}，。、；：“”（）]")
    assert [b.text for b in document_blocks if spaced.search(b.text)] == []


def test_document_footnotes_are_inline_and_in_order(document_blocks):
    text = joined(document_blocks)
    assert re.findall(r"\[\^(\d+)\]", text) == ["1", "2", "2", "1", "3", "4", "5"]
    assert not re.search(r"(?m)^\[\d+\]$", text)
    assert "成为可能”，[^1]加之“国际组织的落户往往伴随政治" in text
    assert "具有较大话语权”。[^2]但更为确切地说，该城市只是" in text


def test_document_has_exactly_one_caption(document_blocks):
    assert [b.text for b in document_blocks if b.kind == "caption"] == [
        "图1 全球“国际地方政府环境行动理事会”（ICLEI）成员的分布情况"
    ]


def test_document_spaced_numbers_and_acronyms_are_normalised(document_blocks):
    text = joined(document_blocks)
    assert not re.search(r"\d \d{3}(?!\d)", text)
    assert text.count("1200") == 5
    assert "DHL" in text and "D H L" not in text
    assert "UN Campus" in text


def test_document_block_offsets_are_consistent_with_joined_text(document_blocks):
    text = joined(document_blocks)
    assert document_blocks[0].start == 0
    assert document_blocks[-1].end == len(text)
    for block in document_blocks:
        assert text[block.start:block.end] == block.text
    for before, after in zip(document_blocks, document_blocks[1:], strict=False):
        assert after.start == before.end + 2


def test_plain_text_has_no_page_numbers(document_blocks):
    assert {b.page for b in document_blocks} == {None}


# --- other shapes of input ------------------------------------------------------


def test_markdown_headings_keep_their_level_in_paragraph_per_line_text():
    md = "# 使用手册\n\n打开软件，点击开始。\n\n## 安装\n\n选择文件，然后确认。\n"
    assert kinds(clean(md)) == [
        ("heading", 1, "使用手册"),
        ("paragraph", 0, "打开软件，点击开始。"),
        ("heading", 2, "安装"),
        ("paragraph", 0, "选择文件，然后确认。"),
    ]


def test_pages_are_numbered_from_form_feeds_when_the_text_has_pages():
    raw = "一、第一页\n\n波恩是联合国城市。\f二、第二页\n\n上海是国际化大都市。"
    assert [(b.text, b.page) for b in clean(raw, has_pages=True)] == [
        ("一、第一页", 1),
        ("波恩是联合国城市。", 1),
        ("二、第二页", 2),
        ("上海是国际化大都市。", 2),
    ]


def test_text_without_numbered_headings_keeps_sentences_whole():
    blocks = texts(NO_HEADING)
    assert any("话语权”。[^2]但更为确切地说，该城市只是" in t for t in blocks)
    assert any("成为可能”，[^1]加之“国际组织的落户往往伴随" in t for t in blocks)


def test_numbered_markdown_headings_are_not_mistaken_for_running_heads():
    md = (
        "# 使用手册\n\n## 第1步\n\n打开软件，点击开始。\n\n## 第2步\n\n选择文件，然后确认。\n\n"
        "## 第3步\n\n等待处理完成，查看结果。\n"
    )
    assert [b.text for b in clean(md) if b.kind == "heading"] == [
        "使用手册", "第1步", "第2步", "第3步"
    ]


def test_markdown_headings_survive_in_hard_wrapped_markdown():
    md = (
        "# Introduction\n\n"
        "This guide explains how the assistant reads documents and how it splits\n"
        "them into passages that can be searched in both Chinese and English by\n"
        "the retrieval step of the pipeline.\n\n"
        "# Installation\n\n"
        "Run the setup script once on a machine with network access and copy the\n"
        "resulting folder to the offline machine where the assistant will run for\n"
        "the rest of its life without any downloads.\n"
    )
    assert [(b.kind, b.text) for b in clean(md) if b.kind == "heading"] == [
        ("heading", "Introduction"),
        ("heading", "Installation"),
    ]


def test_english_paragraphs_on_their_own_lines_are_not_merged_into_the_title():
    raw = (
        "Bonn and the United Nations\n"
        "Bonn hosts the UNFCCC secretariat.\n"
        "It became a UN city in 1996.\n"
        "1. Background\n"
        "The government moved to Berlin in 1999.\n"
        "Bonn received federal support for the change.\n"
    )
    blocks = clean(raw)
    assert not any(b.kind == "title" and "secretariat" in b.text for b in blocks)
    assert "Bonn hosts the UNFCCC secretariat." in [b.text for b in blocks]


def test_an_article_saved_as_plain_text_gets_its_title_and_headings_from_bare_lines():
    text = ("Geneva\n\nGeneva is a city in Switzerland.\n\nHistory\n\nThe Romans took it in 121 BC.\n\n"
            "Geography\n\nTopography\n\nThe city lies on a lake.\n\n"
            "- Jean Calvin (1509–1564) reformer\n- Henri Dunant (1828–1910) founder of the Red Cross\n"
            "- Jean Piaget (1896–1980) psychologist\n- Ferdinand de Saussure (1857–1913) linguist\n")
    blocks = clean(text)
    assert [(b.kind, b.level, b.text) for b in blocks if b.kind in ("title", "heading")] == [
        ("title", 0, "Geneva"), ("heading", 1, "History"), ("heading", 1, "Geography"),
        ("heading", 2, "Topography")]
    # List items end without a full stop, yet the text is not hard-wrapped: one block each.
    assert sum(b.text.startswith("- ") for b in blocks) == 4


def test_short_lines_are_not_headings_in_a_document_that_marks_its_headings():
    text = "# Report\n\nIntro line\n\nThe first paragraph ends here.\n\n## Part\n\nMore text here.\n"
    blocks = clean(text)
    assert [b.text for b in blocks if b.kind == "heading"] == ["Report", "Part"]
