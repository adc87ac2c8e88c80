"""Scores that say what an attention head does, read from its attention weights.

Two patterns matter for in-context copying (Elhage et al., 2021, "A Mathematical Framework for
Transformer Circuits"; Olsson et al., 2022, "In-context Learning and Induction Heads"):

- a **previous-token head** puts its weight on the position just before the query, so each
  position can carry the identity of the token before it;
- an **induction head**, at a token A that occurred earlier, looks back to the token that
  *followed* that earlier A (the pattern ``[A][B] ... [A] -> [B]``), so it can copy B.

:func:`previous_token_score` and :func:`induction_score` measure them as mean attention weights,
as Olsson et al. measure heads on repeated random tokens (their "prefix matching" score). Both
take the weights of a whole batch at once, with any number of head (or layer, or model) axes
between the batch axis and the two position axes, and return one score per head.
"""
from __future__ import annotations

import numpy as np

from .core.tensor import Tensor

__all__ = ["previous_token_score", "induction_score"]


def _weights(weights, op: str) -> np.ndarray:
    weights = np.asarray(weights.data if isinstance(weights, Tensor) else weights)
    if weights.ndim < 3 or weights.shape[-1] != weights.shape[-2]:
        raise ValueError(f"{op}: weights must be (N, ..., T, T) self-attention weights, got shape "
                         f"{weights.shape}")
    return weights


def previous_token_score(weights) -> np.ndarray:
    """Mean attention from each position to the one just before it.

    :math:`\\frac{1}{N (T-1)} \\sum_{b} \\sum_{i=1}^{T-1} A_{b, i, i-1}`, the weight a
    previous-token head puts on position i - 1 (1 for a perfect one; 1 / (i + 1) at query i for a
    head that spreads its weight evenly over a causal prefix).

    Parameters
    ----------
    weights : array_like or Tensor
        Attention weights, rows are queries and columns keys, for example
        ``MultiHeadAttention.attention_weights``.

    Returns
    -------
    numpy.ndarray
        One score per head: the shape of ``weights`` without its first and last two axes (a
        0-d array for weights of shape (N, T, T)).

    Shape
    -----
    weights (N, ..., T, T): N sequences, any head axes ``...``, T queries and T keys.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.interpret import previous_token_score
    >>> shift = np.eye(4, k=-1)          # every query attends to the position before it
    >>> shift[0, 0] = 1                  # the first query has only itself
    >>> uniform = np.tri(4) / np.arange(1, 5)[:, None]
    >>> previous_token_score(np.stack([shift, uniform])[None]).round(3)   # (N=1, H=2, 4, 4)
    array([1.   , 0.361])
    """
    weights = _weights(weights, "previous_token_score")
    length = weights.shape[-1]
    if length < 2:
        raise ValueError(f"previous_token_score: need at least 2 positions, got T={length}")
    below = weights[..., np.arange(1, length), np.arange(length - 1)]   # (N, ..., T-1)
    return below.mean(axis=(0, -1))


def induction_score(weights, tokens) -> np.ndarray:
    """Mean attention from a repeated token to the positions right after its earlier occurrences.

    For a query at position i whose token occurred before, at positions j < i, the pattern
    ``[A][B] ... [A]`` says to look at j + 1, where B is. The score of a query is the weight on
    all such positions j + 1; the score of a head is the mean over all queries (in every
    sequence) whose token occurred before. Queries whose token is new are left out.

    Parameters
    ----------
    weights : array_like or Tensor
        Attention weights, rows are queries and columns keys.
    tokens : array_like of int or Tensor
        The token ids the weights were computed on.

    Returns
    -------
    numpy.ndarray
        One score per head, in [0, 1]: the shape of ``weights`` without its first and last two
        axes.

    Raises
    ------
    ValueError
        If the shapes do not match, or no token in ``tokens`` repeats (nothing to score).

    Shape
    -----
    weights (N, ..., T, T): N sequences, any head axes ``...``, T queries and T keys;
    tokens (N, T).

    Examples
    --------
    In ``7 3 5 7 3 5``, the query at position 3 (token 7 again) should look at position 1
    (the 3 that followed the first 7), position 4 at 2, and position 5 at 3.

    >>> import numpy as np
    >>> from tinytorch.interpret import induction_score
    >>> tokens = np.array([[7, 3, 5, 7, 3, 5]])
    >>> ideal = np.eye(6, k=-2)          # query i attends to i - 2 = (i - 3) + 1
    >>> ideal[:2, 0] = 1                 # (rows 0 and 1 have no repeated token)
    >>> previous = np.eye(6, k=-1)
    >>> previous[0, 0] = 1
    >>> induction_score(np.stack([ideal, previous])[None], tokens)
    array([1., 0.])
    """
    weights = _weights(weights, "induction_score")
    tokens = np.asarray(tokens.data if isinstance(tokens, Tensor) else tokens)
    batch, length = weights.shape[0], weights.shape[-1]
    if tokens.shape != (batch, length):
        raise ValueError(f"induction_score: tokens must be (N, T) = ({batch}, {length}) to match "
                         f"weights of shape {weights.shape}, got {tokens.shape}")
    # earlier[b, i, j]: position j < i holds the token of position i
    earlier = (tokens[:, :, None] == tokens[:, None, :]) & np.tri(length, k=-1, dtype=bool)
    queries = earlier.any(axis=-1)                                       # (N, T)
    if not queries.any():
        raise ValueError("induction_score: no token repeats in tokens, so no query can be scored")
    after = np.zeros_like(earlier)
    after[:, :, 1:] = earlier[:, :, :-1]                                 # keys j + 1
    after = after.reshape((batch,) + (1,) * (weights.ndim - 3) + (length, length))
    per_query = (weights * after).sum(axis=-1)                           # (N, ..., T)
    queries = queries.reshape((batch,) + (1,) * (weights.ndim - 3) + (length,))
    return (per_query * queries).sum(axis=(0, -1)) / queries.sum()
