"""The attention-head scores of tinytorch.interpret, on hand-made attention maps with known scores."""
import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core.attention import MultiHeadAttention
from tinytorch.datasets import repeated_sequences
from tinytorch.interpret import induction_score, previous_token_score


def _rows(length, columns):
    """A (T, T) map whose query i puts all its weight on key columns[i]."""
    weights = np.zeros((length, length))
    weights[np.arange(length), columns] = 1.0
    return weights


def test_previous_token_score_of_known_maps():
    length = 6
    previous = _rows(length, np.maximum(np.arange(length) - 1, 0))
    itself = np.eye(length)
    uniform = np.tri(length) / np.arange(1, length + 1)[:, None]
    scores = previous_token_score(np.stack([previous, itself, uniform])[None])
    expected_uniform = np.mean(1 / np.arange(2, length + 1))
    np.testing.assert_allclose(scores, [1.0, 0.0, expected_uniform])
    # a mix over the batch is averaged: half the sequences previous-token, half attend to themselves
    mixed = np.stack([previous, itself])[:, None]             # (N=2, H=1, T, T)
    np.testing.assert_allclose(previous_token_score(mixed), [0.5])
    assert previous_token_score(previous[None]).shape == ()


def test_induction_score_of_known_maps_on_repeated_sequences():
    inputs, _, repeated, periods = repeated_sequences(8, length=20, vocab_size=30, period=(3, 7), seed=2)
    length = inputs.shape[1]
    positions = np.arange(length)
    # ideal induction head: query i attends to i - K + 1, the token after the previous occurrence
    ideal = np.stack([_rows(length, np.where(positions >= k, positions - k + 1, 0)) for k in periods])
    # one period too far back: (i - K) + 0, the earlier occurrence itself (a "duplicate" head)
    duplicate = np.stack([_rows(length, np.where(positions >= k, positions - k, 0)) for k in periods])
    previous = np.stack([_rows(length, np.maximum(positions - 1, 0))] * len(periods))
    weights = np.stack([ideal, duplicate, previous], axis=1)  # (N, H=3, T, T)
    np.testing.assert_allclose(induction_score(weights, inputs), [1.0, 0.0, 0.0], atol=1e-12)
    # half the weight on the right key gives half the score; a head axis and a layer axis both work
    half = 0.5 * ideal + 0.5 * previous
    np.testing.assert_allclose(induction_score(half, inputs), 0.5)
    layered = np.stack([weights, weights[:, ::-1]], axis=1)   # (N, 2, 3, T, T)
    np.testing.assert_allclose(induction_score(layered, inputs), [[1, 0, 0], [0, 0, 1]], atol=1e-12)


def test_induction_score_counts_every_earlier_occurrence_and_skips_new_tokens():
    tokens = np.array([[4, 9, 4, 9, 4]])
    # query 2 (second 4) -> key 1; query 3 (second 9) -> key 2; query 4 (third 4) -> keys 1 and 3
    weights = np.zeros((1, 5, 5))
    weights[0, 0, 0] = weights[0, 1, 1] = 1       # new tokens: not scored, whatever they do
    weights[0, 2, 1] = 1
    weights[0, 3, 2] = 0.5
    weights[0, 3, 0] = 0.5
    weights[0, 4, 1] = weights[0, 4, 3] = 0.25
    weights[0, 4, 0] = 0.5
    np.testing.assert_allclose(induction_score(weights, tokens), (1 + 0.5 + 0.5) / 3)


def test_scores_take_a_multihead_attention_module_s_weights():
    tt.manual_seed(0)
    inputs, _, _, _ = repeated_sequences(4, length=12, vocab_size=16, period=(3, 5), seed=0)
    attention = MultiHeadAttention(8, num_heads=2)
    attention(tt.Tensor(np.random.default_rng(0).normal(size=(4, 12, 8))), is_causal=True)
    weights = attention.attention_weights                   # a Tensor (N, H, T, T)
    induction, previous = induction_score(weights, inputs), previous_token_score(weights)
    assert induction.shape == previous.shape == (2,)
    assert ((0 <= induction) & (induction <= 1) & (0 <= previous) & (previous <= 1)).all()


@pytest.mark.parametrize("call, message", [
    (lambda: previous_token_score(np.ones((3, 3))), r"\(N, \.\.\., T, T\)"),
    (lambda: previous_token_score(np.ones((2, 3, 4))), r"got shape \(2, 3, 4\)"),
    (lambda: previous_token_score(np.ones((2, 1, 1))), "at least 2 positions"),
    (lambda: induction_score(np.ones((2, 4, 4)), np.zeros((2, 5), int)), r"tokens must be \(N, T\) = \(2, 4\)"),
    (lambda: induction_score(np.ones((1, 3, 3)), [[1, 2, 3]]), "no token repeats"),
])
def test_scores_refuse_bad_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()
