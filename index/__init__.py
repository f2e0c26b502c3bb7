"""The index both sides share: the embedders and the Chroma store."""
