"""Token sequences for attention (reversal, shifted copy, repeated blocks) and a toy-grammar corpus."""
import numpy as np

from ._checks import check_positive

__all__ = ["reverse_sequences", "copy_sequences", "repeated_sequences", "WORD_CLASSES", "WORD_ROLE",
           "AGREEMENT_CLASSES", "AGREEMENT_ROLE", "toy_grammar_corpus"]


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

#: The subjects and verbs of ``toy_grammar_corpus(..., agreement=True)``, a dict from
#: ``(role, number)`` to words: a subject is a singular or a plural noun, and its verb, in the
#: present tense, agrees with it in number.
AGREEMENT_CLASSES = {
    ("noun", "singular"): WORD_CLASSES["noun"],
    ("noun", "plural"): ("cats", "dogs", "birds", "foxes", "mice", "rabbits"),
    ("verb", "singular"): ("sits", "sleeps", "stands", "waits", "plays", "jumps"),
    ("verb", "plural"): ("sit", "sleep", "stand", "wait", "play", "jump"),
}
#: word -> ``(role, number)`` for the words of ``AGREEMENT_CLASSES``.
AGREEMENT_ROLE = {word: key for key, words in AGREEMENT_CLASSES.items() for word in words}
#: The subject's determiners under ``agreement=True``: they fit both numbers.
_BOTH_NUMBERS = ("the", "some")


def toy_grammar_corpus(n_sentences, seed=0, p_adjective=0.3, p_place=0.7, agreement=False):
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
    agreement : bool, default False
        Number agreement across a phrase, a long-range dependency: the grammar becomes
        ``determiner [adjective] noun [preposition determiner [adjective] place] verb .``,
        the prepositional phrase now *between* the subject and its verb. The subject is
        singular or plural with probability 1/2 each, its determiner is *the* or *some*, and
        the verb, in the present tense, agrees with it (``AGREEMENT_CLASSES``;
        ``AGREEMENT_ROLE`` maps those words to their role and number): *the cats near the box
        sleep .* Places stay singular. With the default ``False`` the corpus is unchanged.

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
    >>> toy_grammar_corpus(2, seed=3, agreement=True)
    ['some rabbits behind the table sleep .', 'the foxes behind the bed stand .']
    """
    check_positive("toy_grammar_corpus", n_sentences=n_sentences)
    rng = np.random.default_rng(seed)
    if agreement:
        return _agreement_corpus(rng, n_sentences, p_adjective, p_place)
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


def repeated_sequences(n, length=24, vocab_size=64, period=(6, 12), seed=0):
    """Sequences that repeat a random block of distinct tokens: the task induction heads solve.

    Each sequence draws a period K (uniformly from ``period``, both ends included) and K distinct
    tokens, then repeats them to fill ``length`` positions: ``A B C D A B C D A ...``. A model
    trained to predict the next token can predict nothing better than chance on the first K - 1
    targets (each is a token it has not seen), but from position K on the input token occurred
    earlier, and the target is the token that followed it then. Copying that token is what an
    induction head does (Olsson et al., 2022, "In-context Learning and Induction Heads"; their
    test sequences repeat random tokens in the same way).

    Parameters
    ----------
    n : int
        Number of sequences.
    length : int, default 24
        Tokens per input sequence.
    vocab_size : int, default 64
        Tokens are drawn from ``0 .. vocab_size-1``; at least the largest period.
    period : int or (int, int), default (6, 12)
        The period K, or the inclusive range it is drawn from. A fixed period lets a model predict
        the repeated part by position alone (attend K - 1 positions back), without induction.
    seed : int, default 0
        Seed of the generator.

    Returns
    -------
    inputs : ndarray of int64, shape (N, T)
        N = n sequences of T = length tokens; ``inputs[b, i] == inputs[b, i % K_b]``.
    targets : ndarray of int64, shape (N, T)
        The next token: ``targets[b, i] == inputs[b, i + 1]``, and the last target continues the
        pattern.
    repeated : ndarray of bool, shape (N, T)
        True where the input token occurred earlier in its sequence (position i >= K_b): the
        repeated part, whose targets an induction head can copy.
    periods : ndarray of int64, shape (N,)
        Each sequence's period K_b. Targets at positions ``i < K_b - 1`` are first occurrences.

    Raises
    ------
    ValueError
        For a non-positive ``n``, ``length`` or ``vocab_size``, a period range that is empty or
        starts below 2, or a vocabulary smaller than the largest period.

    Examples
    --------
    >>> from tinytorch.datasets import repeated_sequences
    >>> inputs, targets, repeated, periods = repeated_sequences(
    ...     2, length=10, vocab_size=20, period=(3, 5), seed=0)
    >>> inputs.shape, periods.tolist()
    ((2, 10), [5, 4])
    >>> inputs[1].tolist()
    [0, 11, 14, 18, 0, 11, 14, 18, 0, 11]
    >>> targets[1, :4].tolist(), repeated[1].astype(int).tolist()
    ([11, 14, 18, 0], [0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    """
    check_positive("repeated_sequences", n=n, length=length, vocab_size=vocab_size)
    low, high = (period, period) if isinstance(period, (int, np.integer)) else tuple(period)
    check_positive("repeated_sequences", min_period=low, max_period=high)
    if not 2 <= low <= high:
        raise ValueError(f"repeated_sequences: period must be an integer >= 2 or a range (low, high) "
                         f"with 2 <= low <= high, got {period!r}")
    if vocab_size < high:
        raise ValueError(f"repeated_sequences: vocab_size={vocab_size} is smaller than the largest "
                         f"period {high}: a period needs that many distinct tokens")
    rng = np.random.default_rng(seed)
    periods = rng.integers(low, high + 1, size=n, dtype=np.int64)
    # K distinct tokens per row: the first columns of a random permutation of the vocabulary
    blocks = rng.random((n, vocab_size)).argsort(axis=1)[:, :high]       # (N, K_max)
    where = np.arange(length + 1) % periods[:, None]                     # (N, T + 1)
    stream = np.take_along_axis(blocks, where, axis=1).astype(np.int64)
    repeated = np.arange(length) >= periods[:, None]
    return stream[:, :-1], stream[:, 1:], repeated, periods


def _agreement_corpus(rng, n, p_adjective, p_place):
    """toy_grammar_corpus(..., agreement=True): the phrase between subject and verb."""
    def draw(words):
        return np.array(words)[rng.integers(len(words), size=n)]

    plural = rng.random(n) < 0.5
    number = {False: "singular", True: "plural"}
    noun, verb = ({flag: draw(AGREEMENT_CLASSES[role, number[flag]]) for flag in (False, True)}
                  for role in ("noun", "verb"))
    classes = WORD_CLASSES
    words = np.stack([draw(_BOTH_NUMBERS), draw(classes["adjective"]),
                      np.where(plural, noun[True], noun[False]),
                      draw(classes["preposition"]), draw(classes["determiner"]),
                      draw(classes["adjective"]), draw(classes["place"]),
                      np.where(plural, verb[True], verb[False]), np.full(n, ".")],
                     axis=1).astype(object)                              # (S, 9)
    keep = np.ones(words.shape, dtype=bool)
    keep[:, [1, 5]] = rng.random((n, 2)) < p_adjective
    keep[:, 3:7] &= (rng.random(n) < p_place)[:, None]
    return [" ".join(row[mask]) for row, mask in zip(words, keep)]
