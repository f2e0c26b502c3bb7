"""The review of a model answer: the model is not trusted, so its answer is
checked against the question and the passages before anyone sees it."""
