"""What a client reads names files, never the server's folders."""

import pytest

from core.paths import public


@pytest.mark.parametrize(("given", "shown"), [
    ("/srv/app/data/docs/report.pdf: not a PDF", "report.pdf: not a PDF"),
    ("no index at /work/main/data/chroma: run ingest", "no index at chroma: run ingest"),
    ("C:/Users/ana/docs/波恩.docx is empty", "波恩.docx is empty"),
])
def test_absolute_paths_become_their_last_name(given: str, shown: str) -> None:
    assert public(given) == shown


@pytest.mark.parametrize("kept", ["http://127.0.0.1:8000/v1 refused", "a/b/c relative",
                                  "ratio 1/2", "chroma server 127.0.0.1:8000"])
def test_urls_relative_paths_and_fractions_stay(kept: str) -> None:
    assert public(kept) == kept
