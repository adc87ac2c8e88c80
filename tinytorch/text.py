"""Tokenizers: turn text into integer ids and back.

Two tokenizers share one vocabulary policy:

- :class:`CharTokenizer` -- one token per character (``"cat" -> c, a, t``).
- :class:`WordTokenizer` -- words and punctuation marks (``"mat." -> mat, .``).

Vocabulary order (deterministic, the same for both)
    The four special tokens come first with fixed ids: ``<pad>`` = 0, ``<unk>`` = 1,
    ``<bos>`` = 2, ``<eos>`` = 3. Then every token seen by :meth:`fit`, by count
    (most frequent first), ties broken alphabetically (by code point).

Unknown-token policy
    ``encode`` never fails on text: a token that is not in the vocabulary (never
    seen, or dropped by ``min_freq`` / ``max_size``) becomes ``<unk>`` (id 1), and
    ``decode`` writes it back as the string ``"<unk>"``. ``decode`` of an id outside
    ``[0, vocab_size)`` raises a ``ValueError`` that names the id and the vocabulary
    size.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np

__all__ = ["CharTokenizer", "WordTokenizer", "SPECIAL_TOKENS"]

SPECIAL_TOKENS = ("<pad>", "<unk>", "<bos>", "<eos>")

# A word is a run of letters, digits or underscores; every other non-space character
# (punctuation, symbols) is a token of its own.
_WORD_RE = re.compile(r"\w+|[^\w\s]")
_NO_SPACE_BEFORE = re.compile(r" ([.,;:!?%)\]}])")
_NO_SPACE_AFTER = re.compile(r"([(\[{$]) ")
_APOSTROPHE = re.compile(r" ?' ?")


class _Tokenizer:
    """Shared vocabulary logic; subclasses define ``_split`` and ``_join``."""

    pad_token, unk_token, bos_token, eos_token = SPECIAL_TOKENS
    pad_id, unk_id, bos_id, eos_id = range(4)

    def __init__(self, min_freq: int = 1, max_size: int | None = None):
        if not isinstance(min_freq, (int, np.integer)) or min_freq < 1:
            raise ValueError(f"{type(self).__name__}: min_freq must be an integer >= 1, got {min_freq!r}")
        if max_size is not None and (not isinstance(max_size, (int, np.integer))
                                     or max_size < len(SPECIAL_TOKENS)):
            raise ValueError(f"{type(self).__name__}: max_size must be None or an integer >= "
                             f"{len(SPECIAL_TOKENS)} (the special tokens), got {max_size!r}")
        self.min_freq = int(min_freq)
        self.max_size = None if max_size is None else int(max_size)
        self.itos: list[str] = []
        self.stoi: dict[str, int] = {}

    # --- vocabulary -------------------------------------------------------------------
    def fit(self, text: str | Iterable[str]):
        """Build the vocabulary from a text or a list of texts; return ``self``.

        Fitting again replaces the vocabulary.
        """
        texts = [text] if isinstance(text, str) else list(text)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"{type(self).__name__}.fit: expected a str or a list of str, "
                                f"item {i} is {type(t).__name__}")
        counts = Counter(token for t in texts for token in self._split(t))
        kept = sorted((tok for tok, n in counts.items() if n >= self.min_freq),
                      key=lambda tok: (-counts[tok], tok))
        if self.max_size is not None:
            kept = kept[: self.max_size - len(SPECIAL_TOKENS)]
        self.itos = list(SPECIAL_TOKENS) + kept
        self.stoi = {tok: i for i, tok in enumerate(self.itos)}
        return self

    @property
    def vocab(self) -> list[str]:
        """The tokens in id order (``vocab[i]`` is the token with id ``i``); same as ``itos``."""
        return list(self.itos)

    @property
    def vocab_size(self) -> int:
        """Number of tokens, special tokens included."""
        return len(self.itos)

    def __len__(self) -> int:
        return self.vocab_size

    def _check_fitted(self, op: str) -> None:
        if not self.itos:
            raise ValueError(f"{type(self).__name__}.{op}: the tokenizer has no vocabulary yet; "
                             "call fit(text) first")

    # --- encode / decode --------------------------------------------------------------
    def tokenize(self, text: str) -> list[str]:
        """Split ``text`` into token strings (no vocabulary lookup)."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.tokenize: expected str, got {type(text).__name__}")
        return self._split(text)

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        """Map ``text`` to a list of ids; unknown tokens become ``<unk>`` (id 1).

        With ``add_special_tokens=True`` the ids are wrapped in ``<bos>`` ... ``<eos>``.
        Use ``np.array(tok.encode(text))`` for an array.
        """
        self._check_fitted("encode")
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.encode: expected str, got {type(text).__name__}")
        ids = [self.stoi.get(tok, self.unk_id) for tok in self._split(text)]
        if add_special_tokens:
            ids = [self.bos_id, *ids, self.eos_id]
        return ids

    def decode(self, ids, skip_special_tokens: bool = True) -> str:
        """Map ids (list, 1-D array or Tensor of ints) back to text.

        ``<pad>``, ``<bos>`` and ``<eos>`` are dropped unless ``skip_special_tokens`` is
        False; ``<unk>`` is always written as ``"<unk>"``. An id outside
        ``[0, vocab_size)`` raises ``ValueError``.
        """
        self._check_fitted("decode")
        arr = np.asarray(getattr(ids, "data", ids))
        name = type(self).__name__
        if arr.size == 0:
            return ""
        if arr.ndim != 1:
            raise ValueError(f"{name}.decode: expected a 1-D sequence of ids, got shape {arr.shape}")
        if not np.issubdtype(arr.dtype, np.integer):
            if np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
                arr = arr.astype(np.int64)
            else:
                raise TypeError(f"{name}.decode: ids must be integers, got dtype {arr.dtype}")
        bad = np.flatnonzero((arr < 0) | (arr >= self.vocab_size))
        if bad.size:
            raise ValueError(f"{name}.decode: token id {int(arr[bad[0]])} (position {int(bad[0])}) is "
                             f"out of range for a vocabulary of size {self.vocab_size}; "
                             f"ids must be in [0, {self.vocab_size})")
        if skip_special_tokens:
            arr = arr[~np.isin(arr, [self.pad_id, self.bos_id, self.eos_id])]
        return self._join([self.itos[i] for i in arr.tolist()])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(vocab_size={self.vocab_size})"


class CharTokenizer(_Tokenizer):
    """Character-level tokenizer: one id per character.

    Parameters
    ----------
    min_freq : int, optional
        Characters seen fewer times by :meth:`fit` map to ``<unk>``. Default: 1.
    max_size : int or None, optional
        Cap on the vocabulary size (special tokens included); the rarest characters
        are dropped first. Default: ``None`` (no cap).

    Attributes
    ----------
    itos : list of str
        Token of each id; ``vocab`` returns a copy.
    stoi : dict
        Id of each token.

    Shape
    -----
    ``encode`` turns a string of L characters into L ids (L + 2 with
    ``add_special_tokens=True``); ``decode`` takes a 1-D sequence of ids.

    Examples
    --------
    >>> from tinytorch.text import CharTokenizer
    >>> tok = CharTokenizer().fit("hello")
    >>> tok.vocab
    ['<pad>', '<unk>', '<bos>', '<eos>', 'l', 'e', 'h', 'o']
    >>> tok.encode("hole")
    [6, 7, 4, 5]
    >>> tok.decode(tok.encode("hello"))
    'hello'
    >>> tok.decode(tok.encode("help"))  # 'p' was never seen
    'hel<unk>'
    """

    def _split(self, text: str) -> list[str]:
        return list(text)

    def _join(self, tokens: list[str]) -> str:
        return "".join(tokens)


class WordTokenizer(_Tokenizer):
    """Word-level tokenizer: words and punctuation marks are separate tokens.

    Splitting: a word is a run of letters, digits and underscores (regex ``\\w+``); each
    other non-space character is a token of its own, so ``"mat."`` gives ``mat`` and
    ``.``, and ``"don't"`` gives ``don``, ``'``, ``t``. Whitespace only separates.

    Joining (``decode``): tokens are joined by single spaces, except that ``. , ; : ! ?
    % ) ] }`` attach to the token before, ``( [ { $`` to the token after, and ``'``
    to both. So ``decode(encode(text)) == text`` whenever ``text`` is spaced this way
    (single spaces, no space before a full stop, ...) and has no unknown words.

    Parameters
    ----------
    lower : bool, optional
        Lower-case text before splitting (in ``fit`` and ``encode``). Default: ``False``.
    min_freq : int, optional
        Words seen fewer times by :meth:`fit` map to ``<unk>``. Default: 1.
    max_size : int or None, optional
        Cap on the vocabulary size (special tokens included). Default: ``None``.

    Shape
    -----
    ``encode`` turns a string of W words and punctuation marks into W ids.

    Examples
    --------
    >>> from tinytorch.text import WordTokenizer
    >>> tok = WordTokenizer().fit("the cat sat on the mat.")
    >>> tok.vocab[4:]
    ['the', '.', 'cat', 'mat', 'on', 'sat']
    >>> tok.tokenize("the cat sat on the mat.")
    ['the', 'cat', 'sat', 'on', 'the', 'mat', '.']
    >>> tok.encode("the dog sat.", add_special_tokens=True)
    [2, 4, 1, 9, 5, 3]
    >>> tok.decode(tok.encode("the cat sat on the mat."))
    'the cat sat on the mat.'
    """

    def __init__(self, lower: bool = False, min_freq: int = 1, max_size: int | None = None):
        super().__init__(min_freq=min_freq, max_size=max_size)
        self.lower = bool(lower)

    def _split(self, text: str) -> list[str]:
        return _WORD_RE.findall(text.lower() if self.lower else text)

    def _join(self, tokens: list[str]) -> str:
        text = " ".join(tokens)
        text = _NO_SPACE_BEFORE.sub(r"\1", text)
        text = _NO_SPACE_AFTER.sub(r"\1", text)
        return _APOSTROPHE.sub("'", text)
