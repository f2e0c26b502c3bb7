"""What the store says about its disk before and after a write fails: a
read-only file system or too little free space, named with the folder; a
Chroma server's disk is not ours to judge."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.settings import Settings
from index.store import StorageError, StoreError, check_writable, failed_write, storage_problem


def disk(monkeypatch: pytest.MonkeyPatch, free_mb: float, read_only: bool = False) -> None:
    stat = SimpleNamespace(f_flag=os.ST_RDONLY if read_only else 0, f_bavail=int(free_mb * 1e6 / 4096),
                           f_frsize=4096)
    monkeypatch.setattr(os, "statvfs", lambda _: stat)


def test_enough_space_is_no_problem(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    disk(monkeypatch, 500)
    settings = Settings.from_env(environ={}).replace(store_dir=tmp_path / "not" / "yet")
    assert storage_problem(settings) == ""
    check_writable(settings)


def test_too_little_space_is_refused_before_writing_with_the_way_out(monkeypatch, tmp_path: Path) -> None:
    disk(monkeypatch, 5)
    settings = Settings.from_env(environ={}).replace(store_dir=tmp_path)
    with pytest.raises(StorageError, match=r"not changed: only 5\.0 MB free .*needs 20 MB.*ASSISTANT_MIN_FREE_MB"):
        check_writable(settings)
    check_writable(settings.replace(min_free_mb=1))


def test_a_read_only_disk_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    disk(monkeypatch, 500, read_only=True)
    settings = Settings.from_env(environ={}).replace(store_dir=tmp_path)
    assert storage_problem(settings) == f"{tmp_path} is on a read-only file system"


def test_a_failed_write_blames_the_disk_only_when_the_disk_is_the_reason(monkeypatch, tmp_path: Path) -> None:
    settings = Settings.from_env(environ={}).replace(store_dir=tmp_path)
    disk(monkeypatch, 0.2)
    err = failed_write(settings, "writing", RuntimeError("Failed to apply logs"))
    assert isinstance(err, StorageError) and "0.2 MB free" in str(err) and "Nothing already indexed" in str(err)
    disk(monkeypatch, 500)
    err = failed_write(settings, "writing", RuntimeError("Failed to apply logs"))
    assert type(err) is StoreError and "Failed to apply logs" in str(err)


def test_a_chroma_server_disk_is_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    disk(monkeypatch, 0, read_only=True)
    settings = Settings.from_env(environ={}).replace(chroma_host="127.0.0.1", chroma_port=8001)
    assert storage_problem(settings) == ""
