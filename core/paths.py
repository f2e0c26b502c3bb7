"""Text for clients: server file paths reduced to their last name.

Responses name documents by their file name; an error message from a
loader or a store (which names folders) passes through :func:`public` first.

>>> public("/srv/app/data/docs/report.pdf: not a PDF; no index at /srv/app/data/chroma")
'report.pdf: not a PDF; no index at chroma'
"""

from __future__ import annotations

import re

_PATH = re.compile(r"(?<![\w:/.])(?:[A-Za-z]:)?(?:/[^\s/:'\"<>|]+)+/([^\s/:'\"<>|]+)")


def public(text: str) -> str:
    """``text`` with every absolute path replaced by its last component."""
    return _PATH.sub(r"\1", text)
