"""Language-modelling helpers: next-token training windows and n-gram baselines.

A language model is only as impressive as the baselines it beats. :func:`ngram_cross_entropy`
gives the held-out loss of the unigram model (token frequencies) and the bigram model (counts of
token pairs), the two numbers a trained transformer should fall well below.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def next_token_windows(ids, length: int, stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cut a token stream into inputs and their next-token targets.

    Parameters
    ----------
    ids : array_like of int
        A 1-D stream of token ids (for example sentences joined by an end-of-sentence id).
    length : int
        Tokens per window.
    stride : int, default 1
        Step between window starts.

    Returns
    -------
    inputs, targets : numpy.ndarray
        (W, length) each; ``targets[w, t] == inputs[w, t + 1]`` within a window, the target of the
        last position being the token after the window.

    Examples
    --------
    >>> from tinytorch.language import next_token_windows
    >>> x, y = next_token_windows([5, 6, 7, 8, 9], length=3)
    >>> x.tolist(), y.tolist()
    ([[5, 6, 7], [6, 7, 8]], [[6, 7, 8], [7, 8, 9]])
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"next_token_windows: need a 1-D integer stream, got shape {ids.shape}, dtype {ids.dtype}")
    if not 1 <= length < ids.size:
        raise ValueError(f"next_token_windows: length {length} must be in [1, {ids.size - 1}] for a stream of {ids.size}")
    windows = sliding_window_view(ids, length + 1)[::stride]
    return windows[:, :-1].copy(), windows[:, 1:].copy()


def ngram_cross_entropy(train_ids, test_ids, vocab_size: int, n: int = 1, smoothing: float = 1.0) -> float:
    """Held-out cross-entropy (nats per token) of a count-based unigram (n=1) or bigram (n=2) model.

    Counts come from ``train_ids`` with add-``smoothing`` (Laplace) smoothing, so unseen tokens or
    pairs keep a small probability. For n=2 the first test token is predicted from the pair that ends
    at it, so every test token after the first is scored.

    Examples
    --------
    >>> from tinytorch.language import ngram_cross_entropy
    >>> round(ngram_cross_entropy([0, 1, 0, 1], [0, 1], vocab_size=2), 4)   # both tokens have p = 1/2
    0.6931
    >>> ngram_cross_entropy([0, 1, 0, 1], [0, 1, 0], vocab_size=2, n=2) < 0.6931
    True
    """
    train, test = np.asarray(train_ids), np.asarray(test_ids)
    if n == 1:
        counts = np.bincount(train, minlength=vocab_size) + smoothing
        return float(-np.log(counts[test] / counts.sum()).mean())
    if n == 2:
        pairs = np.zeros((vocab_size, vocab_size))
        np.add.at(pairs, (train[:-1], train[1:]), 1)
        pairs += smoothing
        conditional = pairs / pairs.sum(axis=1, keepdims=True)
        return float(-np.log(conditional[test[:-1], test[1:]]).mean())
    raise ValueError(f"ngram_cross_entropy: n must be 1 or 2, got {n}")
