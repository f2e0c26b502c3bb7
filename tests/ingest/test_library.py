"""Managing documents (the page's documents tab and /v1/documents): an upload
is checked before it touches anything, stored under a safe name and ingested
incrementally; a new version replaces the old; removing loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from index.embedders import embedder_id, make_embedder
from index.store import open_store
from ingest import library
from ingest.library import LibraryError, safe_name
from ingest.pipeline import ingest

NOTE = ("# Rhine ferry note\n\nThe Rhine ferry between Bonn and Königswinter carried "
        "412 passengers on its first day in the spring of 2031.\n")
NOTE_V2 = NOTE.replace("412 passengers", "977 passengers")


@pytest.fixture(scope="module")
def embedder(settings_base: Settings):
    return make_embedder(settings_base)


@pytest.fixture(scope="module")
def settings_base(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings.from_env(environ={}).replace(generator="extractive")


@pytest.fixture
def lib(tmp_path: Path, settings_base: Settings) -> Settings:
    (tmp_path / "docs").mkdir()
    return settings_base.replace(docs_dir=tmp_path / "docs", store_dir=tmp_path / "chroma")


def texts(settings: Settings, embedder) -> list[str]:  # noqa: ANN001
    store = open_store(settings, embedder_id(embedder))
    return store.all()["documents"] or []


def folder(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.ingest.docs_dir.iterdir())


@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\me\\Report 2024.PDF", "Report 2024.pdf"),
    ("波恩报告.docx", "波恩报告.docx"),
    ("a<script>b.md", "a_script_b.md"),
    (".hidden.txt", "hidden.txt"),
])
def test_an_upload_is_stored_under_its_name_only(given: str, kept: str) -> None:
    assert safe_name(given) == kept


@pytest.mark.parametrize("given", ["tool.exe", "noext", "archive.tar.gz"])
def test_a_file_type_the_loaders_do_not_read_is_refused_by_name(given: str) -> None:
    with pytest.raises(LibraryError, match="unsupported file type") as err:
        safe_name(given)
    assert err.value.status == 415


def test_a_new_document_is_ingested_and_listed(lib: Settings, embedder) -> None:  # noqa: ANN001
    change = library.add("ferry.md", NOTE.encode(), lib, embedder)
    assert change.id == "ferry.md" and change.report.added > 0 and not change.report.errors
    assert "store" not in change.as_dict()  # no server location in what a client sees
    assert folder(lib) == ["ferry.md"]
    docs = open_store(lib, embedder_id(embedder)).documents()
    assert [d["name"] for d in docs] == ["ferry.md"]
    assert docs[0]["ingested_at"] and docs[0]["embedder"] == embedder_id(embedder)
    assert any("412 passengers" in t for t in texts(lib, embedder))


def test_an_updated_version_replaces_the_old_text(lib: Settings, embedder) -> None:  # noqa: ANN001
    library.add("ferry.md", NOTE.encode(), lib, embedder)
    change = library.add("ferry.md", NOTE_V2.encode(), lib, embedder)
    assert change.report.added + change.report.updated > 0 and change.report.removed > 0
    stored = " ".join(texts(lib, embedder))
    assert "977 passengers" in stored and "412 passengers" not in stored


def test_an_upload_named_like_a_document_from_elsewhere_is_its_new_version(
        lib: Settings, embedder, tmp_path: Path) -> None:  # noqa: ANN001
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "ferry.md").write_text(NOTE, encoding="utf-8")
    ingest([elsewhere], lib, progress=False, embedder=embedder)
    library.add("ferry.md", NOTE_V2.encode(), lib, embedder)
    docs = open_store(lib, embedder_id(embedder)).documents()
    assert [d["name"] for d in docs] == ["ferry.md"]
    assert "412 passengers" not in " ".join(texts(lib, embedder))


@pytest.mark.parametrize(("name", "data", "words"), [
    ("broken.pdf", b"%PDF-1.7\n1 0 obj <<", "pdf"),
    ("noise.txt", bytes(range(256)) * 40, ""),
    ("empty.md", b"   \n\t\n", ""),
])
def test_a_file_that_cannot_be_read_is_refused_and_nothing_changes(
        lib: Settings, embedder, name: str, data: bytes, words: str) -> None:  # noqa: ANN001
    library.add("ferry.md", NOTE.encode(), lib, embedder)
    before = (texts(lib, embedder), folder(lib))
    with pytest.raises(LibraryError) as err:
        library.add(name, data, lib, embedder)
    assert err.value.status == 422 and str(err.value).startswith(name)
    assert words in str(err.value).lower()
    assert str(lib.ingest.docs_dir) not in str(err.value)  # no server folder in the message
    assert (texts(lib, embedder), folder(lib)) == before  # no temporary file left either


def test_a_file_over_the_size_limit_names_the_limit_and_the_setting(lib: Settings, embedder) -> None:  # noqa: ANN001
    small = lib.replace(max_file_mb=0.001)
    with pytest.raises(LibraryError, match=r"limit is 0.001 MB \(setting max_file_mb\)") as err:
        library.add("big.txt", b"x" * 5000, small, embedder)
    assert err.value.status == 413 and folder(lib) == []


def test_a_removed_document_is_gone_and_its_file_kept_aside(lib: Settings, embedder) -> None:  # noqa: ANN001
    library.add("ferry.md", NOTE.encode(), lib, embedder)
    change = library.remove("ferry.md", lib, embedder)
    assert change.report.removed > 0
    assert texts(lib, embedder) == []
    assert folder(lib) == [library.REMOVED]
    assert (lib.ingest.docs_dir / library.REMOVED / "ferry.md").read_text(encoding="utf-8") == NOTE
    assert library.reingest(lib, embedder).added == 0  # a re-ingest does not bring it back


def test_removing_an_unknown_document_is_a_404_naming_it(lib: Settings, embedder) -> None:  # noqa: ANN001
    with pytest.raises(LibraryError, match="no indexed document is named 'nope.txt'") as err:
        library.remove("nope.txt", lib, embedder)
    assert err.value.status == 404
