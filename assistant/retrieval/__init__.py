"""Question -> ranked passages: the hybrid ranker (``hybrid``), what the
corpus knows (``corpus``: statistics, learned names, outlines), the
glossary, section outlines and merged neighbours."""

from assistant.retrieval.corpus import Corpus, Knowledge, NoKnowledge
from assistant.retrieval.glossary import Glossary
from assistant.retrieval.hybrid import HybridRetriever

__all__ = ["Corpus", "Glossary", "HybridRetriever", "Knowledge", "NoKnowledge"]
