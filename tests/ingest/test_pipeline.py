"""Documents -> Chroma, incrementally, with the real e5 embedder and a real
PersistentClient.

The bundled document is embedded once per module; each test gets the docs
folder reset to the bundled document alone and a private copy of that index,
so only the chunks a test changes are embedded again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.settings import ROOT, Settings
from index import store as store_mod
from index.store import EMBEDDER_KEY, REVISION_KEY, EmbedderMismatch
from ingest.documents import process
from ingest.pipeline import Report, ingest

BUNDLED = ROOT / "data" / "docs" / "bonn-shanghai.txt"
SMALL_DOC = (
    "一、简介\n\n"
    "本说明介绍波恩与上海两座城市的合作项目。双方在气候适应和城市规划方面交换经验。\n\n"
    "二、下一步\n\n"
    "双方计划在2025年举办联合研讨会，邀请国际组织代表参加。\n"
)
REPORT_KEYS = {
    "documents", "chunks", "added", "updated", "unchanged", "removed", "embedded", "seconds"
}


@dataclass
class Corpus:
    docs: Path
    settings: Settings
    first: Report


@dataclass
class Stored:
    ids: list[str]
    texts: dict[str, str]
    metadatas: dict[str, dict]


def ids_of(*paths: Path, settings: Settings) -> set[str]:
    return {c.id for p in paths for c in process(p, settings).chunks}


def collection(settings: Settings):
    """The collection itself, read without the embedder check."""
    return store_mod.client(settings).get_collection(settings.index.collection, embedding_function=None)


def revision(settings: Settings) -> str:
    return collection(settings).metadata[REVISION_KEY]


def stored(settings: Settings) -> Stored:
    """The stored passages. Every read also checks that the sentence records
    are in step with them: each passage has its sentences, and no sentence
    outlives its passage."""
    got = collection(settings).get(include=["documents", "metadatas"], where={"kind": "passage"})
    sents = collection(settings).get(include=["metadatas"], where={"kind": "sentence"})
    owners = [m["chunk_id"] for m in sents["metadatas"]]
    assert set(owners) == set(got["ids"])
    assert all(sid.startswith(f"{owner}:s") for sid, owner in zip(sents["ids"], owners, strict=True))
    return Stored(
        ids=list(got["ids"]),
        texts=dict(zip(got["ids"], got["documents"], strict=True)),
        metadatas=dict(zip(got["ids"], got["metadatas"], strict=True)),
    )


def run(settings: Settings, paths: list[Path] | None = None, **kwargs) -> Report:
    return ingest(paths or [settings.ingest.docs_dir], settings, progress=False, **kwargs)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    root = tmp_path_factory.mktemp("corpus")
    docs = root / "docs"
    docs.mkdir()
    shutil.copy(BUNDLED, docs / BUNDLED.name)
    settings = Settings.from_env(environ={}).replace(
        docs_dir=docs, store_dir=root / "index", generator="extractive"
    )
    return Corpus(docs, settings, run(settings))


@pytest.fixture
def indexed(corpus: Corpus, tmp_path: Path) -> Settings:
    """Settings for the corpus folder (reset to the bundled document alone) and a
    private copy of its index."""
    for path in corpus.docs.iterdir():
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    shutil.copy(BUNDLED, corpus.docs / BUNDLED.name)
    shutil.copytree(corpus.settings.index.store_dir, tmp_path / "chroma")
    return corpus.settings.replace(store_dir=tmp_path / "chroma")


@pytest.fixture
def bundled_ids(corpus: Corpus) -> set[str]:
    return ids_of(corpus.docs / BUNDLED.name, settings=corpus.settings)


# --- first and second run -------------------------------------------------------


def test_first_run_embeds_every_chunk(corpus, bundled_ids):
    report = corpus.first
    assert report.errors == []
    assert report.documents == 1
    assert report.chunks == len(bundled_ids) > 30
    assert report.added == report.embedded == report.chunks
    assert (report.updated, report.unchanged, report.removed) == (0, 0, 0)
    assert report.embedder.startswith("e5:")
    assert report.store == str(corpus.settings.index.store_dir)


def test_first_run_stores_each_chunk_with_its_text_and_metadata(corpus, bundled_ids):
    doc = process(corpus.docs / BUNDLED.name, corpus.settings)
    got = stored(corpus.settings)
    assert sorted(got.ids) == sorted(bundled_ids)
    for chunk in doc.chunks:
        assert got.texts[chunk.id] == chunk.text
        assert got.metadatas[chunk.id] == chunk.to_metadata()


def test_second_run_embeds_nothing(indexed, bundled_ids):
    report = run(indexed)
    assert report.embedded == 0
    assert report.unchanged == report.chunks == len(bundled_ids)
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert report.errors == []


def test_second_run_leaves_the_index_revision_alone(indexed):
    before = revision(indexed)
    run(indexed)
    assert revision(indexed) == before


def test_a_change_bumps_the_index_revision(indexed):
    before = revision(indexed)
    (indexed.ingest.docs_dir / "notes.txt").write_text(SMALL_DOC, encoding="utf-8")
    run(indexed)
    assert revision(indexed) != before


# --- edits, additions, deletions -------------------------------------------------


def test_editing_one_sentence_re_embeds_only_its_chunks_and_drops_the_old_ones(indexed):
    doc = indexed.ingest.docs_dir / BUNDLED.name
    text = doc.read_text(encoding="utf-8")
    assert text.count("波恩在2002年3月") == 1
    doc.write_text(text.replace("波恩在2002年3月", "波恩在2003年3月"), encoding="utf-8")

    report = run(indexed)

    assert 1 <= report.embedded <= 3
    assert report.added == report.embedded
    assert report.removed == report.embedded  # the old versions of the same chunks
    got = stored(indexed)
    assert not any("2002年3月" in t for t in got.texts.values())
    assert any("波恩在2003年3月正式把前议会区域" in t for t in got.texts.values())
    assert set(got.ids) == ids_of(doc, settings=indexed)


def test_inserting_text_updates_later_offsets_without_re_embedding(indexed):
    doc = indexed.ingest.docs_dir / BUNDLED.name
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text.replace("员约5万人", "员约5.5万人"), encoding="utf-8")
    new = process(doc, indexed)
    edited = [c for c in new.chunks if "5.5万人" in c.text]
    later = [c for c in new.chunks if c.start > edited[-1].start]

    report = run(indexed)

    assert report.embedded == len(edited) == 1
    assert report.updated == len(later) > 10
    got = stored(indexed)
    assert got.metadatas == {c.id: c.to_metadata() for c in new.chunks}


def test_adding_a_second_document_embeds_only_its_chunks(indexed, bundled_ids):
    notes = indexed.ingest.docs_dir / "notes.txt"
    notes.write_text(SMALL_DOC, encoding="utf-8")
    notes_ids = ids_of(notes, settings=indexed)

    report = run(indexed)

    assert report.documents == 2
    assert report.added == report.embedded == len(notes_ids) == 2
    assert report.unchanged == len(bundled_ids)
    assert report.removed == 0
    assert set(stored(indexed).ids) == bundled_ids | notes_ids


def test_deleting_a_document_removes_all_its_chunks(indexed, bundled_ids):
    notes = indexed.ingest.docs_dir / "notes.txt"
    notes.write_text(SMALL_DOC, encoding="utf-8")
    run(indexed)

    (indexed.ingest.docs_dir / BUNDLED.name).unlink()
    report = run(indexed)

    assert report.removed == len(bundled_ids)
    assert report.embedded == 0
    assert set(stored(indexed).ids) == ids_of(notes, settings=indexed)


def test_ingesting_one_file_leaves_other_documents_alone(indexed, bundled_ids):
    notes = indexed.ingest.docs_dir / "notes.txt"
    notes.write_text(SMALL_DOC, encoding="utf-8")

    report = run(indexed, [notes])

    assert report.documents == 1
    assert report.removed == 0
    assert set(stored(indexed).ids) == bundled_ids | ids_of(notes, settings=indexed)


# --- bad files -------------------------------------------------------------------


def test_bad_files_are_reported_by_name_while_the_others_are_ingested(settings, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = folder / "notes.txt"
    good.write_text(SMALL_DOC, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 64)

    report = run(settings.replace(docs_dir=folder))

    assert sorted(report.errors) == [
        f"{folder / 'binary.txt'}: looks like a binary file (contains NUL bytes), not text",
        f"{folder / 'empty.txt'}: file is empty",
    ]
    assert report.documents == 1
    assert set(stored(settings).ids) == ids_of(good, settings=settings)


def test_a_corrupt_docx_is_reported_while_the_others_are_ingested(settings, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "notes.txt").write_text(SMALL_DOC, encoding="utf-8")
    (folder / "broken.docx").write_bytes(b"not a word file")

    report = run(settings.replace(docs_dir=folder))

    assert [e.split(": ")[0] for e in report.errors] == [str(folder / "broken.docx")]
    assert report.documents == 1


def test_previously_ingested_file_that_becomes_unreadable_keeps_its_chunks(indexed, bundled_ids):
    doc = indexed.ingest.docs_dir / BUNDLED.name
    doc.write_bytes(b"\x00" * 128)

    report = run(indexed)

    assert len(report.errors) == 1
    assert str(doc) in report.errors[0] and "binary" in report.errors[0]
    assert report.removed == 0
    assert set(stored(indexed).ids) == bundled_ids


def test_missing_folder_is_reported(indexed, tmp_path):
    report = run(indexed, [tmp_path / "no-such-folder"])
    assert report.errors == [f"{tmp_path / 'no-such-folder'}: file or folder not found"]
    assert report.documents == 0


# --- rebuild and embedder changes ------------------------------------------------


def test_rebuild_re_embeds_everything(indexed, bundled_ids):
    report = run(indexed, rebuild=True)
    assert report.embedded == report.added == len(bundled_ids)
    assert report.unchanged == 0
    got = stored(indexed)
    assert len(got.ids) == len(set(got.ids)) == len(bundled_ids)


def test_rebuild_forgets_documents_that_are_gone(indexed):
    (indexed.ingest.docs_dir / BUNDLED.name).unlink()
    notes = indexed.ingest.docs_dir / "notes.txt"
    notes.write_text(SMALL_DOC, encoding="utf-8")
    run(indexed, rebuild=True)
    assert set(stored(indexed).ids) == ids_of(notes, settings=indexed)


def test_index_records_the_embedder_that_built_it(indexed, corpus):
    store = store_mod.open_store(indexed, corpus.first.embedder)
    assert store.collection.metadata[EMBEDDER_KEY] == corpus.first.embedder


def test_opening_the_index_with_another_embedder_is_refused(indexed, corpus):
    with pytest.raises(EmbedderMismatch) as err:
        store_mod.open_store(indexed, "st:all-MiniLM-L6-v2:384")
    message = str(err.value)
    assert "--rebuild" in message
    assert corpus.first.embedder in message and "st:all-MiniLM-L6-v2:384" in message
    assert len(stored(indexed).ids) == corpus.first.chunks  # nothing was touched


@pytest.mark.slow
def test_ingesting_into_an_e5_index_with_the_st_embedder_raises_embedder_mismatch(indexed):
    with pytest.raises(EmbedderMismatch, match="--rebuild"):
        run(indexed.replace(embedder="st"))


# --- command line -------------------------------------------------------------------


def cli_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}


def cli(*args: object) -> list[str]:
    return [sys.executable, "-m", "ingest", *map(str, args)]


def run_cli(docs: Path, store: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli(docs, "--store", store, "--json", *extra),
        capture_output=True, text=True, env=cli_env(), timeout=600,
    )


def test_cli_prints_a_json_summary_as_the_last_stdout_line(indexed, bundled_ids):
    done = run_cli(indexed.ingest.docs_dir, indexed.index.store_dir)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert REPORT_KEYS <= set(summary)
    assert summary["documents"] == 1
    assert summary["chunks"] == summary["unchanged"] == len(bundled_ids)
    assert summary["embedded"] == summary["added"] == summary["removed"] == 0
    assert isinstance(summary["seconds"], float)
    assert "1 documents" in done.stderr  # the human summary moves to stderr


def test_cli_exits_1_and_names_the_file_that_failed(indexed):
    empty = indexed.ingest.docs_dir / "empty.txt"
    empty.write_bytes(b"")
    done = run_cli(indexed.ingest.docs_dir, indexed.index.store_dir)
    assert done.returncode == 1
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["errors"] == [f"{empty}: file is empty"]
    assert summary["documents"] == 1
    assert f"error: {empty}: file is empty" in done.stderr


# --- a run killed half-way --------------------------------------------------------


def stored_rows(db: Path) -> int | None:
    """Chunks (passage records, not their sentences) in a Chroma store, read
    straight from its SQLite file (the ingest process may be writing; None when
    the file is missing or busy)."""
    if not db.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
        try:
            return con.execute("SELECT count(*) FROM embedding_metadata "
                               "WHERE key = 'kind' AND string_value = 'passage'").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:
        return None


@pytest.mark.slow
def test_a_run_killed_half_way_is_completed_by_the_next_run(tmp_path, bundled_text):
    docs, store = tmp_path / "docs", tmp_path / "chroma"
    docs.mkdir()
    db = store / "chroma.sqlite3"
    settings = Settings.from_env(environ={}).replace(store_dir=store)

    # An earlier index whose only document is then deleted: its chunks are stale.
    retired = docs / "retired.txt"
    retired.write_text(SMALL_DOC, encoding="utf-8")
    assert run_cli(docs, store).returncode == 0
    retired_rows = stored_rows(db)
    assert retired_rows == 2
    retired.unlink()
    for i in range(3):
        edited = bundled_text.replace("员约5万人", f"员约{5 + i}万人")
        (docs / f"copy-{i}.txt").write_text(edited, encoding="utf-8")
    expected = ids_of(*sorted(docs.iterdir()), settings=settings)
    assert len(expected) > 100

    proc = subprocess.Popen(
        cli(docs, "--store", store, "--json"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env(),
    )
    try:
        deadline = time.monotonic() + 300
        while (stored_rows(db) or 0) <= retired_rows:
            assert proc.poll() is None, "ingest ended before any new chunk was stored"
            assert time.monotonic() < deadline, "no chunk stored in time"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    after_kill = stored_rows(db)
    landed = after_kill - retired_rows
    assert 0 < landed < len(expected), "the kill must land half-way through embedding"

    done = run_cli(docs, store)

    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    # Chunks stored before the kill are kept (Chroma may also replay a batch it had
    # logged but not yet applied, hence >=); only the rest is embedded.
    assert landed <= summary["unchanged"] < len(expected)
    assert summary["embedded"] == summary["added"] == len(expected) - summary["unchanged"]
    assert summary["removed"] == retired_rows
    got = stored(settings)
    assert len(got.ids) == len(set(got.ids)) == len(expected)  # no duplicates
    assert set(got.ids) == expected  # nothing missing, nothing stale


def test_an_index_kept_inside_the_documents_folder_is_not_ingested(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / BUNDLED.name).write_bytes(BUNDLED.read_bytes())
    inside = Settings.from_env(environ={}).replace(docs_dir=docs, store_dir=docs / "index")
    ingest(None, inside, progress=False)
    again = ingest(None, inside, progress=False)
    assert again.errors == [] and again.documents == 1 and again.embedded == 0
