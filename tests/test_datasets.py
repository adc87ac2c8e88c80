"""The data-set generators: shapes, dtypes, classes, balance, determinism and bad input."""
import numpy as np
import pytest

from tinytorch import datasets as ds


@pytest.mark.parametrize("gate, expected", [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]),
                                            ("xor", [0, 1, 1, 0]), ("NAND", [1, 1, 1, 0])])
def test_logic_gate_truth_tables(gate, expected):
    X, y = ds.logic_gate(gate)
    assert X.shape == (4, 2) and X.dtype == np.float32 and y.dtype == np.float32
    # Recompute each output from its own input row with Python's operators.
    ops = {"and": lambda a, b: a and b, "or": lambda a, b: a or b,
           "xor": lambda a, b: a != b, "nand": lambda a, b: not (a and b)}
    assert [float(ops[gate.lower()](bool(a), bool(b))) for a, b in X] == y.tolist() == expected


def test_logic_gate_unknown_name():
    with pytest.raises(ValueError, match="'nor'"):
        ds.logic_gate("nor")


# Each generator called with a seed; returns the arrays that must be reproducible.
GENERATORS = {
    "spirals": lambda seed: ds.spirals(50, n_classes=3, seed=seed),
    "moons": lambda seed: ds.moons(101, seed=seed),
    "shapes": lambda seed: ds.shapes(40, seed=seed)[:2],
    "reverse": lambda seed: ds.reverse_sequences(20, 8, 12, seed=seed),
    "copy": lambda seed: ds.copy_sequences(20, 8, 12, shift=2, seed=seed),
    "repeated": lambda seed: ds.repeated_sequences(20, seed=seed),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_data_other_seed_other_data(name):
    first, again, other = (GENERATORS[name](s) for s in (3, 3, 4))
    for a, b, c in zip(first, again, other):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_generators_leave_the_global_numpy_state_alone():
    state = np.random.get_state()[1].copy()
    for make in GENERATORS.values():
        make(0)
    ds.toy_grammar_corpus(5)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_spirals_shapes_balance_and_radius():
    X, y = ds.spirals(70, n_classes=4, noise=0.0, seed=0)
    assert X.shape == (280, 2) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [70] * 4
    assert np.linalg.norm(X, axis=1).max() <= 1.0 + 1e-6
    # Without noise, arm k's outermost point sits at angle 2*pi*k/K (one full turn later).
    for k in range(4):
        outer = X[y == k][np.argmax(np.linalg.norm(X[y == k], axis=1))]
        angle = 2 * np.pi * k / 4
        np.testing.assert_allclose(outer, [np.cos(angle), np.sin(angle)], atol=1e-5)
    assert not np.array_equal(y, np.sort(y)), "rows should be shuffled"


def test_moons_balance_and_arcs():
    X, y = ds.moons(99, noise=0.0, seed=0)
    assert X.shape == (99, 2) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [49, 50]
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(X[y == 1] - [1.0, 0.5], axis=1), 1.0, atol=1e-6)
    assert (X[y == 0, 1] >= -1e-6).all() and (X[y == 1, 1] <= 0.5 + 1e-6).all()


def test_noise_scales_the_spread():
    X0, _ = ds.moons(500, noise=0.0, seed=1)
    X1, _ = ds.moons(500, noise=0.3, seed=1)
    spread = np.std(X1 - X0)     # same seed, same order: the difference is the noise alone
    assert 0.25 < spread < 0.35


def test_shapes_layout_and_balance():
    images, labels, names = ds.shapes(103, size=12, seed=0)
    assert images.shape == (103, 1, 12, 12) and images.dtype == np.float32
    assert labels.dtype == np.int64 and names == ds.SHAPE_CLASSES and len(names) >= 4
    counts = np.bincount(labels, minlength=len(names))
    assert counts.max() - counts.min() <= 1 and counts.sum() == 103


def test_shapes_classes_look_like_their_names():
    images, labels, names = ds.shapes(500, size=16, noise=0.0, seed=2)
    on = images[:, 0] > 0.5                                        # (N, H, W)
    assert set(np.unique(images)) == {0.0, 1.0}
    rows_used, cols_used = on.any(axis=2).sum(axis=1), on.any(axis=1).sum(axis=1)
    # Pixel at the shape's own centre: the middle of its bounding box.
    rr, cc = np.nonzero(on.any(axis=2)), np.nonzero(on.any(axis=1))
    first_row = np.minimum.reduceat(rr[1], np.searchsorted(rr[0], np.arange(500)))
    first_col = np.minimum.reduceat(cc[1], np.searchsorted(cc[0], np.arange(500)))
    centre = on[np.arange(500), first_row + rows_used // 2, first_col + cols_used // 2]
    name = np.array(names)[labels]
    bar_h, bar_v = name == "horizontal bar", name == "vertical bar"
    assert (cols_used[bar_h] > rows_used[bar_h]).all() and (rows_used[bar_h] <= 3).all()
    assert (rows_used[bar_v] > cols_used[bar_v]).all() and (cols_used[bar_v] <= 3).all()
    assert centre[bar_h | bar_v | (name == "cross")].all()
    hollow = (name == "square") | (name == "ring")
    assert not centre[hollow].any()
    # A square outline fills its bounding box's corners; a ring does not.
    corner = on[np.arange(500), first_row, first_col]
    assert corner[name == "square"].all() and not corner[name == "ring"].any()
    # A cross is wider and taller than a bar's stroke and has its top-left corner empty.
    cross = name == "cross"
    assert (rows_used[cross] >= 7).all() and (cols_used[cross] >= 7).all()
    assert not corner[cross].any()


@pytest.mark.parametrize("bad, message", [(dict(n=0), "n must be a positive integer, got 0"),
                                          (dict(n=5, size=6), "size must be at least 8")])
def test_shapes_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        ds.shapes(**bad)


def test_sequence_tasks():
    inputs, targets = ds.reverse_sequences(30, 7, vocab_size=5, seed=0)
    assert inputs.shape == targets.shape == (30, 7) and inputs.dtype == np.int64
    assert inputs.min() >= 0 and inputs.max() < 5 and len(np.unique(inputs)) == 5
    for i in range(7):
        np.testing.assert_array_equal(targets[:, i], inputs[:, 6 - i])
    inputs, targets = ds.copy_sequences(30, 7, vocab_size=5, shift=3, seed=0)
    for i in range(7):
        np.testing.assert_array_equal(targets[:, i], inputs[:, (i - 3) % 7])
    inputs, targets = ds.copy_sequences(4, 6, vocab_size=9)
    np.testing.assert_array_equal(inputs, targets)
    with pytest.raises(ValueError, match="vocab_size must be a positive integer, got 0"):
        ds.reverse_sequences(3, 4, vocab_size=0)


def test_toy_grammar_follows_the_grammar():
    corpus = ds.toy_grammar_corpus(400, seed=0)
    assert len(corpus) == 400 and corpus == ds.toy_grammar_corpus(400, seed=0)
    assert corpus != ds.toy_grammar_corpus(400, seed=1)
    short = ["determiner", "noun", "verb", "punctuation"]
    place = ["preposition", "determiner", "place"]
    patterns = set()
    for sentence in corpus:
        roles = [ds.WORD_ROLE[w] for w in sentence.split(" ")]
        core = [r for r in roles if r != "adjective"]
        assert core in (short, short[:3] + place + short[3:]), sentence
        assert all(roles[i + 1] in ("noun", "place") for i, r in enumerate(roles) if r == "adjective")
        patterns.add((len(core), roles.count("adjective")))
    assert {(4, 0), (4, 1), (7, 0), (7, 1), (7, 2)} <= patterns
    used = {w for s in corpus for w in s.split()}
    assert used == set(ds.WORD_ROLE), "400 sentences should use every word"


def test_word_classes_are_disjoint():
    words = [w for group in ds.WORD_CLASSES.values() for w in group]
    assert len(words) == len(set(words)) == len(ds.WORD_ROLE)
    assert {"determiner", "adjective", "noun", "verb", "preposition"} <= set(ds.WORD_CLASSES)


def test_repeated_sequences_periods_distinct_tokens_and_repetition():
    inputs, targets, repeated, periods = ds.repeated_sequences(500, length=24, vocab_size=64,
                                                               period=(6, 12), seed=1)
    assert inputs.shape == targets.shape == repeated.shape == (500, 24)
    assert inputs.dtype == targets.dtype == periods.dtype == np.int64 and repeated.dtype == bool
    assert periods.min() == 6 and periods.max() == 12, "both ends of the range are drawn"
    assert set(np.bincount(periods)[6:]) != {0}
    assert inputs.min() >= 0 and inputs.max() < 64
    for row, target, rep, k in zip(inputs, targets, repeated, periods):
        assert len(set(row[:k].tolist())) == k, "the tokens of one period are distinct"
        np.testing.assert_array_equal(row, np.resize(row[:k], 24))        # repeated to fill T
        np.testing.assert_array_equal(target[:-1], row[1:])               # next token
        assert target[-1] == row[(24) % k], "the last target continues the pattern"
        # repeated: exactly where the input token occurred earlier in the row
        seen = [row[i] in row[:i] for i in range(24)]
        assert rep.tolist() == seen


def test_repeated_sequences_fixed_period_and_token_spread():
    inputs, _, repeated, periods = ds.repeated_sequences(300, period=8, seed=0)
    assert (periods == 8).all() and (repeated.sum(axis=1) == 24 - 8).all()
    # every token of the vocabulary turns up, none is favoured more than chance allows
    counts = np.bincount(inputs[:, :8].ravel(), minlength=64)
    assert counts.min() > 0 and counts.max() < 3 * counts.mean()


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, "n must be a positive integer"),
    ({"n": 2, "length": 2.5}, "length must be a positive integer"),
    ({"n": 2, "period": (8, 6)}, "2 <= low <= high"),
    ({"n": 2, "period": 1}, "2 <= low <= high"),
    ({"n": 2, "period": 0}, "min_period must be a positive integer"),
    ({"n": 2, "vocab_size": 10, "period": (6, 12)}, "vocab_size=10 is smaller than the largest period 12"),
])
def test_repeated_sequences_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ds.repeated_sequences(**kwargs)


def test_toy_grammar_agreement_option():
    """agreement=True: the phrase sits between subject and verb, and the verb agrees in number."""
    assert ds.toy_grammar_corpus(50, seed=4) == ds.toy_grammar_corpus(50, seed=4, agreement=False)
    corpus = ds.toy_grammar_corpus(400, seed=0, agreement=True)
    assert corpus == ds.toy_grammar_corpus(400, seed=0, agreement=True)
    assert corpus != ds.toy_grammar_corpus(400, seed=1, agreement=True)
    role = {**{w: (r, None) for w, r in ds.WORD_ROLE.items()}, **ds.AGREEMENT_ROLE}
    short = ["determiner", "noun", "verb", "punctuation"]
    phrase = ["preposition", "determiner", "place"]
    numbers, separated = [], 0
    for sentence in corpus:
        words = sentence.split(" ")
        roles = [role[w][0] for w in words]
        core = [r for r in roles if r != "adjective"]
        assert core in (short, short[:2] + phrase + short[2:]), sentence
        assert words[0] in ("the", "some"), sentence
        noun, = (w for w in words if role[w][0] == "noun")
        verb, = (w for w in words if role[w][0] == "verb")
        assert role[noun][1] == role[verb][1] in ("singular", "plural"), sentence
        numbers.append(role[noun][1])
        separated += len(core) == 7
    assert 150 < numbers.count("plural") < 250, "about half the subjects are plural"
    assert 0.6 < separated / 400 < 0.8, "p_place = 0.7 of the verbs are separated from the subject"
    used = {w for s in corpus for w in s.split()}
    assert set(ds.AGREEMENT_ROLE) <= used, "400 sentences should use every noun and verb form"
    assert not used & set(ds.WORD_CLASSES["verb"]), "no past-tense verbs under agreement"
