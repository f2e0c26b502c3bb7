"""The index behind a real `chroma run` server, and the sentence-transformers
("st") embedder building its own index. End-to-end, hence slow."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.settings import Settings
from index import store as store_mod
from index.store import EmbedderMismatch, StoreError
from ingest.documents import process
from ingest.pipeline import Report, ingest

CHROMA = Path(sys.executable).parent / "chroma"  # the venv's `chroma` CLI


def heartbeat(port: int) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    try:
        with opener.open(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1) as response:
            return response.status == 200 and b"heartbeat" in response.read()
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory, free_port, stop_process):
    """A `chroma run` server on a free local port; stopped after the module."""
    root = tmp_path_factory.mktemp("chroma-server")
    port = free_port()  # the fixture
    log_path = root / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(root / "db"), "--host", "127.0.0.1",
             "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while not heartbeat(port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma run did not start:\n{log_path.read_text(errors='replace')}")
                time.sleep(0.2)
            yield port
        finally:
            stop_process(proc)


@dataclass
class ServerIndex:
    settings: Settings
    first: Report
    chunk_ids: set[str]


@pytest.fixture(scope="module")
def server_index(chroma_server, tmp_path_factory) -> ServerIndex:
    """The bundled document ingested once into the server."""
    root = tmp_path_factory.mktemp("server-client")
    docs = root / "docs"
    docs.mkdir()
    bundled = Settings().ingest.docs_dir / "bonn-shanghai.txt"
    (docs / bundled.name).write_bytes(bundled.read_bytes())
    settings = Settings.from_env(environ={}).replace(
        docs_dir=docs, store_dir=root / "must-stay-unused",
        chroma_host="127.0.0.1", chroma_port=chroma_server,
    )
    first = ingest([docs], settings, progress=False)
    ids = {c.id for c in process(docs / bundled.name, settings).chunks}
    return ServerIndex(settings, first, ids)


@pytest.mark.slow
def test_chroma_server_answers_its_heartbeat(chroma_server):
    assert heartbeat(chroma_server)


@pytest.mark.slow
def test_first_ingest_into_the_server_embeds_every_chunk(server_index):
    report = server_index.first
    assert report.errors == []
    assert report.embedded == report.added == report.chunks == len(server_index.chunk_ids)
    assert report.store == f"chroma server 127.0.0.1:{server_index.settings.index.chroma_port}"


@pytest.mark.slow
def test_server_holds_the_chunks_and_nothing_is_written_locally(server_index):
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=server_index.settings.index.chroma_port)
    collection = client.get_collection(server_index.settings.index.collection)
    assert set(collection.get(where={"kind": "passage"})["ids"]) == server_index.chunk_ids
    sentences = collection.get(where={"kind": "sentence"}, include=["metadatas"])["metadatas"]
    assert {m["chunk_id"] for m in sentences} == server_index.chunk_ids
    assert not server_index.settings.index.store_dir.exists()


@pytest.mark.slow
def test_second_ingest_into_the_server_embeds_nothing(server_index):
    report = ingest([server_index.settings.ingest.docs_dir], server_index.settings, progress=False)
    assert report.embedded == 0
    assert report.unchanged == report.chunks == len(server_index.chunk_ids)
    assert (report.added, report.updated, report.removed) == (0, 0, 0)


@pytest.mark.slow
def test_server_index_refuses_another_embedder(server_index):
    with pytest.raises(EmbedderMismatch, match="--rebuild"):
        store_mod.open_store(server_index.settings, "st:all-MiniLM-L6-v2:384")


def test_unreachable_server_is_a_store_error_saying_how_to_start_one(free_port):
    settings = Settings.from_env(environ={}).replace(chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(StoreError) as err:
        store_mod.open_store(settings, "e5:x:384")
    assert "cannot reach the Chroma server" in str(err.value)
    assert f"chroma run --path DIR --port {settings.index.chroma_port}" in str(err.value)


# --- the sentence-transformers embedder ---------------------------------------------


ST_BUG = (
    "BUG ingest/embed.py _st: `model.name = ...` on langchain_huggingface's "
    "HuggingFaceEmbeddings (a pydantic model with extra='forbid') raises ValueError "
    "'\"HuggingFaceEmbeddings\" object has no field \"name\"': the st embedder "
    "(packaged all-MiniLM-L6-v2) can never be built"
)


@pytest.mark.slow
def test_st_embedder_builds_an_index_in_its_own_store(settings, tmp_path):
    st = settings.replace(embedder="st", store_dir=tmp_path / "st-index")
    expected = {c.id for c in process(settings.ingest.docs_dir / "bonn-shanghai.txt", st).chunks}

    first = ingest([st.ingest.docs_dir], st, progress=False)
    second = ingest([st.ingest.docs_dir], st, progress=False)

    assert first.embedder.startswith("st:") and first.embedder.endswith(":384")
    assert first.embedded == len(expected)
    assert second.embedded == 0
    got = store_mod.open_store(st, first.embedder, create=False).all(include_documents=False)
    assert set(got["ids"]) == expected


@pytest.mark.slow
def test_st_embedder_vectors_are_normalised_384_floats(settings):
    from index.embedders import make_embedder

    embedder = make_embedder(settings.replace(embedder="st"))
    [vector] = embedder.embed_documents(["Bonn hosts the UN climate secretariat."])
    assert len(vector) == 384
    assert abs(sum(v * v for v in vector) - 1.0) < 1e-3
