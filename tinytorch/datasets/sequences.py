"""Token sequences for attention (reversal, shifted copy) and a toy-grammar text corpus."""
import numpy as np

from ._checks import check_positive

__all__ = ["reverse_sequences", "copy_sequences", "WORD_CLASSES", "WORD_ROLE", "toy_grammar_corpus"]


def _random_tokens(name, n, length, vocab_size, seed):
    check_positive(name, n=n, length=length, vocab_size=vocab_size)
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


#: The toy grammar's word classes, a dict from role to words. Words of one role are interchangeable in every
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
    check_positive("toy_grammar_corpus", n_sentences=n_sentences)
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
