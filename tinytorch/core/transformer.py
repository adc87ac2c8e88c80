"""Positional encodings and the (pre-norm) transformer block, built from :mod:`tinytorch.core.attention`.

This module imports the attention module's public names only; the attention module does not import
this one (these names are also available as ``tinytorch.PositionalEncoding`` and so on).
"""
from __future__ import annotations

import numpy as np

from .activations import GELU
from .attention import MultiHeadAttention, attention_mask
from .dense import Sequential
from .layers import Dropout, LayerNorm, Linear, Module
from .tensor import Tensor


def sinusoidal_positional_encoding(max_len: int, d_model: int) -> Tensor:
    """The fixed encodings of "Attention Is All You Need": sines and cosines of many wavelengths.

    .. math:: PE_{p, 2i} = \\sin(p / 10000^{2i/d}), \\quad PE_{p, 2i+1} = \\cos(p / 10000^{2i/d})

    Parameters
    ----------
    max_len : int
        Number of positions.
    d_model : int
        Size of each encoding (odd sizes drop the last cosine).

    Returns
    -------
    Tensor
        (max_len, d_model), float32, not requiring gradients.

    Examples
    --------
    >>> from tinytorch.core.transformer import sinusoidal_positional_encoding
    >>> pe = sinusoidal_positional_encoding(50, 8)
    >>> pe.shape
    (50, 8)
    >>> pe.data[0]   # position 0: sin 0 = 0, cos 0 = 1
    array([0., 1., 0., 1., 0., 1., 0., 1.], dtype=float32)
    """
    if max_len < 1 or d_model < 1:
        raise ValueError(f"sinusoidal_positional_encoding: max_len={max_len} and d_model={d_model} must be positive")
    position = np.arange(max_len)[:, None]
    frequency = 10000.0 ** (-np.arange(0, d_model, 2) / d_model)  # (ceil(d_model / 2),)
    angle = position * frequency
    encoding = np.empty((max_len, d_model))
    encoding[:, 0::2] = np.sin(angle)
    encoding[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return Tensor(encoding.astype(np.float32))


class PositionalEncoding(Module):
    """Add the sinusoidal encoding of each position to a sequence of embeddings, then dropout.

    Parameters
    ----------
    d_model : int
        Embedding size.
    max_len : int, default 5000
        Longest sequence accepted.
    dropout : float, default 0.0
        Dropout after the addition.

    Shape
    -----
    Input (N, L, d_model) = batch, tokens, features, or (L, d_model); output the same.

    Attributes
    ----------
    encoding : Tensor
        (max_len, d_model) from :func:`sinusoidal_positional_encoding` (fixed, not a parameter).

    Examples
    --------
    >>> import numpy as np
    >>> import tinytorch as tt
    >>> from tinytorch.core.transformer import PositionalEncoding
    >>> add_positions = PositionalEncoding(d_model=4, max_len=10)
    >>> add_positions(tt.Tensor(np.zeros((2, 3, 4)))).data[0, 1].round(4)
    array([0.8415, 0.5403, 0.01  , 1.    ], dtype=float32)
    """

    def __init__(self, d_model: int, max_len: int = 5000, dropout: float = 0.0):
        super().__init__()
        self.d_model, self.max_len = d_model, max_len
        self.encoding = sinusoidal_positional_encoding(max_len, d_model)
        self.dropout = Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim < 2 or x.shape[-1] != self.d_model or x.shape[-2] > self.max_len:
            raise ValueError(
                f"PositionalEncoding: input must be (..., L <= max_len={self.max_len}, d_model={self.d_model}), "
                f"got {x.shape}"
            )
        return self.dropout(x + self.encoding[: x.shape[-2]])

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, max_len={self.max_len}"


class TransformerBlock(Module):
    """A **pre-norm** transformer block (GPT-2 style): normalise, attend, add; normalise, feed forward, add.

    .. math::
        x &\\leftarrow x + \\mathrm{Dropout}(\\mathrm{MHA}(\\mathrm{LN}_1(x))) \\\\
        x &\\leftarrow x + \\mathrm{Dropout}(W_2\\, \\mathrm{GELU}(W_1 \\mathrm{LN}_2(x)))

    Pre-norm (LayerNorm inside each residual branch) keeps an unnormalised path from input to
    output, which trains stably without learning-rate warm-up. The original transformer is
    post-norm: ``LN(x + sublayer(x))``. A pre-norm stack usually ends with one more LayerNorm.

    Parameters
    ----------
    embed_dim : int
        Token vector size E.
    num_heads : int
        Attention heads (divide ``embed_dim``).
    ff_dim : int
        Hidden size of the feed-forward network (often 4 E).
    dropout : float, default 0.0
        Dropout on the attention weights and on each branch before it is added.
    causal : bool, default False
        Let each position attend only to itself and earlier ones (a decoder / language model):
        ``is_causal=True`` in :func:`~tinytorch.core.attention.scaled_dot_product_attention`, or
        folded into a given mask by :func:`~tinytorch.core.attention.attention_mask`.

    Shape
    -----
    Input (N, L, E) = batch, tokens, embedding; output the same. ``forward(x, mask=None)``
    takes a mask as :class:`~tinytorch.core.attention.MultiHeadAttention` does.

    Attributes
    ----------
    ln1, ln2 : LayerNorm
    attn : MultiHeadAttention
    ff : Sequential
        Linear(E, ff_dim), GELU, Linear(ff_dim, E).
    attention_weights : Tensor or None
        The attention's last weights, (N, H, L, L).

    Examples
    --------
    >>> import numpy as np
    >>> import tinytorch as tt
    >>> from tinytorch.core.transformer import TransformerBlock
    >>> _ = tt.manual_seed(0)
    >>> block = TransformerBlock(embed_dim=8, num_heads=2, ff_dim=32, causal=True)
    >>> block(tt.Tensor(np.ones((3, 5, 8)))).shape
    (3, 5, 8)
    >>> bool((block.attention_weights.data[0, 0][np.triu_indices(5, 1)] == 0).all())
    True
    """

    def __init__(self, embed_dim: int, num_heads: int, ff_dim: int, dropout: float = 0.0, causal: bool = False):
        super().__init__()
        self.causal = causal
        self.ln1 = LayerNorm(embed_dim)
        self.attn = MultiHeadAttention(embed_dim, num_heads, dropout=dropout)
        self.ln2 = LayerNorm(embed_dim)
        self.ff = Sequential(Linear(embed_dim, ff_dim), GELU(), Linear(ff_dim, embed_dim))
        self.dropout = Dropout(dropout)

    @property
    def attention_weights(self):
        return self.attn.attention_weights

    def forward(self, x: Tensor, mask=None) -> Tensor:
        is_causal = self.causal
        if self.causal and mask is not None:  # one mask for attention: the caller's and the causal rule
            scores_shape = (x.shape[0], self.attn.num_heads, x.shape[-2], x.shape[-2])
            mask, is_causal = attention_mask(mask, scores_shape, is_causal=True, op="TransformerBlock"), False
        x = x + self.dropout(self.attn(self.ln1(x), mask=mask, is_causal=is_causal))
        return x + self.dropout(self.ff(self.ln2(x)))

    def extra_repr(self) -> str:
        return f"causal={self.causal}"
