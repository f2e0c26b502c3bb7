"""/v1/documents: list, add or update (multipart), remove; the answers follow
the documents at once, a bad upload changes nothing, and no response names
a server path. On a real Chroma index with the extractive generator."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant import web
from assistant.build import build_assistant
from core.settings import ROOT, Settings
from ingest.pipeline import ingest

NOTE = ("# Rhine ferry note\n\nThe Rhine ferry between Bonn and Königswinter carried "
        "412 passengers on its first day in the spring of 2031.\n")
QUESTION = "How many passengers did the Rhine ferry between Bonn and Königswinter carry on its first day?"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, bundled: Path) -> Settings:
    tmp = tmp_path_factory.mktemp("docs-api")
    (tmp / "docs").mkdir()
    shutil.copy(bundled, tmp / "docs" / bundled.name)
    s = Settings.from_env(environ={}).replace(docs_dir=tmp / "docs", store_dir=tmp / "chroma",
                                              generator="extractive")
    assert not ingest(None, s, progress=False).errors
    return s


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(web.build_app(build_assistant(settings), settings)) as c:
        yield c


def ask(client: TestClient, question: str) -> dict:
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": question}]})
    assert r.status_code == 200, r.text
    return r.json()


def names(client: TestClient) -> list[str]:
    r = client.get("/v1/documents")
    assert r.status_code == 200
    return [d["id"] for d in r.json()["data"]]


def no_server_path(text: str, settings: Settings) -> None:
    assert str(ROOT) not in text and str(settings.ingest.docs_dir) not in text


def test_the_listing_names_each_document_with_what_a_user_wants_to_know(client, settings) -> None:  # noqa: ANN001
    r = client.get("/v1/documents")
    doc = r.json()["data"][0]
    assert doc["id"] == doc["name"] == "bonn-shanghai.txt"
    assert doc["language"] == "zh" and doc["chunks"] > 20 and doc["sections"] > 5
    assert doc["ingested_at"] and doc["embedder"]
    no_server_path(r.text, settings)


def test_an_uploaded_document_is_answered_from_at_once_and_then_removed(client, settings) -> None:  # noqa: ANN001
    r = client.post("/v1/documents", files={"file": ("ferry.md", NOTE.encode(), "text/markdown")})
    assert r.status_code == 200, r.text
    summary = r.json()
    assert summary["id"] == "ferry.md" and summary["added"] > 0
    assert {"documents", "chunks", "added", "updated", "unchanged", "removed", "embedded",
            "seconds"} <= summary.keys()
    no_server_path(r.text, settings)
    listed = {d["id"]: d for d in client.get("/v1/documents").json()["data"]}
    assert listed["ferry.md"]["ingested_at"] >= listed["bonn-shanghai.txt"]["ingested_at"]
    assert listed["ferry.md"]["language"] == "en"
    answer = ask(client, QUESTION)
    assert "412" in answer["choices"][0]["message"]["content"]
    assert any(c["doc"] == "ferry.md" for c in answer["citations"])
    no_server_path(json.dumps(answer, ensure_ascii=False), settings)

    r = client.delete("/v1/documents/ferry.md")
    assert r.status_code == 200 and r.json()["removed"] > 0
    assert names(client) == ["bonn-shanghai.txt"]
    after = ask(client, QUESTION)
    assert "412" not in after["choices"][0]["message"]["content"]
    assert all(c["doc"] != "ferry.md" for c in after["citations"])


def test_a_bad_upload_is_a_clear_error_and_the_index_stays_as_it_was(client, settings) -> None:  # noqa: ANN001
    before = client.get("/v1/documents").json()
    r = client.post("/v1/documents", files={"file": ("broken.pdf", b"%PDF-1.7 trunc", "application/pdf")})
    assert r.status_code == 422 and r.json()["error"]["message"].startswith("broken.pdf")
    no_server_path(r.text, settings)
    r = client.post("/v1/documents", files={"file": ("tool.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 415 and "unsupported file type" in r.json()["error"]["message"]
    assert client.get("/v1/documents").json() == before


@pytest.mark.parametrize(("kwargs", "status", "words"), [
    ({"json": {"file": "x"}}, 415, "multipart/form-data"),
    ({"files": {"other": ("a.txt", b"text")}}, 400, "'file'"),
])
def test_an_upload_without_a_file_says_what_is_missing(client, kwargs: dict, status: int, words: str) -> None:  # noqa: ANN001
    r = client.post("/v1/documents", **kwargs)
    assert r.status_code == status and words in r.json()["error"]["message"]


def test_removing_an_unknown_document_is_a_404(client) -> None:  # noqa: ANN001
    r = client.delete("/v1/documents/nope.txt")
    assert r.status_code == 404 and "nope.txt" in r.json()["error"]["message"]


def test_a_form_post_of_a_question_is_refused(client) -> None:  # noqa: ANN001
    body = json.dumps({"messages": [{"role": "user", "content": QUESTION}]})
    r = client.post("/v1/chat/completions", content=body, headers={"content-type": "text/plain"})
    assert r.status_code == 415 and "application/json" in r.json()["error"]["message"]


def test_an_upload_to_a_full_disk_is_a_507_and_nothing_changes(client, settings, monkeypatch) -> None:  # noqa: ANN001
    import os
    from types import SimpleNamespace

    before = client.get("/v1/documents").json()
    files = sorted(p.name for p in settings.ingest.docs_dir.iterdir())
    full = SimpleNamespace(f_flag=0, f_bavail=100, f_frsize=4096)  # 0.4 MB free
    monkeypatch.setattr(os, "statvfs", lambda _: full)
    upload = ("ferry.md", b"# Ferry\n\nThe ferry has 412 seats.", "text/markdown")
    r = client.post("/v1/documents", files={"file": upload})
    assert r.status_code == 507, r.text
    assert "MB free on the disk holding" in r.json()["error"]["message"]
    no_server_path(r.text, settings)
    monkeypatch.undo()
    assert client.get("/v1/documents").json() == before
    assert sorted(p.name for p in settings.ingest.docs_dir.iterdir()) == files
