"""Fault: the disk under the store fills up, or turns read-only, during an
ingest. Each is a clear error naming the disk, never a stack trace; nothing
already indexed is lost; once the disk can take it, the same command
completes the ingest and the store ends equal to a clean one (its own counts).

A real store on a real tmpfs of 2 MB, mounted in a private mount namespace
(`unshare -rm`: no root on the host needed), the real CLI and embedder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from core.settings import ROOT

pytestmark = pytest.mark.slow

SCRIPT = """set -u
M=$1; OUT=$2; EXTRA=$3; PY=$4
step() { name=$1; shift; "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.rc"; }
mount -t tmpfs -o size=2m tmpfs "$M" || exit 90
step first env ASSISTANT_MIN_FREE_MB=0 "$PY" -m ingest data/docs --store "$M/store" --json
step refused "$PY" -m ingest "$EXTRA" --store "$M/store" --json
step full env ASSISTANT_MIN_FREE_MB=0 "$PY" -m ingest "$EXTRA" --store "$M/store" --json
step list_full "$PY" -m ingest --list --store "$M/store" --json
mount -o remount,size=64m "$M" || exit 91
step list_after "$PY" -m ingest --list --store "$M/store" --json
step rerun "$PY" -m ingest data/docs "$EXTRA" --store "$M/store" --json
step clean "$PY" -m ingest data/docs "$EXTRA" --store "$M/clean" --json
step list_rerun "$PY" -m ingest --list --store "$M/store" --json
step list_clean "$PY" -m ingest --list --store "$M/clean" --json
mount -o remount,ro "$M" || exit 92
step readonly "$PY" -m ingest data/docs --store "$M/store" --rebuild --json
mount -o remount,rw "$M" || exit 93
step list_rw "$PY" -m ingest --list --store "$M/store" --json
"""


def namespaces_work() -> bool:
    unshare = shutil.which("unshare")
    return bool(unshare) and subprocess.run([unshare, "-rm", "true"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str]]:
    if not namespaces_work():
        pytest.fail("`unshare -rm` is refused here: the disk faults need a private mount namespace")
    tmp = tmp_path_factory.mktemp("disk")
    mount, out = tmp / "mnt", tmp / "out"
    mount.mkdir()
    out.mkdir()
    (tmp / "faults.sh").write_text(SCRIPT)
    # A second document as large as the paper: more than the 2 MB disk holds beside it.
    extra = tmp / "revised-paper.txt"
    extra.write_text((ROOT / "data" / "docs" / "bonn-shanghai.txt").read_text(encoding="utf-8"), encoding="utf-8")
    run = subprocess.run(["unshare", "-rm", "sh", str(tmp / "faults.sh"), str(mount), str(out), str(extra),
                          sys.executable], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    return {p.stem: (int(p.read_text()), (out / f"{p.stem}.out").read_text(), (out / f"{p.stem}.err").read_text())
            for p in out.glob("*.rc")}


def listed(step: tuple[int, str, str]) -> list[tuple[str, int, int]]:
    rc, out, _ = step
    assert rc == 0
    docs = json.loads(out.strip().splitlines()[-1])["documents"]
    return sorted((d["name"], d["chunks"], d["sections"]) for d in docs)


def clear_error(step: tuple[int, str, str], *says: str) -> str:
    rc, out, err = step
    assert rc == 2 and "Traceback" not in err + out
    assert json.loads(out.strip().splitlines()[-1])["error"]
    for s in says:
        assert s in err, err
    return err


def test_too_little_free_space_refuses_before_writing(steps) -> None:
    clear_error(steps["refused"], "the index was not changed", "MB free on the disk holding",
                "ASSISTANT_MIN_FREE_MB")


def test_a_disk_that_fills_mid_ingest_is_named_and_loses_nothing(steps) -> None:
    first = json.loads(steps["first"][1].strip().splitlines()[-1])
    assert steps["first"][0] == 0 and first["chunks"] > 0
    clear_error(steps["full"], "writing the index", "MB free on the disk holding", "Nothing already indexed is lost")
    # While the disk is full even a listing fails (Chroma writes as it reads): said as plainly.
    clear_error(steps["list_full"], "reading the index", "MB free")
    # Space back: the paper is all there, and the same command completes the ingest.
    assert ("bonn-shanghai.txt", first["chunks"]) in [(n, c) for n, c, _ in listed(steps["list_after"])]
    assert steps["rerun"][0] == 0
    assert listed(steps["list_rerun"]) == listed(steps["list_clean"])
    assert len(listed(steps["list_clean"])) == 2


def test_a_read_only_disk_is_named_and_the_index_stays(steps) -> None:
    err = clear_error(steps["readonly"], "read-only file system", "the index was not changed")
    assert "free some space" not in err
    assert listed(steps["list_rw"]) == listed(steps["list_rerun"])
