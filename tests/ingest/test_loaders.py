"""Files -> raw text.

Every supported format (.txt in UTF-8, UTF-8 with BOM or GB18030/GBK, .md,
.docx, .pdf) yields its text; every failure is a LoadError whose message
names the file and the reason, so ingest can report it and go on.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ingest.clean import clean
from ingest.documents import process
from ingest.loaders import PAGE_BREAK, LoadError, discover, load

CHINESE = "波恩是联合国在德国的城市。\n上海可以借鉴波恩的经验。\n"


def tiny_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one text line per string, Helvetica, ASCII only.

    pypdf 7 has no public API to draw text (only blank pages), so the file is
    written by hand: catalog, page tree, one font, one page + content stream
    per page, and a correct cross-reference table.
    """
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    kids = []
    number = 4
    for lines in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects[number] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (number + 1)
        )
        objects[number + 1] = (
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        )
        kids.append(number)
        number += 2
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for key in sorted(objects):
        offsets[key] = len(out)
        out += b"%d 0 obj\n" % key + objects[key] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for key in range(1, size):
        out += b"%010d 00000 n \n" % offsets[key]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- plain text encodings ---------------------------------------------------


def test_utf8_text_loads_verbatim(tmp_path):
    raw = load(write(tmp_path / "a.txt", CHINESE.encode("utf-8")))
    assert raw.text == CHINESE
    assert raw.has_pages is False


def test_utf8_byte_order_mark_is_stripped(tmp_path):
    raw = load(write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + CHINESE.encode("utf-8")))
    assert raw.text == CHINESE
    assert not raw.text.startswith("\ufeff")


def test_gbk_encoded_chinese_is_decoded(tmp_path):
    data = CHINESE.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test really exercises the fallback
    assert load(write(tmp_path / "gbk.txt", data)).text == CHINESE


def test_gb18030_characters_outside_gbk_are_decoded(tmp_path):
    text = "生僻字𠀀与欧元符号€都能读出。\n"
    assert load(write(tmp_path / "gb18030.txt", text.encode("gb18030"))).text == text


def test_windows_line_endings_are_kept_for_the_cleaner(tmp_path):
    raw = load(write(tmp_path / "crlf.txt", CHINESE.replace("\n", "\r\n").encode("utf-8")))
    assert raw.text == CHINESE.replace("\n", "\r\n")
    assert [b.text for b in clean(raw.text)] == CHINESE.split()


def test_markdown_loads_as_plain_text(tmp_path):
    md = "# 波恩\n\n波恩是联合国城市。\n\n## 国际组织\n\n二十多个联合国机构设在波恩。\n"
    raw = load(write(tmp_path / "notes.md", md.encode("utf-8")))
    assert raw.text == md
    assert raw.has_pages is False


def test_markdown_headings_become_chunk_sections(tmp_path, settings):
    md = "# 波恩\n\n波恩是联合国城市。\n\n## 国际组织\n\n二十多个联合国机构设在波恩。\n"
    doc = process(write(tmp_path / "notes.md", md.encode("utf-8")), settings)
    assert [(c.section, c.text) for c in doc.chunks] == [
        ("波恩", "波恩是联合国城市。"),
        ("波恩 > 国际组织", "二十多个联合国机构设在波恩。"),
    ]


# --- Word -------------------------------------------------------------------


def test_docx_paragraphs_are_joined_by_newlines(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("一、波恩的经验", level=1)
    document.add_paragraph("波恩吸引了二十多个联合国机构。")
    document.add_paragraph("Bonn hosts the UNFCCC secretariat.")
    path = tmp_path / "report.docx"
    document.save(str(path))

    raw = load(path)
    assert raw.text.split("\n") == [
        "一、波恩的经验",
        "波恩吸引了二十多个联合国机构。",
        "Bonn hosts the UNFCCC secretariat.",
    ]
    assert raw.has_pages is False


def test_docx_heading_numbering_becomes_a_section(tmp_path, settings):
    import docx

    document = docx.Document()
    document.add_paragraph("一、波恩的经验")
    document.add_paragraph("波恩吸引了二十多个联合国机构。")
    path = tmp_path / "report.docx"
    document.save(str(path))

    doc = process(path, settings)
    assert [(c.section, c.text) for c in doc.chunks] == [
        ("一、波恩的经验", "波恩吸引了二十多个联合国机构。")
    ]


# --- PDF --------------------------------------------------------------------


def test_tiny_pdf_helper_writes_a_pdf_pypdf_can_read(tmp_path):
    from pypdf import PdfReader

    path = write(tmp_path / "t.pdf", tiny_pdf([["Hello Bonn."], ["Hello Shanghai."]]))
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    assert "Hello Shanghai." in reader.pages[1].extract_text()


def test_pdf_pages_are_joined_by_form_feed(tmp_path):
    path = write(
        tmp_path / "paper.pdf",
        tiny_pdf([
            ["Bonn hosts the climate secretariat.", "It moved there in 1996."],
            ["Shanghai can learn from Bonn."],
            ["The third page ends the paper."],
        ]),
    )
    raw = load(path)
    assert raw.has_pages is True
    pages = raw.text.split(PAGE_BREAK)
    assert len(pages) == 3
    assert "Bonn hosts the climate secretariat." in pages[0]
    assert "It moved there in 1996." in pages[0]
    assert "Shanghai can learn from Bonn." in pages[1]
    assert "The third page ends the paper." in pages[2]


def test_pdf_page_numbers_reach_blocks_and_chunks(tmp_path, settings):
    path = write(
        tmp_path / "paper.pdf",
        tiny_pdf([
            ["1. Bonn", "Bonn hosts the climate secretariat.", "It moved there in 1996."],
            ["2. Shanghai", "Shanghai can learn from Bonn.", "It hosts few bodies yet."],
        ]),
    )
    raw = load(path)
    pages = {b.text: b.page for b in clean(raw.text, raw.has_pages)}
    assert pages["Bonn hosts the climate secretariat."] == 1
    assert pages["Shanghai can learn from Bonn."] == 2

    doc = process(path, settings)
    by_section = {c.section: c for c in doc.chunks}
    assert by_section["1. Bonn"].page == 1
    assert by_section["2. Shanghai"].page == 2
    assert by_section["2. Shanghai"].to_metadata()["page"] == 2


def test_pdf_without_extractable_text_is_rejected(tmp_path):
    path = write(tmp_path / "scan.pdf", tiny_pdf([[], []]))
    with pytest.raises(LoadError, match="no text could be extracted") as err:
        load(path)
    assert err.value.path == path


def test_corrupt_pdf_is_a_load_error(tmp_path):
    path = write(tmp_path / "broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n")
    with pytest.raises(LoadError, match="not a readable PDF") as err:
        load(path)
    assert str(err.value).startswith(str(path))


def test_zip_that_is_not_a_docx_is_a_load_error(tmp_path):
    path = tmp_path / "fake.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(LoadError, match="not a readable .docx file") as err:
        load(path)
    assert str(err.value).startswith(str(path))


def test_docx_that_is_not_a_zip_archive_is_a_load_error(tmp_path):
    path = write(tmp_path / "broken.docx", b"this is not a word file at all")
    with pytest.raises(LoadError, match="not a readable .docx file"):
        load(path)


# --- failures ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", b" \n\n\t \n", "file is empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 8, "binary file"),
        ("utf16.txt", CHINESE.encode("utf-16"), "binary file"),
        ("garbage.txt", b"\xff\xfe\xfa\xfb" * 32, "cannot decode"),
        ("table.csv", b"city,organisations\nBonn,25\n", "unsupported file type '.csv'"),
        ("README", b"plain words", "unsupported file type '(none)'"),
    ],
    ids=["empty", "whitespace-only", "binary-nul-bytes", "utf16-has-nul-bytes",
         "undecodable-bytes", "unsupported-extension", "no-extension"],
)
def test_unloadable_file_raises_load_error_naming_file_and_reason(tmp_path, name, data, reason):
    path = write(tmp_path / name, data)
    with pytest.raises(LoadError) as err:
        load(path)
    assert err.value.path == path
    assert reason in err.value.reason
    assert str(err.value) == f"{path}: {err.value.reason}"


def test_unsupported_extension_message_lists_supported_types(tmp_path):
    with pytest.raises(LoadError) as err:
        load(write(tmp_path / "slides.pptx", b"PK"))
    assert ".txt, .md, .pdf, .docx" in err.value.reason



# --- the size limit (setting max_file_mb) --------------------------------------


def test_a_file_over_the_size_limit_is_refused_naming_its_size_the_limit_and_the_setting(tmp_path):
    path = write(tmp_path / "big.txt", CHINESE.encode("utf-8") * 40)  # 3,080 bytes
    with pytest.raises(LoadError) as err:
        load(path, max_bytes=1_000)
    assert err.value.path == path
    assert err.value.reason == ("file is 0.0031 MB (3,080 bytes), over the limit of 0.001 MB; to ingest it, "
                                "raise the setting max_file_mb (environment variable ASSISTANT_MAX_FILE_MB)")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = write(tmp_path / "huge.txt", b"x" * 5_000)

    def unread(self):
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", unread)
    with pytest.raises(LoadError, match="over the limit"):
        load(path, max_bytes=4_999)


def test_a_file_at_the_size_limit_loads(tmp_path):
    data = CHINESE.encode("utf-8")
    assert load(write(tmp_path / "doc.txt", data), max_bytes=len(data)).text == CHINESE


def test_without_a_limit_any_size_loads(tmp_path):
    assert load(write(tmp_path / "doc.txt", CHINESE.encode("utf-8") * 40)).text == CHINESE * 40


def test_ingest_takes_its_limit_from_the_setting_max_file_mb(tmp_path, settings):
    path = write(tmp_path / "doc.txt", CHINESE.encode("utf-8") * 40)  # 3,080 bytes
    assert process(path, settings.replace(max_file_mb=0.004)).chunks
    with pytest.raises(LoadError, match=r"over the limit of 0\.003 MB; .*max_file_mb"):
        process(path, settings.replace(max_file_mb=0.003))


def test_missing_file_raises_load_error(tmp_path):
    path = tmp_path / "nowhere.txt"
    with pytest.raises(LoadError) as err:
        load(path)
    assert err.value.path == path
    assert err.value.reason == "file not found"
    assert str(path) in str(err.value)


def test_valid_utf8_with_word_line_breaks_is_not_rejected(tmp_path):
    text = "波恩是联合国城市。\x0b上海是国际化大都市。\x0b德国波恩。\x0b世界城市。\n"
    assert load(write(tmp_path / "word-export.txt", text.encode("utf-8"))).text == text


# --- discovering files --------------------------------------------------------


def test_discover_expands_folders_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.md").write_text("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.pdf").write_bytes(b"%PDF")
    assert discover([tmp_path]) == [
        tmp_path / "a.md", tmp_path / "b.txt", tmp_path / "sub" / "c.pdf"
    ]


def test_discover_passes_files_through_even_if_missing(tmp_path):
    # load() then reports the missing file, so the user learns about it.
    missing = tmp_path / "gone.txt"
    assert discover([missing]) == [missing]


def test_discover_skips_hidden_files(tmp_path):
    (tmp_path / "doc.txt").write_text("x")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00")
    assert discover([tmp_path]) == [tmp_path / "doc.txt"]


def test_discover_skips_files_inside_hidden_folders(tmp_path):
    (tmp_path / "doc.txt").write_text("x")
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian" / "app.json").write_text("{}")
    assert discover([tmp_path]) == [tmp_path / "doc.txt"]
