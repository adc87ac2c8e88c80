"""Attention: scaled dot-product attention, masks, self-attention and multi-head attention.

:func:`scaled_dot_product_attention` is the one equation every module here uses,

.. math:: \\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\left(\\frac{Q K^\\top}{\\sqrt{d_k}}\\right) V.

The attention weights are one fused primitive (:func:`attention_weights`): scores, scale, mask and a
stable softmax are computed in one buffer, and the backward pass is one expression. Everything
after it (dropout, the product with V, the projections, splitting heads) is composed from ordinary
ops.

Masks follow ``torch.nn.functional.scaled_dot_product_attention``: a boolean mask says where a
query **may** attend (True = keep); a float mask is added to the scores. One function,
:func:`attention_mask`, states and checks these rules; the attention functions, the modules and
:mod:`tinytorch.viz` all go through it. ``torch.nn.MultiheadAttention``'s boolean ``attn_mask``
means the opposite (True = block), so negate a mask when moving between the two.

The positional encoding and the transformer block live in :mod:`tinytorch.core.transformer`,
which builds on this module.
"""
from __future__ import annotations

import math

import numpy as np

from .layers import Linear, Module, dropout as _dropout
from .tensor import Tensor

# ---------------------------------------------------------------- masks


def causal_mask(num_queries: int, num_keys: int | None = None) -> np.ndarray:
    """Boolean (Lq, Lk) lower-triangular mask: query i may attend to keys 0..i.

    Aligned at the top left, as ``is_causal=True`` in PyTorch's ``scaled_dot_product_attention``
    (``torch.ones(Lq, Lk, dtype=torch.bool).tril()``); square when ``num_keys`` is not given.

    Parameters
    ----------
    num_queries : int
        Lq, the number of rows.
    num_keys : int, optional
        Lk, the number of columns; defaults to ``num_queries``.

    Examples
    --------
    >>> from tinytorch.core.attention import causal_mask
    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    >>> causal_mask(2, 4).astype(int)    # more keys than queries: still from the top left
    array([[1, 0, 0, 0],
           [1, 1, 0, 0]])
    """
    num_keys = num_queries if num_keys is None else num_keys
    for name, n in (("num_queries", num_queries), ("num_keys", num_keys)):
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"causal_mask: {name} must be a positive integer, got {n!r}")
    return np.tri(num_queries, num_keys, dtype=bool)


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


def attention_mask(mask, scores_shape: tuple, is_causal: bool = False, op: str = "attention"):
    """The one mask rule: check ``mask`` against scores of ``scores_shape`` and fold in ``is_causal``.

    * **Boolean**: True = may attend (PyTorch's ``scaled_dot_product_attention``).
    * **Float**: added to the scores: 0 keeps, ``-inf`` blocks, other values bias (for example a
      learned relative-position bias). A float mask of only 0s and 1s is rejected, since it almost
      always means a boolean mask was intended; all zeros is accepted.
    * **Integer**: rejected (ambiguous between the two).
    * The mask must broadcast to ``scores_shape`` without growing it.
    * ``is_causal=True`` adds the top-left causal rule of :func:`causal_mask`: with a boolean mask
      both must allow; with a float mask ``-inf`` is added above the diagonal.

    :func:`scaled_dot_product_attention` calls it once per call (and refuses a mask together with
    ``is_causal``, as PyTorch does); :class:`~tinytorch.core.transformer.TransformerBlock` uses it to
    fold its causal rule into a caller's mask; :mod:`tinytorch.viz` uses it to read masks.

    Parameters
    ----------
    mask : bool or float array_like or Tensor, or None
        The mask; a Tensor keeps its graph (see Returns).
    scores_shape : tuple of int
        (..., Lq, Lk), the shape of the attention scores.
    is_causal : bool, default False
        Also block key j for query i when j > i.
    op : str, default "attention"
        The name that error messages start with.

    Returns
    -------
    None, numpy.ndarray or Tensor
        None when there is no mask and ``is_causal`` is False; a boolean array (True = may attend);
        a float array to add to the scores; or, for a float Tensor that requires grad, a Tensor
        (the mask itself, or the mask plus the causal ``-inf``) so that its gradient arrives.

    Raises
    ------
    TypeError
        For an integer or non-numeric mask.
    ValueError
        For a float mask of only 0s and 1s, or a mask that does not broadcast to ``scores_shape``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.core.attention import attention_mask
    >>> attention_mask(np.array([True, False, True]), (2, 3), is_causal=True).astype(int)
    array([[1, 0, 0],
           [1, 0, 0]])
    >>> attention_mask(np.array([0.0, -1.0]), (2, 2), is_causal=True)
    array([[  0., -inf],
           [  0.,  -1.]])
    >>> attention_mask(np.ones((2, 2)), (2, 2))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: attention: float mask holds only 0s and 1s, ...; pass mask.astype(bool) ...
    """
    if not isinstance(is_causal, (bool, np.bool_)):
        raise TypeError(f"{op}: is_causal must be True or False, got {is_causal!r}")
    causal = causal_mask(*scores_shape[-2:]) if is_causal else None
    if mask is None:
        return causal
    tracked = isinstance(mask, Tensor) and mask.requires_grad
    array = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if array.dtype.kind in "iu":
        raise TypeError(
            f"{op}: integer mask (dtype {array.dtype}) is ambiguous; use a boolean mask "
            "(True = may attend) or a float mask added to the scores (0 keeps, -inf blocks)"
        )
    if array.dtype.kind == "f":
        if np.isin(array, (0.0, 1.0)).all() and (array == 1).any():
            raise ValueError(
                f"{op}: float mask holds only 0s and 1s, which would be added to the scores and mask "
                "nothing; pass mask.astype(bool) for a boolean mask (True = may attend)"
            )
    elif array.dtype != np.bool_:
        raise TypeError(f"{op}: mask must be boolean or float, got dtype {array.dtype}")
    try:
        broadcast = np.broadcast_shapes(array.shape, tuple(scores_shape))
    except ValueError:
        broadcast = None
    if broadcast != tuple(scores_shape):
        raise ValueError(
            f"{op}: mask of shape {array.shape} does not broadcast to the scores' shape {tuple(scores_shape)} "
            "(..., Lq, Lk)"
        )
    if causal is None:
        return mask if tracked else array
    if array.dtype == np.bool_:
        return array & causal
    blocked = np.where(causal, 0.0, -np.inf).astype(array.dtype)
    return mask + Tensor(blocked, dtype=array.dtype) if tracked else array + blocked


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


def _check_options(op: str, mask, is_causal, scale, dropout_p=0.0) -> None:
    if not isinstance(is_causal, (bool, np.bool_)):
        raise TypeError(f"{op}: is_causal must be True or False, got {is_causal!r}")
    if mask is not None and is_causal:
        raise ValueError(
            f"{op}: got both a mask and is_causal=True (PyTorch refuses this too); pass one mask, "
            "attention_mask(mask, scores_shape, is_causal=True), which combines them"
        )
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float, np.number))):
        raise TypeError(f"{op}: scale must be a number or None, got {scale!r}")
    if not 0 <= dropout_p <= 1:
        raise ValueError(f"{op}: dropout_p must be in [0, 1], got {dropout_p}")


def _as_tensor(t) -> Tensor:
    return t if isinstance(t, Tensor) else Tensor(t)


def attention_weights(query, key, mask=None, is_causal: bool = False, scale: float | None = None) -> Tensor:
    """The weights :math:`\\mathrm{softmax}(s\\, Q K^\\top + \\mathrm{mask})`, one fused primitive.

    Scores, scaling, masking and a stable softmax share one buffer (the score tensor is the largest
    array in attention, so temporaries cost time). A row whose keys are all masked gets zero
    weights instead of NaN, and a zero gradient. Gradients flow to ``query``, ``key`` and a float
    mask that requires grad.

    Parameters, masks and errors are as in :func:`scaled_dot_product_attention`.

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
    >>> attention_weights(q, k, is_causal=True)   # the same mask, from the causal rule
    Tensor([[1.    , 0.    ],
            [0.3302, 0.6698]])
    """
    query, key = _as_tensor(query), _as_tensor(key)
    _check_qkv(query, key)
    _check_options("attention_weights", mask, is_causal, scale)
    return _attention_weights(query, key, mask, is_causal, scale, "attention_weights")


def _attention_weights(query: Tensor, key: Tensor, mask, is_causal: bool, scale, op: str) -> Tensor:
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    out = query.data @ np.swapaxes(key.data, -1, -2)
    mask = attention_mask(mask, out.shape, is_causal, op)
    bias = mask.data if isinstance(mask, Tensor) else mask
    out *= scale
    if bias is not None and bias.dtype == np.bool_:
        np.copyto(out, -np.inf, where=~bias)
    elif bias is not None:
        out += bias
    # softmax in place: the steps of activations.log_softmax_array, in the one scores buffer
    row_max = out.max(axis=-1, keepdims=True)
    row_max[~np.isfinite(row_max)] = 0  # a fully masked row: keep exp(-inf) = 0, not NaN
    out -= row_max
    np.exp(out, out=out)
    total = out.sum(axis=-1, keepdims=True)
    total[total == 0] = 1  # fully masked rows stay all zero
    out /= total
    def backward(grad):  # softmax: w * (g - sum(g w)); then d(s QK^T + B)/dQ = s K, /dK = s Q, /dB = 1
        grad_scores = grad * out
        np.subtract(grad, grad_scores.sum(axis=-1, keepdims=True), out=grad_scores)
        grad_scores *= out
        grad_query = grad_scores @ key.data
        grad_key = np.swapaxes(grad_scores, -1, -2) @ query.data
        grad_query *= scale  # on the (L, d_k) results: cheaper than scaling the (Lq, Lk) scores
        grad_key *= scale
        return (grad_query, grad_key, grad_scores)[:len(parents)]  # the engine sums over B's broadcast axes
    parents = (query, key, mask) if isinstance(mask, Tensor) else (query, key)
    return Tensor._from_op(out, parents, backward, "attention_weights")


def scaled_dot_product_attention(query, key, value, mask=None, dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None) -> tuple[Tensor, Tensor]:
    """Attention :math:`\\mathrm{softmax}(s\\, Q K^\\top + \\mathrm{mask})\\, V`, returning the output and the weights.

    The arguments mean what they mean in ``torch.nn.functional.scaled_dot_product_attention``
    (whose ``attn_mask`` is ``mask`` here); unlike it, the weights are returned too.

    Parameters
    ----------
    query, key, value : Tensor or array_like
        Leading (batch, head) axes broadcast against each other.
    mask : bool or float array or Tensor, optional
        Must broadcast to (..., Lq, Lk); the rules are those of :func:`attention_mask`.
        **Boolean: True = may attend** (``torch.nn.MultiheadAttention``'s boolean mask is the
        negation). Float: added to the scores (0 keeps, ``-inf`` blocks); a float Tensor that
        requires grad (a learned attention bias) receives its gradient. A float mask of only 0s
        and 1s is rejected, since it almost always means a boolean mask was intended. Integer
        masks raise TypeError. A query whose keys are all masked (all False, or all ``-inf``)
        gets zero weights and a zero output (PyTorch gives NaN there).
    dropout_p : float, default 0.0
        Probability of zeroing each attention weight before the product with V (the rest scaled
        by 1/(1 - p)), drawn from tinytorch's one generator. Applied whenever it is above 0, as in
        PyTorch: modules pass 0 in eval mode.
    is_causal : bool, default False
        Let query i attend to keys 0..i only (:func:`causal_mask`, aligned at the top left when
        Lq != Lk). Giving a mask as well raises ValueError, as in PyTorch; combine the two with
        :func:`attention_mask` instead.
    scale : float, optional
        The factor s multiplying :math:`Q K^\\top` (any number, as in PyTorch); default
        :math:`1 / \\sqrt{d_k}`.

    Returns
    -------
    output : Tensor
        (..., Lq, d_v).
    weights : Tensor
        (..., Lq, Lk), the softmax before dropout, each row summing to 1 (or 0 when fully
        masked). Differentiable.

    Raises
    ------
    ValueError
        For shapes that do not fit, a mask together with ``is_causal``, ``dropout_p`` outside
        [0, 1], or a bad mask (see :func:`attention_mask`).
    TypeError
        For an integer mask, or an ``is_causal`` or ``scale`` of the wrong type.

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
    >>> bool((scaled_dot_product_attention(x, x, x, is_causal=True)[1].data == weights.data).all())
    True
    """
    query, key, value = _as_tensor(query), _as_tensor(key), _as_tensor(value)
    _check_qkv(query, key, value)
    _check_options("scaled_dot_product_attention", mask, is_causal, scale, dropout_p)
    weights = _attention_weights(query, key, mask, is_causal, scale, "scaled_dot_product_attention")
    return _dropout(weights, dropout_p) @ value, weights


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
    ``forward(x, mask=None, is_causal=False)`` takes a mask or the causal rule as
    :func:`scaled_dot_product_attention` does.

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

    def forward(self, x: Tensor, mask=None, is_causal: bool = False) -> Tensor:
        x = _as_tensor(x)
        output, weights = scaled_dot_product_attention(
            self.q_proj(x), self.k_proj(x), self.v_proj(x), mask, is_causal=is_causal
        )
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
        Dropout on the attention weights during training: passed to
        :func:`scaled_dot_product_attention` as ``dropout_p`` (0 in eval mode), as PyTorch's
        ``dropout`` argument.

    Shape
    -----
    ``forward(query, key=None, value=None, mask=None, is_causal=False)``: query (N, Lq, E), key
    (N, Lk, E), value (N, Lk, E); output (N, Lq, E), where N is the batch, Lq the number of
    queries, Lk of keys and E = ``embed_dim``; key and value default to the query
    (self-attention). A mask broadcasts to (N, H, Lq, Lk) with H = ``num_heads``: (Lq, Lk) for a
    causal mask, (N, 1, 1, Lk) for padding; ``is_causal=True`` applies the causal rule instead
    (see :func:`scaled_dot_product_attention`).

    Attributes
    ----------
    q_proj, k_proj, v_proj, out_proj : Linear
        (E, E) projections, weights stored (in, out).
    dropout : float
        The dropout probability on the attention weights.
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
    >>> bool((mha(x, is_causal=True).data == mha(x, mask=causal_mask(5)).data).all())
    True
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
        if not 0 <= dropout <= 1:
            raise ValueError(f"MultiHeadAttention: dropout must be in [0, 1], got {dropout}")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (Linear(embed_dim, embed_dim, bias) for _ in range(4))
        self.dropout = dropout
        self.attention_weights = None

    def forward(self, query: Tensor, key: Tensor | None = None, value: Tensor | None = None, mask=None,
                is_causal: bool = False) -> Tensor:
        # 1. check and project (self-attention when key and value are not given): (N, L, E) each
        query, key, value = self._check(query, key, value, mask)
        batch, length = query.shape[:2]
        q, k, v = (self._project(p, x) for p, x in ((self.q_proj, query), (self.k_proj, key), (self.v_proj, value)))
        # 2. split heads: (N, L, E) -> (N, L, h, d) -> (N, h, L, d)
        q, k, v = self._split_heads(q), self._split_heads(k), self._split_heads(v)
        # 3. attend, every head at once: (N, h, Lq, d), weights (N, h, Lq, Lk)
        dropout_p = self.dropout if self.training else 0.0
        heads, weights = scaled_dot_product_attention(q, k, v, mask, dropout_p, is_causal)
        self.attention_weights = _detached(weights)
        # 4. merge heads and project: (N, h, Lq, d) -> (N, Lq, h, d) -> (N, Lq, E)
        merged = heads.transpose(1, 2).reshape(batch, length, self.embed_dim)
        return self._project(self.out_proj, merged)

    def _check(self, query, key, value, mask) -> tuple[Tensor, Tensor, Tensor]:
        key = query if key is None else key
        value = key if value is None else value
        query, key, value = _as_tensor(query), _as_tensor(key), _as_tensor(value)
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
        mask_shape = np.shape(mask.data if isinstance(mask, Tensor) else mask)
        if mask is not None and len(mask_shape) == 3:
            # (N, Lq, Lk) would line up N with the heads axis of (N, h, Lq, Lk): refuse to guess
            raise ValueError(
                f"MultiHeadAttention: a 3-D mask of shape {mask_shape} is ambiguous; give (Lq, Lk) or "
                "(N, 1, Lq, Lk) (add the heads axis with mask[:, None])"
            )
        return query, key, value

    def _project(self, projection: Linear, x: Tensor) -> Tensor:
        batch, length, _ = x.shape
        # (N, L, E) -> (N*L, E) -> (N, L, E): one 2-D matrix product instead of N smaller ones
        return projection(x.reshape(batch * length, self.embed_dim)).reshape(batch, length, self.embed_dim)

    def _split_heads(self, x: Tensor) -> Tensor:
        batch, length, _ = x.shape
        return x.reshape(batch, length, self.num_heads, self.head_dim).transpose(1, 2)

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}"


__all__ = [
    "scaled_dot_product_attention", "attention_weights", "attention_mask", "causal_mask", "padding_mask",
    "SelfAttention", "MultiHeadAttention",
]
