"""Shared fixtures. Offline variables are set before anything heavy is imported."""

from __future__ import annotations

import assistant.offline  # noqa: F401  (first: sets HF_HUB_OFFLINE etc.)

import shutil
from pathlib import Path

import pytest

from assistant.config import ROOT, Settings

BUNDLED = ROOT / "data" / "docs" / "bonn-shanghai.txt"


@pytest.fixture(scope="session")
def bundled_text() -> str:
    return BUNDLED.read_text(encoding="utf-8")


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    """A private copy of the bundled document folder."""
    d = tmp_path / "docs"
    d.mkdir()
    shutil.copy(BUNDLED, d / BUNDLED.name)
    return d


@pytest.fixture
def settings(tmp_path: Path, docs_dir: Path) -> Settings:
    """Settings pointing at a fresh store and the private docs folder."""
    return Settings.from_env(environ={}).replace(
        docs_dir=docs_dir, store_dir=tmp_path / "chroma", generator="extractive"
    )


def free_port() -> int:
    """A free TCP port on loopback, for servers the tests start."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc) -> None:  # noqa: ANN001  (a subprocess.Popen)
    """Terminate a server process the tests started, killing it if it hangs."""
    import subprocess

    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def indexed_settings(tmp: Path, **overrides: object) -> Settings:
    """Settings over a private copy of the bundled document, already ingested."""
    from ingest.pipeline import ingest

    docs = tmp / "docs"
    docs.mkdir(exist_ok=True)
    shutil.copy(BUNDLED, docs / BUNDLED.name)
    s = Settings.from_env(environ={}).replace(
        docs_dir=docs, store_dir=tmp / "chroma", generator="extractive").replace(**overrides)
    report = ingest(None, s, progress=False)
    assert report.chunks > 0 and not report.errors
    return s
