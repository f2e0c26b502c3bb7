"""Vectors for citing by meaning: the stored vectors of the passages an
answer was drafted from, and a cosine similarity through the embedder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from core.schema import Passage


def passage_vectors(retriever: Any, passages: list[Passage]) -> list[list[float]] | None:
    """One vector per passage: stored ones from the index; an unstored
    passage (a section outline) is embedded here; a merged passage is the
    mean of its parts. None without a store (the plain baseline)."""
    store = getattr(retriever, "store", None)
    if store is None:
        return None
    by_id = store.vectors([pid for p in passages for pid in p.part_ids])
    unstored = [p for p in passages if any(pid not in by_id for pid in p.part_ids)]
    if unstored:
        fresh = retriever.embedder.embed_documents([p.text for p in unstored])
        by_id.update({p.id: v for p, v in zip(unstored, fresh, strict=True)})
    return [list(np.mean([by_id[pid] for pid in p.part_ids], axis=0)) if p.parts
            else list(by_id[p.id]) for p in passages]


def similarity(embedder: Any) -> Callable[[str, str], float]:
    """Cosine similarity of two texts' query vectors."""
    def cos(a: str, b: str) -> float:
        va, vb = np.asarray(embedder.embed_query(a)), np.asarray(embedder.embed_query(b))
        return float(va @ vb / ((np.linalg.norm(va) * np.linalg.norm(vb)) or 1.0))
    return cos
