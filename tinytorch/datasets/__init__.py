"""Small deterministic data sets for the examples: nothing is downloaded.

Every generator takes a ``seed`` and draws from its own ``np.random.default_rng(seed)``, so the same
seed always gives the same data and the global generator is never touched. Features are float32;
class labels and tokens are int64.

- :mod:`~tinytorch.datasets.points`: ``logic_gate``, ``spirals``, ``moons`` (2-D points).
- :mod:`~tinytorch.datasets.images`: ``shapes`` (small images of bars, crosses, squares, rings).
- :mod:`~tinytorch.datasets.sequences`: ``reverse_sequences``, ``copy_sequences`` (token tasks
  for attention), ``repeated_sequences`` (the induction-head task) and ``toy_grammar_corpus``
  with its ``WORD_CLASSES`` / ``WORD_ROLE`` (and, for its number agreement option,
  ``AGREEMENT_CLASSES`` / ``AGREEMENT_ROLE``).
"""
from .images import SHAPE_CLASSES, ImageData, shapes
from .points import logic_gate, moons, spirals
from .sequences import (AGREEMENT_CLASSES, AGREEMENT_ROLE, WORD_CLASSES, WORD_ROLE, copy_sequences,
                        repeated_sequences, reverse_sequences, toy_grammar_corpus)

__all__ = ["logic_gate", "spirals", "moons", "ImageData", "shapes", "SHAPE_CLASSES",
           "reverse_sequences", "copy_sequences", "repeated_sequences",
           "WORD_CLASSES", "WORD_ROLE", "AGREEMENT_CLASSES", "AGREEMENT_ROLE", "toy_grammar_corpus"]
