"""Complete models built from tinytorch's layers: a tiny GPT (a decoder-only transformer)."""
from __future__ import annotations

import numpy as np

from .core.activations import log_softmax_array
from .core.layers import Dropout, Embedding, LayerNorm, Linear, Module, ModuleList
from .core.random import default_rng
from .core.tensor import Tensor, no_grad
from .core.transformer import TransformerBlock


class TinyGPT(Module):
    """A decoder-only transformer language model in the style of GPT-2, small enough to train in seconds.

    Token and learned position embeddings are added, passed through ``num_layers`` pre-norm
    :class:`~tinytorch.core.transformer.TransformerBlock` s with a causal mask (each position sees
    itself and earlier positions only), a final LayerNorm, and a linear projection to one logit per
    vocabulary entry.

    Parameters
    ----------
    vocab_size : int
        Number of token ids V.
    max_len : int
        Longest sequence (context) the model accepts.
    embed_dim, num_heads, num_layers, ff_dim : int
        Embedding size E, attention heads per block, number of blocks, feed-forward hidden size.
    dropout : float, default 0.0
        Dropout after the embeddings and inside each block.

    Shape
    -----
    ``forward(ids)``: ids (N, L) integers in [0, V) with L ≤ max_len → logits (N, L, V).

    Attributes
    ----------
    attention_weights : numpy.ndarray
        (num_layers, N, num_heads, L, L): every head's weights in the last forward pass.

    Examples
    --------
    >>> import tinytorch as tt
    >>> from tinytorch.models import TinyGPT
    >>> _ = tt.manual_seed(0)
    >>> model = TinyGPT(vocab_size=12, max_len=8, embed_dim=16, num_heads=2, num_layers=2, ff_dim=32)
    >>> model([[1, 2, 3]]).shape
    (1, 3, 12)
    >>> model.attention_weights.shape
    (2, 1, 2, 3, 3)
    >>> model.generate([1, 2], max_new_tokens=4, seed=0).shape
    (6,)
    >>> model.generate([1, 2], max_new_tokens=4, top_k=5, top_p=0.9, seed=0).shape
    (6,)
    """

    def __init__(self, vocab_size: int, max_len: int, embed_dim: int, num_heads: int, num_layers: int,
                 ff_dim: int, dropout: float = 0.0):
        super().__init__()
        self.vocab_size, self.max_len = vocab_size, max_len
        self.token_embedding = Embedding(vocab_size, embed_dim)
        self.position_embedding = Embedding(max_len, embed_dim)
        self.dropout = Dropout(dropout)
        self.blocks = ModuleList(
            TransformerBlock(embed_dim, num_heads, ff_dim, dropout=dropout, causal=True) for _ in range(num_layers)
        )
        self.final_norm = LayerNorm(embed_dim)
        self.head = Linear(embed_dim, vocab_size)

    def _check_ids(self, ids) -> np.ndarray:
        ids = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
        if ids.ndim != 2 or ids.dtype.kind not in "iu":
            raise ValueError(f"TinyGPT: ids must be a 2-D (batch, seq) integer array, got shape {ids.shape} "
                             f"and dtype {ids.dtype}")
        if ids.shape[1] > self.max_len:
            raise ValueError(f"TinyGPT: sequence length {ids.shape[1]} exceeds max_len={self.max_len}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            bad = ids.min() if ids.min() < 0 else ids.max()
            raise ValueError(f"TinyGPT: token id {bad} is out of range for vocab_size={self.vocab_size}")
        return ids

    def forward(self, ids) -> Tensor:
        ids = self._check_ids(ids)
        x = self.token_embedding(ids) + self.position_embedding(np.arange(ids.shape[1]))
        x = self.dropout(x)
        for block in self.blocks:
            x = block(x)
        return self.head(self.final_norm(x))

    @property
    def attention_weights(self) -> np.ndarray:
        if any(block.attention_weights is None for block in self.blocks):
            raise RuntimeError("TinyGPT: no attention weights yet; run a forward pass first")
        return np.stack([block.attention_weights.data for block in self.blocks])

    def generate(self, prompt_ids, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
                 seed: int | None = None, top_p: float | None = None) -> np.ndarray:
        """Extend ``prompt_ids`` by sampling one token at a time.

        Each step feeds the last ``max_len`` tokens (the whole window is recomputed: there is no
        key/value cache), divides the final position's logits by ``temperature`` (lower is
        greedier), keeps the ``top_k`` largest when given, then the nucleus of ``top_p`` when given,
        and samples from the softmax of what is kept. The model runs in eval mode under
        ``no_grad``; its mode is restored afterwards.

        Parameters
        ----------
        prompt_ids : array_like of int
            (L,) or (N, L), at least one token.
        max_new_tokens : int
            How many tokens to add.
        temperature : float, default 1.0
            Must be positive.
        top_k : int, optional
            Sample among the k most likely tokens only (top-k sampling; ties at the k-th value are
            all kept).
        seed : int, optional
            Seed for sampling; the same seed gives the same text. Without it, tinytorch's global
            generator is used.
        top_p : float, optional
            Nucleus sampling (Holtzman et al., 2019, "The Curious Case of Neural Text
            Degeneration"): sample among the smallest set of most likely tokens whose probabilities
            add up to at least ``top_p``, in (0, 1]. The most likely token is always kept.

        Returns
        -------
        numpy.ndarray
            The prompt followed by the new tokens, shaped like the prompt (L + max_new_tokens,) or
            (N, L + max_new_tokens).
        """
        ids = np.asarray(prompt_ids.data if isinstance(prompt_ids, Tensor) else prompt_ids)
        single = ids.ndim == 1
        ids = ids[None, :] if single else ids
        if ids.ndim != 2 or ids.shape[1] == 0:
            raise ValueError(f"generate: prompt must be (L,) or (N, L) with L >= 1, got shape {np.shape(prompt_ids)}")
        if temperature <= 0:
            raise ValueError(f"generate: temperature must be positive, got {temperature}")
        if top_k is not None and not 1 <= top_k <= self.vocab_size:
            raise ValueError(f"generate: top_k must be in [1, {self.vocab_size}], got {top_k}")
        if top_p is not None and not 0 < top_p <= 1:
            raise ValueError(f"generate: top_p must be in (0, 1], got {top_p}")
        rng = default_rng() if seed is None else np.random.default_rng(seed)
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                for _ in range(max_new_tokens):
                    logits = self(ids[:, -self.max_len:]).data[:, -1, :].astype(np.float64) / temperature
                    ids = np.concatenate([ids, _sample(logits, top_k, top_p, rng)[:, None]], axis=1)
        finally:
            self.train(was_training)
        return ids[0] if single else ids

    def extra_repr(self) -> str:
        return f"vocab_size={self.vocab_size}, max_len={self.max_len}"


def _sample(logits: np.ndarray, top_k: int | None, top_p: float | None, rng: np.random.Generator) -> np.ndarray:
    """One token id per row of ``logits`` (N, V), drawn from softmax(logits) kept to top k, then top p."""
    if top_k is not None:
        kth_largest = np.sort(logits, axis=-1)[:, -top_k][:, None]
        logits = np.where(logits < kth_largest, -np.inf, logits)
    probabilities = np.exp(log_softmax_array(logits))
    if top_p is not None:  # the nucleus: tokens whose more likely tokens hold less than top_p
        order = np.argsort(-probabilities, axis=-1, kind="stable")
        ranked = np.take_along_axis(probabilities, order, axis=-1)
        keep = np.empty(ranked.shape, dtype=bool)
        np.put_along_axis(keep, order, ranked.cumsum(axis=-1) - ranked < top_p, axis=-1)
        probabilities = np.where(keep, probabilities, 0.0)
    cumulative = probabilities.cumsum(axis=-1)
    draws = rng.random((logits.shape[0], 1)) * cumulative[:, -1:]
    return (cumulative <= draws).sum(axis=-1).clip(max=logits.shape[1] - 1)
