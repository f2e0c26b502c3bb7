"""Files -> raw text. One loader per format; every failure is a LoadError
naming the file and the reason, so the caller can skip it and go on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SUPPORTED = (".txt", ".md", ".pdf", ".docx")
# Page breaks inside loaded text; the cleaner turns them into page numbers.
PAGE_BREAK = "\f"
MB = 1_000_000  # as the setting max_file_mb counts


class LoadError(Exception):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class RawDocument:
    path: Path
    text: str
    has_pages: bool  # True when PAGE_BREAK separates real pages (PDF)


def discover(paths: list[Path]) -> list[Path]:
    """Expand folders into the files they hold (recursively), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.append(path)
    return found


def load(path: Path, max_bytes: int | None = None) -> RawDocument:
    """The text of ``path``; a file over ``max_bytes`` is refused before it is read."""
    if not path.exists():
        raise LoadError(path, "file not found")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(path, f"unsupported file type {suffix or '(none)'!r}; "
                              f"supported: {', '.join(SUPPORTED)}")
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise LoadError(path, f"file is {_mb(size)} MB ({size:,} bytes), over the limit of "
                              f"{max_bytes / MB:g} MB; to ingest it, raise the setting max_file_mb "
                              "(environment variable ASSISTANT_MAX_FILE_MB)")
    data = path.read_bytes()
    if not data.strip():
        raise LoadError(path, "file is empty")
    if suffix == ".pdf":
        text, has_pages = _pdf_text(path), True
    elif suffix == ".docx":
        text, has_pages = _docx_text(path), False
    else:
        text, has_pages = decode_text(path, data), False
    if not text.replace(PAGE_BREAK, "").strip():
        raise LoadError(path, "no text could be extracted (scanned or empty document?)")
    return RawDocument(path=path, text=text, has_pages=has_pages)


def _mb(n: int) -> str:
    return f"{n / MB:.1f}" if n >= MB else f"{n / MB:.2g}"


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312)."""
    if b"\x00" in data[:8192]:
        raise LoadError(path, "looks like a binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")  # strict UTF-8 is never a false positive
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _looks_like_text(text):
            return text
    except UnicodeDecodeError:
        pass
    raise LoadError(path, "cannot decode: neither UTF-8 nor GB18030/GBK text")


def _looks_like_text(text: str) -> bool:
    # GB18030 decodes many random byte strings; reject results full of
    # control characters or private-use code points.
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad <= max(2, len(text) // 200)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, OSError) as exc:
        raise LoadError(path, f"not a readable PDF ({exc})") from exc
    return PAGE_BREAK.join(pages)


def _docx_text(path: Path) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise LoadError(path, f"not a readable .docx file ({exc})") from exc
    return "\n".join(p.text for p in document.paragraphs)
