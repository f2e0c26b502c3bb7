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
