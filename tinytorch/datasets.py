"""Small deterministic data sets for the examples: nothing is downloaded.

Every generator takes a ``seed`` and draws from its own ``np.random.default_rng(seed)``, so the same
seed always gives the same data and the global generator is never touched. Features are float32;
class labels and tokens are int64.
"""
from typing import NamedTuple

import numpy as np

__all__ = ["logic_gate", "spirals", "moons", "ImageData", "shapes", "SHAPE_CLASSES",
           "reverse_sequences", "copy_sequences", "WORD_CLASSES", "WORD_ROLE", "toy_grammar_corpus"]

_GATES = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor,
          "nand": lambda a, b: ~np.logical_and(a, b)}


def _check_positive(name, **values):
    for key, value in values.items():
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name}: {key} must be a positive integer, got {value!r}")


def logic_gate(gate):
    """The four input pairs of a two-input logic gate and its outputs.

    Parameters
    ----------
    gate : {"and", "or", "xor", "nand"}
        The gate (case-insensitive).

    Returns
    -------
    X : ndarray of float32, shape (4, 2)
        The inputs 00, 01, 10, 11.
    y : ndarray of float32, shape (4,)
        The gate's output, 0.0 or 1.0 (float, ready for a binary cross-entropy).

    Examples
    --------
    >>> from tinytorch.datasets import logic_gate
    >>> X, y = logic_gate("xor")
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
    """
    key = str(gate).lower()
    if key not in _GATES:
        raise ValueError(f"logic_gate: unknown gate {gate!r}; choose one of {sorted(_GATES)}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = _GATES[key](X[:, 0] > 0, X[:, 1] > 0).astype(np.float32)
    return X, y


def spirals(n_per_class, n_classes=2, noise=0.1, seed=0):
    """Interleaved spiral arms in the plane, one arm per class.

    Arm ``k`` winds once around the origin, starting at angle ``2*pi*k/n_classes``, with radius
    growing from 0 to 1; Gaussian noise of standard deviation ``noise`` is added to each coordinate.

    Parameters
    ----------
    n_per_class : int
        Points per arm.
    n_classes : int, default 2
        Number of arms (classes).
    noise : float, default 0.1
        Standard deviation of the coordinate noise.
    seed : int, default 0
        Seed of the generator.

    Returns
    -------
    X : ndarray of float32, shape (N, 2)
        Points, N = n_per_class * n_classes, rows in random order.
    y : ndarray of int64, shape (N,)
        Arm index in ``0 .. n_classes-1``; each class appears exactly ``n_per_class`` times.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.datasets import spirals
    >>> X, y = spirals(100, n_classes=3, seed=0)
    >>> X.shape, X.dtype, np.bincount(y).tolist()
    ((300, 2), dtype('float32'), [100, 100, 100])
    """
    _check_positive("spirals", n_per_class=n_per_class, n_classes=n_classes)
    rng = np.random.default_rng(seed)
    t = np.linspace(0.05, 1.0, n_per_class)                      # (P,) position along the arm
    start = 2 * np.pi * np.arange(n_classes)[:, None] / n_classes  # (K, 1)
    angle = start + 2 * np.pi * t                                  # (K, P)
    points = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=-1).reshape(-1, 2)
    points = points + noise * rng.normal(size=points.shape)
    labels = np.repeat(np.arange(n_classes), n_per_class)
    order = rng.permutation(len(labels))
    return points[order].astype(np.float32), labels[order].astype(np.int64)


def moons(n, noise=0.1, seed=0):
    """Two interleaving half circles, as in scikit-learn's ``make_moons``.

    Class 0 is the upper arc ``(cos t, sin t)``, class 1 the lower arc ``(1 - cos t, 0.5 - sin t)``,
    ``t`` in ``[0, pi]``; Gaussian noise of standard deviation ``noise`` is added to each coordinate.

    Parameters
    ----------
    n : int
        Total number of points: ``n // 2`` in class 0, the rest in class 1.
    noise : float, default 0.1
        Standard deviation of the coordinate noise.
    seed : int, default 0
        Seed of the generator.

    Returns
    -------
    X : ndarray of float32, shape (n, 2)
        Points, rows in random order.
    y : ndarray of int64, shape (n,)
        0 or 1.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.datasets import moons
    >>> X, y = moons(201, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((201, 2), [100, 101])
    """
    _check_positive("moons", n=n)
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) >= n // 2).astype(np.int64)
    t = np.concatenate([np.linspace(0, np.pi, n // 2), np.linspace(0, np.pi, n - n // 2)])
    points = np.stack([np.cos(t), np.sin(t)], axis=-1)
    points = np.where(labels[:, None] == 0, points, np.array([1.0, 0.5]) - points)
    points = points + noise * rng.normal(size=points.shape)
    order = rng.permutation(n)
    return points[order].astype(np.float32), labels[order]


class ImageData(NamedTuple):
    """Images with integer labels and the name of each class (what :func:`shapes` returns)."""

    images: np.ndarray    #: float32, shape (N, 1, H, W)
    labels: np.ndarray    #: int64, shape (N,), index into ``class_names``
    class_names: tuple    #: str per class


SHAPE_CLASSES = ("horizontal bar", "vertical bar", "cross", "square", "ring")


def shapes(n, size=16, noise=0.1, seed=0):
    """Small grayscale images of five shapes at random positions and sizes.

    The classes (see ``SHAPE_CLASSES``) are a horizontal bar, a vertical bar, a cross (both bars),
    a square outline and a ring. Each shape has a random centre, a random half-width ``r`` between 3
    and ``size // 2 - 1`` pixels and a thin or thick stroke (bars 1 or 3 pixels wide, outlines 1 or 2),
    always fully inside the image; shape pixels are 1, background 0, then Gaussian noise of standard
    deviation ``noise`` is added.

    Parameters
    ----------
    n : int
        Number of images; the classes are balanced (counts differ by at most one).
    size : int, default 16
        Image height and width, at least 8.
    noise : float, default 0.1
        Standard deviation of the additive pixel noise.
    seed : int, default 0
        Seed of the generator.

    Returns
    -------
    ImageData
        ``images`` float32 (N, 1, H, W) with N = n and H = W = size (NCHW, one channel);
        ``labels`` int64 (N,); ``class_names`` the tuple ``SHAPE_CLASSES``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.datasets import shapes
    >>> images, labels, class_names = shapes(50, size=16, seed=0)
    >>> images.shape, images.dtype, labels.dtype
    ((50, 1, 16, 16), dtype('float32'), dtype('int64'))
    >>> np.bincount(labels).tolist(), class_names[4]
    ([10, 10, 10, 10, 10], 'ring')
    """
    _check_positive("shapes", n=n, size=size)
    if size < 8:
        raise ValueError(f"shapes: size must be at least 8 pixels, got {size}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(SHAPE_CLASSES)).astype(np.int64)
    # One parameter per image, shaped (N, 1, 1) to broadcast against the pixel grid (H, W).
    radius = rng.integers(3, size // 2, size=n)[:, None, None]            # half-width r
    stroke = rng.integers(1, 3, size=n)[:, None, None]                    # thin or thick
    cy = radius + (rng.random((n, 1, 1)) * (size - 2 * radius)).astype(int)
    cx = radius + (rng.random((n, 1, 1)) * (size - 2 * radius)).astype(int)
    rows, cols = np.mgrid[0:size, 0:size]
    dy, dx = np.abs(rows - cy), np.abs(cols - cx)                          # (N, H, W)
    half = stroke - 1                     # a stroke of 1 covers |d| <= 0, of 2 covers |d| <= 1
    horizontal = (dy <= half) & (dx <= radius)
    vertical = (dx <= half) & (dy <= radius)
    chebyshev, euclid = np.maximum(dy, dx), np.hypot(dy, dx)
    square = (chebyshev <= radius) & (chebyshev > radius - stroke)
    ring = (euclid <= radius + 0.5) & (euclid > radius - stroke + 0.5)
    masks = np.stack([horizontal, vertical, horizontal | vertical, square, ring])  # (C, N, H, W)
    pixels = masks[labels, np.arange(n)].astype(np.float32)
    pixels += noise * rng.normal(size=pixels.shape).astype(np.float32)
    return ImageData(pixels[:, None], labels, SHAPE_CLASSES)


def _random_tokens(name, n, length, vocab_size, seed):
    _check_positive(name, n=n, length=length, vocab_size=vocab_size)
    return np.random.default_rng(seed).integers(0, vocab_size, size=(n, length), dtype=np.int64)


def reverse_sequences(n, length, vocab_size, seed=0):
    """Random token sequences and their reversals: a task that needs attention across positions.

    Parameters
    ----------
    n : int
        Number of sequences.
    length : int
        Tokens per sequence.
    vocab_size : int
        Tokens are drawn uniformly from ``0 .. vocab_size-1``.
    seed : int, default 0
        Seed of the generator.

    Returns
    -------
    inputs : ndarray of int64, shape (N, T)
        N = n sequences of T = length tokens.
    targets : ndarray of int64, shape (N, T)
        ``targets[:, i] == inputs[:, T - 1 - i]``.

    Examples
    --------
    >>> from tinytorch.datasets import reverse_sequences
    >>> inputs, targets = reverse_sequences(2, 5, vocab_size=10, seed=0)
    >>> bool((targets == inputs[:, ::-1]).all()), inputs.shape
    (True, (2, 5))
    """
    inputs = _random_tokens("reverse_sequences", n, length, vocab_size, seed)
    return inputs, inputs[:, ::-1].copy()


def copy_sequences(n, length, vocab_size, shift=0, seed=0):
    """Random token sequences and copies of them, cyclically shifted by ``shift`` positions.

    With ``shift=0`` the target equals the input (each position attends to itself); with
    ``shift=k`` position ``i`` must fetch the token at ``i - k`` (mod T), an off-diagonal pattern.

    Parameters
    ----------
    n : int
        Number of sequences.
    length : int
        Tokens per sequence.
    vocab_size : int
        Tokens are drawn uniformly from ``0 .. vocab_size-1``.
    shift : int, default 0
        Cyclic shift of the target: ``targets[:, i] == inputs[:, (i - shift) % T]``.
    seed : int, default 0
        Seed of the generator.

    Returns
    -------
    inputs, targets : ndarray of int64, shape (N, T)
        N = n sequences of T = length tokens.

    Examples
    --------
    >>> from tinytorch.datasets import copy_sequences
    >>> inputs, targets = copy_sequences(1, 5, vocab_size=10, shift=1, seed=0)
    >>> inputs[0, :4].tolist() == targets[0, 1:].tolist()
    True
    """
    inputs = _random_tokens("copy_sequences", n, length, vocab_size, seed)
    return inputs, np.roll(inputs, shift, axis=1)


#: The toy grammar's word classes: role -> words. Words of one role are interchangeable in every
#: sentence, and no word has two roles. ``noun`` words are subjects, ``place`` words follow a
#: preposition.
WORD_CLASSES = {
    "determiner": ("the", "a", "every", "some"),
    "adjective": ("big", "small", "red", "lazy", "happy", "quiet"),
    "noun": ("cat", "dog", "bird", "fox", "mouse", "rabbit"),
    "verb": ("sat", "slept", "stood", "waited", "played", "jumped"),
    "preposition": ("on", "under", "near", "behind", "beside"),
    "place": ("mat", "rug", "box", "bed", "chair", "table"),
    "punctuation": (".",),
}
#: word -> its role in ``WORD_CLASSES``.
WORD_ROLE = {word: role for role, words in WORD_CLASSES.items() for word in words}


def toy_grammar_corpus(n_sentences, seed=0, p_adjective=0.3, p_place=0.7):
    """Sentences from a toy grammar, such as ``"the cat sat on the mat ."``.

    Grammar: ``determiner [adjective] noun verb [preposition determiner [adjective] place] .``;
    each bracketed part is present with probability ``p_adjective`` / ``p_place``, and every word is
    drawn uniformly from its class in ``WORD_CLASSES`` (``WORD_ROLE`` maps a word to its role).

    Parameters
    ----------
    n_sentences : int
        Number of sentences.
    seed : int, default 0
        Seed of the generator.
    p_adjective : float, default 0.3
        Probability that a noun or place gets an adjective.
    p_place : float, default 0.7
        Probability that the sentence has a prepositional phrase.

    Returns
    -------
    list of str
        Sentences, words separated by single spaces, each ending in ``" ."``.

    Examples
    --------
    >>> from tinytorch.datasets import toy_grammar_corpus, WORD_ROLE
    >>> corpus = toy_grammar_corpus(3, seed=0)
    >>> len(corpus), all(s.endswith(" .") for s in corpus)
    (3, True)
    >>> [WORD_ROLE[w] for w in "the cat sat on the mat .".split()][:4]
    ['determiner', 'noun', 'verb', 'preposition']
    """
    _check_positive("toy_grammar_corpus", n_sentences=n_sentences)
    rng = np.random.default_rng(seed)
    slots = ["determiner", "adjective", "noun", "verb",
             "preposition", "determiner", "adjective", "place", "punctuation"]
    # One column per slot: draw a word for every (sentence, slot), then blank the optional ones.
    words = np.stack([np.array(WORD_CLASSES[role])[rng.integers(len(WORD_CLASSES[role]),
                                                                  size=n_sentences)]
                      for role in slots], axis=1).astype(object)        # (S, 9)
    keep = np.ones(words.shape, dtype=bool)
    keep[:, [1, 6]] = rng.random((n_sentences, 2)) < p_adjective
    keep[:, 4:8] &= (rng.random(n_sentences) < p_place)[:, None]
    return [" ".join(row[mask]) for row, mask in zip(words, keep)]
