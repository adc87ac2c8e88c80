"""Attention: scaled dot-product attention, masks, self-attention and multi-head attention.

:func:`scaled_dot_product_attention` is the one equation every module here uses,

.. math:: \\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\left(\\frac{Q K^\\top}{\\sqrt{d_k}}\\right) V.

The attention weights are one fused primitive (:func:`attention_weights`): scores, scale, mask and a
stable softmax are computed in one buffer, and the backward pass is one expression. Everything
after it (the product with V, the projections, splitting heads) is composed from ordinary ops.

Masks follow ``torch.nn.functional.scaled_dot_product_attention``: a boolean mask says where a
query **may** attend (True = keep). ``torch.nn.MultiheadAttention``'s boolean ``attn_mask`` means
the opposite (True = block), so negate a mask when moving between the two.

The positional encoding and the transformer block live in :mod:`tinytorch.core.transformer` and are
re-exported here.
"""
from __future__ import annotations

import math

import numpy as np

from .layers import Dropout, Linear, Module
from .tensor import Tensor

# ---------------------------------------------------------------- masks


def causal_mask(n: int) -> np.ndarray:
    """Boolean (n, n) lower-triangular mask: position i may attend to positions 0..i.

    Examples
    --------
    >>> from tinytorch.core.attention import causal_mask
    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"causal_mask: n must be a positive integer, got {n!r}")
    return np.tril(np.ones((n, n), dtype=bool))


def padding_mask(lengths, max_len: int) -> np.ndarray:
    """Boolean (batch, 1, 1, max_len) mask, True at the first ``lengths[b]`` (real) tokens.

    The two length-1 axes make it broadcast against scores of shape (batch, heads, Lq, Lk): it
    masks keys, never queries, and cannot line up by accident with (Lq, Lk).

    Examples
    --------
    >>> from tinytorch.core.attention import padding_mask
    >>> mask = padding_mask([2, 3], max_len=4)
    >>> mask.shape
    (2, 1, 1, 4)
    >>> mask[:, 0, 0].astype(int)
    array([[1, 1, 0, 0],
           [1, 1, 1, 0]])
    """
    lengths = lengths.data if isinstance(lengths, Tensor) else np.asarray(lengths)
    if lengths.ndim != 1 or lengths.dtype.kind not in "iu":
        raise TypeError(
            f"padding_mask: lengths must be a 1-D integer array, got shape {lengths.shape}, dtype {lengths.dtype}"
        )
    if lengths.size and (lengths.min() < 0 or lengths.max() > max_len):
        raise ValueError(f"padding_mask: lengths must lie in [0, max_len={max_len}], got {lengths.tolist()}")
    return (np.arange(max_len) < lengths[:, None])[:, None, None, :]


def _check_mask(mask, scores_shape: tuple) -> np.ndarray:
    """Return the mask as an array after checking its kind and shape (see scaled_dot_product_attention)."""
    mask = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if mask.dtype.kind in "iu":
        raise TypeError(
            f"attention: integer mask (dtype {mask.dtype}) is ambiguous; use a boolean mask "
            "(True = may attend) or a float mask added to the scores (0 keeps, -inf blocks)"
        )
    if mask.dtype.kind == "f":
        if np.isin(mask, (0.0, 1.0)).all() and (mask == 1).any():
            raise ValueError(
                "attention: float mask holds only 0s and 1s, which would be added to the scores and mask "
                "nothing; pass mask.astype(bool) for a boolean mask (True = may attend)"
            )
    elif mask.dtype != np.bool_:
        raise TypeError(f"attention: mask must be boolean or float, got dtype {mask.dtype}")
    try:
        broadcast = np.broadcast_shapes(mask.shape, scores_shape)
    except ValueError:
        broadcast = None
    if broadcast != tuple(scores_shape):
        raise ValueError(
            f"attention: mask of shape {mask.shape} does not broadcast to the scores' shape {tuple(scores_shape)} "
            "(..., Lq, Lk)"
        )
    return mask


# ---------------------------------------------------------------- the attention equation


def _check_qkv(query: Tensor, key: Tensor, value: Tensor | None = None) -> None:
    if query.ndim < 2 or key.ndim < 2 or (value is not None and value.ndim < 2):
        shapes = [query.shape, key.shape] + ([value.shape] if value is not None else [])
        raise ValueError(f"attention: query, key and value need at least 2 dimensions (..., L, d), got {shapes}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"attention: query {query.shape} and key {key.shape} differ in their last (d_k) dimension"
        )
    if value is not None and key.shape[-2] != value.shape[-2]:
        raise ValueError(f"attention: key {key.shape} and value {value.shape} have different lengths Lk")
    try:
        np.broadcast_shapes(query.shape[:-2], key.shape[:-2], () if value is None else value.shape[:-2])
    except ValueError:
        raise ValueError(
            f"attention: leading (batch/head) axes of query {query.shape} and key {key.shape}"
            + ("" if value is None else f" and value {value.shape}") + " cannot be broadcast"
        ) from None


def attention_weights(query, key, mask=None) -> Tensor:
    """The weights :math:`\\mathrm{softmax}(Q K^\\top / \\sqrt{d_k} + \\mathrm{mask})`, one fused primitive.

    Scores, scaling, masking and a stable softmax share one buffer (the score tensor is the largest
    array in attention, so temporaries cost time). A row whose keys are all masked gets zero
    weights instead of NaN, and a zero gradient. Gradients flow to ``query`` and ``key``.

    Parameters and masks are as in :func:`scaled_dot_product_attention`.

    Shape
    -----
    query (..., Lq, d_k), key (..., Lk, d_k); output (..., Lq, Lk).

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.core.attention import attention_weights
    >>> q = k = np.eye(2)
    >>> attention_weights(q, k, mask=np.array([[True, False], [True, True]]))
    Tensor([[1.    , 0.    ],
            [0.3302, 0.6698]])
    """
    query, key = (t if isinstance(t, Tensor) else Tensor(t) for t in (query, key))
    _check_qkv(query, key)
    scale = 1 / math.sqrt(query.shape[-1])
    out = query.data @ np.swapaxes(key.data, -1, -2)
    out *= scale
    if mask is not None:
        mask = _check_mask(mask, out.shape)
        if mask.dtype == np.bool_:
            np.copyto(out, -np.inf, where=~mask)
        else:
            out += mask
    row_max = out.max(axis=-1, keepdims=True)
    row_max[~np.isfinite(row_max)] = 0  # a fully masked row: keep exp(-inf) = 0, not NaN
    out -= row_max
    np.exp(out, out=out)
    total = out.sum(axis=-1, keepdims=True)
    total[total == 0] = 1  # fully masked rows stay all zero
    out /= total
    def backward(grad):  # softmax: w * (g - sum(g w)); then d(s QK^T)/dQ = s K, d(s QK^T)/dK = s Q
        grad_scores = grad * out
        np.subtract(grad, grad_scores.sum(axis=-1, keepdims=True), out=grad_scores)
        grad_scores *= out
        grad_query = grad_scores @ key.data
        grad_key = np.swapaxes(grad_scores, -1, -2) @ query.data
        grad_query *= scale  # on the (L, d_k) results: cheaper than scaling the (Lq, Lk) scores
        grad_key *= scale
        return grad_query, grad_key
    return Tensor._from_op(out, (query, key), backward, "attention_weights")


def scaled_dot_product_attention(query, key, value, mask=None) -> tuple[Tensor, Tensor]:
    """Attention :math:`\\mathrm{softmax}(Q K^\\top / \\sqrt{d_k}) V`; returns the output and the weights.

    Parameters
    ----------
    query, key, value : Tensor or array_like
        Leading (batch, head) axes broadcast against each other.
    mask : bool or float array or Tensor, optional
        Must broadcast to (..., Lq, Lk). **Boolean: True = may attend** (as in
        ``torch.nn.functional.scaled_dot_product_attention``; ``torch.nn.MultiheadAttention``'s
        boolean mask is the negation). Float: added to the scores (0 keeps, ``-inf`` blocks); a
        float mask of only 0s and 1s is rejected, since it almost always means a boolean mask
        was intended. Integer masks raise TypeError. A query whose keys are all masked (all False,
        or all ``-inf``) gets zero weights and a zero output.

    Returns
    -------
    output : Tensor
        (..., Lq, d_v).
    weights : Tensor
        (..., Lq, Lk), each row summing to 1 (or 0 when fully masked). Differentiable.

    Shape
    -----
    query (..., Lq, d_k), key (..., Lk, d_k), value (..., Lk, d_v), where Lq is the number of
    queries, Lk the number of keys and values, d_k and d_v their sizes.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.core.attention import scaled_dot_product_attention, causal_mask
    >>> x = np.arange(12.0).reshape(1, 3, 4) / 10
    >>> output, weights = scaled_dot_product_attention(x, x, x, mask=causal_mask(3))
    >>> output.shape, weights.shape
    ((1, 3, 4), (1, 3, 3))
    >>> weights.data[0, 0]   # the first query sees only itself
    array([1., 0., 0.], dtype=float32)
    """
    query, key, value = (t if isinstance(t, Tensor) else Tensor(t) for t in (query, key, value))
    _check_qkv(query, key, value)
    weights = attention_weights(query, key, mask)
    return weights @ value, weights


# ---------------------------------------------------------------- modules


def _detached(tensor: Tensor) -> Tensor:
    """The values, cut from the graph, keeping float64 as float64 (for plots and checks)."""
    return Tensor(tensor.data, dtype=tensor.dtype)


class SelfAttention(Module):
    """One attention head over a sequence, with learned query, key and value projections.

    :math:`\\mathrm{out} = \\mathrm{Attention}(x W_Q, x W_K, x W_V)`; no output projection.

    Parameters
    ----------
    d_model : int
        Size of each token vector (and of the queries, keys and values).

    Shape
    -----
    Input (N, L, d_model) = batch, tokens, features (or (L, d_model)); output the same.

    Attributes
    ----------
    q_proj, k_proj, v_proj : Linear
        (d_model, d_model) projections.
    attention_weights : Tensor or None
        The weights of the last forward call, (N, L, L), detached from the graph.

    Examples
    --------
    >>> import numpy as np
    >>> import tinytorch as tt
    >>> from tinytorch.core.attention import SelfAttention
    >>> _ = tt.manual_seed(0)
    >>> attention = SelfAttention(d_model=4)
    >>> attention(tt.Tensor(np.ones((2, 5, 4)))).shape
    (2, 5, 4)
    >>> attention.attention_weights.shape
    (2, 5, 5)
    """

    def __init__(self, d_model: int):
        super().__init__()
        self.d_model = d_model
        self.q_proj, self.k_proj, self.v_proj = (Linear(d_model, d_model) for _ in range(3))
        self.attention_weights = None

    def forward(self, x: Tensor, mask=None) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        output, weights = scaled_dot_product_attention(self.q_proj(x), self.k_proj(x), self.v_proj(x), mask)
        self.attention_weights = _detached(weights)
        return output

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}"


class MultiHeadAttention(Module):
    """Multi-head attention: ``num_heads`` attentions side by side on slices of the embedding.

    .. math:: \\mathrm{MHA}(Q, K, V) = \\mathrm{concat}(\\mathrm{head}_1, \\dots, \\mathrm{head}_h) W_O,
              \\quad \\mathrm{head}_i = \\mathrm{Attention}(Q W_Q^{(i)}, K W_K^{(i)}, V W_V^{(i)}).

    Each projection is one ``Linear`` for all heads; heads are split and merged by reshape and
    transpose. It computes the same function as ``torch.nn.MultiheadAttention(embed_dim,
    num_heads, batch_first=True)`` whose packed ``in_proj_weight`` is ``concat(W_Q, W_K, W_V)``
    transposed and whose ``out_proj.weight`` is ``W_O`` transposed, given the negated boolean mask.

    Parameters
    ----------
    embed_dim : int
        Size of each token vector; divisible by ``num_heads``.
    num_heads : int
        Number of heads, each of size ``head_dim = embed_dim // num_heads``.
    bias : bool, default True
        Biases in the four projections.
    dropout : float, default 0.0
        Dropout on the attention weights during training.

    Shape
    -----
    query (N, Lq, E), key (N, Lk, E), value (N, Lk, E); output (N, Lq, E), where N is the batch,
    Lq the number of queries, Lk of keys and E = ``embed_dim``. A mask broadcasts to
    (N, H, Lq, Lk) with H = ``num_heads``: (Lq, Lk) for a causal mask, (N, 1, 1, Lk) for padding.

    Attributes
    ----------
    q_proj, k_proj, v_proj, out_proj : Linear
        (E, E) projections, weights stored (in, out).
    attention_weights : Tensor or None
        Per-head weights of the last forward call, (N, H, Lq, Lk), detached (before dropout).

    Examples
    --------
    >>> import numpy as np
    >>> import tinytorch as tt
    >>> from tinytorch.core.attention import MultiHeadAttention, causal_mask
    >>> _ = tt.manual_seed(0)
    >>> mha = MultiHeadAttention(embed_dim=8, num_heads=2)
    >>> x = tt.Tensor(np.ones((3, 5, 8)))
    >>> mha(x, mask=causal_mask(5)).shape
    (3, 5, 8)
    >>> mha.attention_weights.shape
    (3, 2, 5, 5)
    >>> mha(x, tt.Tensor(np.ones((3, 7, 8)))).shape   # cross-attention to 7 keys
    (3, 5, 8)
    """

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True, dropout: float = 0.0):
        super().__init__()
        if num_heads < 1 or embed_dim % num_heads != 0:
            raise ValueError(
                f"MultiHeadAttention: embed_dim={embed_dim} must be divisible by num_heads={num_heads}"
            )
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (Linear(embed_dim, embed_dim, bias) for _ in range(4))
        self.dropout = Dropout(dropout)
        self.attention_weights = None

    def _project_and_split(self, projection: Linear, x: Tensor) -> Tensor:
        batch, length, _ = x.shape
        # (N, L, E) -> (N*L, E): one 2-D matrix product instead of N smaller ones
        x = projection(x.reshape(batch * length, self.embed_dim))
        # (N*L, E) -> (N, L, H, head_dim) -> (N, H, L, head_dim)
        return x.reshape(batch, length, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, query: Tensor, key: Tensor | None = None, value: Tensor | None = None, mask=None) -> Tensor:
        key = query if key is None else key
        value = key if value is None else value
        query, key, value = (t if isinstance(t, Tensor) else Tensor(t) for t in (query, key, value))
        for name, t in (("query", query), ("key", key), ("value", value)):
            if t.ndim != 3 or t.shape[-1] != self.embed_dim:
                raise ValueError(
                    f"MultiHeadAttention: {name} must be (batch, seq, embed_dim={self.embed_dim}), got {t.shape}"
                )
        if key.shape[:2] != value.shape[:2] or query.shape[0] != key.shape[0]:
            raise ValueError(
                f"MultiHeadAttention: query {query.shape}, key {key.shape} and value {value.shape} need one "
                "batch size, and key and value one length"
            )
        if mask is not None and np.ndim(mask.data if isinstance(mask, Tensor) else mask) == 3:
            # (N, Lq, Lk) would line up N with the heads axis of (N, H, Lq, Lk): refuse to guess
            raise ValueError(
                f"MultiHeadAttention: a 3-D mask of shape {np.shape(mask)} is ambiguous; give (Lq, Lk) or "
                "(N, 1, Lq, Lk) (add the heads axis with mask[:, None])"
            )
        q = self._project_and_split(self.q_proj, query)
        k = self._project_and_split(self.k_proj, key)
        v = self._project_and_split(self.v_proj, value)
        weights = attention_weights(q, k, mask)  # (N, H, Lq, Lk)
        self.attention_weights = _detached(weights)
        heads = self.dropout(weights) @ v  # (N, H, Lq, head_dim)
        batch, length = query.shape[:2]
        # (N, H, Lq, head_dim) -> (N, Lq, H, head_dim) -> (N*Lq, E)
        merged = heads.transpose(1, 2).reshape(batch * length, self.embed_dim)
        return self.out_proj(merged).reshape(batch, length, self.embed_dim)

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout.p}"


_TRANSFORMER_NAMES = ("sinusoidal_positional_encoding", "PositionalEncoding", "TransformerBlock")


def __getattr__(name):
    # transformer.py builds on this module, so its names are fetched on first use (PEP 562) rather
    # than imported here, which would be circular.
    if name in _TRANSFORMER_NAMES:
        from . import transformer

        return getattr(transformer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [  # noqa: F822 (the transformer names come from __getattr__)
    "scaled_dot_product_attention", "attention_weights", "causal_mask", "padding_mask", "SelfAttention",
    "MultiHeadAttention", "sinusoidal_positional_encoding", "PositionalEncoding", "TransformerBlock",
]
