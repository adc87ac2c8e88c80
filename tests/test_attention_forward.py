"""Attention and transformer forward passes against NumPy written out by hand.

Only outputs and gradients are compared (never internals), at non-trivial weights
and biases, with every kind of mask, and at scores large enough to overflow an
unshifted softmax.
"""

import math

import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core import attention, transformer

RNG = np.random.default_rng(11)
F64 = np.float64


def t64(array, requires_grad=True):
    return tt.Tensor(np.asarray(array), requires_grad=requires_grad, dtype=F64)


def softmax_by_hand(scores):
    out = np.zeros_like(scores)
    for index in np.ndindex(scores.shape[:-1]):
        row = scores[index]
        finite = np.isfinite(row)
        if not finite.any():
            continue  # a fully masked row stays zero
        top = row[finite].max()
        e = np.where(finite, np.exp(np.where(finite, row, top) - top), 0.0)
        out[index] = e / e.sum()
    return out


def attend_by_hand(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])
    if mask is not None and mask.dtype == bool:
        scores = np.where(mask, scores, -np.inf)
    elif mask is not None:
        scores = scores + mask
    weights = softmax_by_hand(scores)
    return weights @ v, weights


def test_causal_and_padding_masks():
    np.testing.assert_array_equal(tt.causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    assert tt.causal_mask(1).shape == (1, 1) and tt.causal_mask(np.int64(2)).dtype == bool
    mask = tt.padding_mask([2, 0, 3], 3)
    assert mask.shape == (3, 1, 1, 3)
    np.testing.assert_array_equal(mask[:, 0, 0], [[1, 1, 0], [0, 0, 0], [1, 1, 1]])
    np.testing.assert_array_equal(tt.padding_mask(tt.Tensor(np.array([1])), 2)[0, 0, 0], [True, False])
    assert tt.padding_mask(np.zeros(0, dtype=np.int64), 4).shape == (0, 1, 1, 4)


@pytest.mark.parametrize("mask_kind", [None, "bool", "float", "causal", "padding"])
def test_scaled_dot_product_attention_matches_by_hand(mask_kind):
    q, k, v = RNG.normal(size=(2, 3, 4, 5)), RNG.normal(size=(2, 3, 6, 5)), RNG.normal(size=(2, 3, 6, 7))
    mask = {None: None, "bool": RNG.random((4, 6)) > 0.3, "float": RNG.normal(size=(2, 1, 4, 6)),
            "causal": tt.causal_mask(6)[:4], "padding": tt.padding_mask([6, 2], 6)}[mask_kind]
    if mask_kind == "bool":
        mask[:, 0] = True  # no fully masked row here
    expected_out, expected_weights = attend_by_hand(q, k, v, mask)
    out, weights = tt.scaled_dot_product_attention(t64(q), t64(k), t64(v), mask=mask)
    np.testing.assert_allclose(weights.data, expected_weights, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(out.data, expected_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(attention.attention_weights(q, k, mask).data, expected_weights, rtol=1e-5,
                               atol=1e-6)


def test_attention_gradients_against_the_softmax_jacobian():
    q, k, v = RNG.normal(size=(3, 4)), RNG.normal(size=(5, 4)), RNG.normal(size=(5, 2))
    qt, kt, vt = t64(q), t64(k), t64(v)
    out, _ = tt.scaled_dot_product_attention(qt, kt, vt)
    upstream = RNG.normal(size=(3, 2))
    out.backward(upstream)
    scale = 1 / 2.0
    weights = softmax_by_hand(q @ k.T * scale)
    grad_weights = upstream @ v.T
    grad_scores = weights * (grad_weights - (grad_weights * weights).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(vt.grad, weights.T @ upstream, rtol=1e-10)
    np.testing.assert_allclose(qt.grad, grad_scores @ k * scale, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(kt.grad, grad_scores.T @ q * scale, rtol=1e-9, atol=1e-12)


def test_attention_is_stable_at_large_scores_and_a_fully_masked_row_is_zero():
    q = np.array([[300.0, 0.0], [0.0, -300.0]])
    k = np.array([[300.0, 1.0], [299.0, 2.0], [-300.0, 0.0]])
    mask = np.array([[True, True, True], [False, False, False]])
    with np.errstate(over="raise", invalid="raise"):
        _, weights = tt.scaled_dot_product_attention(t64(q), t64(k), t64(np.eye(3)), mask=mask)
    expected = softmax_by_hand((q @ k.T / math.sqrt(2))[:1])
    np.testing.assert_allclose(weights.data[0], expected[0], rtol=1e-10, atol=1e-300)
    assert np.isfinite(weights.data).all() and weights.data[0].sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(weights.data[1], [0.0, 0.0, 0.0])
    float_mask = np.where(mask, 0.0, -np.inf)
    _, weights = tt.scaled_dot_product_attention(t64(q), t64(k), t64(np.eye(3)), mask=float_mask)
    np.testing.assert_array_equal(weights.data[1], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(weights.data[0], expected[0], rtol=1e-10, atol=1e-300)


def _linear(x, layer):
    out = x @ layer.weight.data.astype(F64)
    return out if layer.bias is None else out + layer.bias.data


def _randomise(module, scale=0.5):
    for parameter in module.parameters():
        parameter.data = RNG.normal(size=parameter.shape) * scale


def mha_by_hand(module, query, key, value, mask=None):
    heads, head_dim = module.num_heads, module.embed_dim // module.num_heads

    def split(x, layer):  # (N, L, E) -> (N, H, L, head_dim)
        projected = _linear(x, layer)
        return projected.reshape(x.shape[0], x.shape[1], heads, head_dim).transpose(0, 2, 1, 3)

    out, weights = attend_by_hand(split(query, module.q_proj), split(key, module.k_proj), split(value, module.v_proj),
                                  mask)
    merged = out.transpose(0, 2, 1, 3).reshape(query.shape[0], query.shape[1], module.embed_dim)
    return _linear(merged, module.out_proj), weights


@pytest.mark.parametrize("num_heads", [1, 2, 6])
@pytest.mark.parametrize("bias", [True, False])
def test_multi_head_attention_matches_by_hand(num_heads, bias):
    module = tt.MultiHeadAttention(6, num_heads, bias=bias)
    assert len(module.parameters()) == (8 if bias else 4)
    assert all(layer.bias is None for layer in (module.q_proj, module.k_proj, module.v_proj,
                                                module.out_proj)) is not bias
    _randomise(module)
    x = RNG.normal(size=(2, 4, 6))
    expected, expected_weights = mha_by_hand(module, x, x, x)
    out = module(tt.Tensor(x, dtype=F64))
    np.testing.assert_allclose(out.data, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(module.attention_weights.data, expected_weights, rtol=1e-9, atol=1e-12)
    assert repr(module).startswith(f"MultiHeadAttention(embed_dim=6, num_heads={num_heads}, dropout=0.0")


@pytest.mark.parametrize("mask", [None, tt.causal_mask(3), tt.padding_mask([5, 2], 5),
                                  np.where(RNG.random((3, 5)) > 0.2, 0.0, -1e9)])
def test_multi_head_cross_attention_with_masks_and_gradients(mask):
    module = tt.MultiHeadAttention(4, 2)
    _randomise(module)
    query, memory = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 5, 4))
    if mask is not None and mask.shape == (3, 3):
        mask = np.concatenate([mask, np.ones((3, 2), dtype=bool)], axis=1)
    value = RNG.normal(size=(2, 5, 4))
    expected, _ = mha_by_hand(module, query, memory, value, mask)
    q = tt.Tensor(query, requires_grad=True, dtype=F64)
    out = module(q, tt.Tensor(memory, dtype=F64), tt.Tensor(value, dtype=F64), mask=mask)
    np.testing.assert_allclose(out.data, expected, rtol=1e-9, atol=1e-12)
    # key only: value defaults to key
    expected_kv, _ = mha_by_hand(module, query, memory, memory, mask)
    np.testing.assert_allclose(module(query, memory, mask=mask).data, expected_kv, rtol=1e-5, atol=1e-5)
    # the gradient of the query against central differences of the by-hand computation
    upstream = RNG.normal(size=expected.shape)
    out.backward(upstream)
    numeric = np.zeros_like(query)
    for index in np.ndindex(query.shape):
        step = np.zeros_like(query)
        step[index] = 1e-6
        plus, _ = mha_by_hand(module, query + step, memory, value, mask)
        minus, _ = mha_by_hand(module, query - step, memory, value, mask)
        numeric[index] = np.sum(upstream * (plus - minus)) / 2e-6
    np.testing.assert_allclose(q.grad, numeric, rtol=1e-5, atol=1e-7)


def test_multi_head_attention_dropout_acts_only_in_training():
    tt.manual_seed(0)
    module = tt.MultiHeadAttention(4, 2, dropout=0.5)
    x = tt.Tensor(RNG.normal(size=(1, 6, 4)), dtype=F64)
    module.eval()
    first, second = module(x).data, module(x).data
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first, mha_by_hand(module, x.data, x.data, x.data)[0], rtol=1e-9)
    module.train()
    assert not np.allclose(module(x).data, first)


def test_self_attention_matches_by_hand():
    module = attention.SelfAttention(4)
    _randomise(module)
    x = RNG.normal(size=(2, 3, 4))
    mask = tt.causal_mask(3)
    expected, weights = attend_by_hand(_linear(x, module.q_proj), _linear(x, module.k_proj), _linear(x, module.v_proj),
                                       mask)
    np.testing.assert_allclose(module(tt.Tensor(x, dtype=F64), mask).data, expected, rtol=1e-9)
    np.testing.assert_allclose(module.attention_weights.data, weights, rtol=1e-9)
    assert not module.attention_weights.requires_grad
    assert repr(module).startswith("SelfAttention(d_model=4")
    np.testing.assert_allclose(module(x).data, attend_by_hand(_linear(x, module.q_proj), _linear(x, module.k_proj),
                                                              _linear(x, module.v_proj))[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("max_len, d_model", [(5, 4), (7, 5), (1, 1), (3, 2)])
def test_sinusoidal_positional_encoding_by_formula(max_len, d_model):
    encoding = tt.sinusoidal_positional_encoding(max_len, d_model)
    assert encoding.shape == (max_len, d_model) and encoding.dtype == np.float32
    for position in range(max_len):
        for i in range(d_model):
            angle = position / 10000 ** (2 * (i // 2) / d_model)
            expected = math.sin(angle) if i % 2 == 0 else math.cos(angle)
            assert encoding.data[position, i] == pytest.approx(expected, abs=1e-6)


def test_positional_encoding_module_adds_the_first_rows():
    module = tt.PositionalEncoding(4, max_len=6)
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(module(tt.Tensor(x)).data, x + tt.sinusoidal_positional_encoding(6, 4).data[:3])
    assert module(tt.Tensor(np.zeros((6, 4)))).shape == (6, 4)
    assert repr(module).startswith("PositionalEncoding(d_model=4, max_len=6")


def _layer_norm(x, layer):
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + layer.eps) * layer.weight.data + layer.bias.data


def block_by_hand(block, x, mask=None):
    h = x + mha_by_hand(block.attn, *(3 * [_layer_norm(x, block.ln1)]), mask)[0]
    first, _, second = block.ff
    hidden = _linear(_layer_norm(h, block.ln2), first)
    hidden = hidden * 0.5 * (1 + np.vectorize(math.erf)(hidden / math.sqrt(2)))
    return h + _linear(hidden, second)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("mask_kind", [None, "bool", "float"])
def test_transformer_block_matches_by_hand(causal, mask_kind):
    block = tt.TransformerBlock(4, 2, 8, causal=causal)
    _randomise(block)
    x = RNG.normal(size=(2, 5, 4))
    mask = {None: None, "bool": tt.padding_mask([5, 3], 5),
            "float": np.where(RNG.random((5, 5)) > 0.3, 0.0, -np.inf)}[mask_kind]
    if mask_kind == "float":
        mask[:, 0] = 0.0
    combined = mask
    if causal:
        causal_float = np.where(tt.causal_mask(5), 0.0, -np.inf)
        combined = (tt.causal_mask(5) if mask is None else mask & tt.causal_mask(5) if mask.dtype == bool
                    else mask + causal_float)
    expected = block_by_hand(block, x, combined)
    out = block(tt.Tensor(x, dtype=F64), mask=mask)
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-6)  # GELU's erf: about 1e-7
    assert block.attention_weights is block.attn.attention_weights
    assert repr(block).startswith(f"TransformerBlock(causal={causal}")


def test_attention_modules_hold_no_weights_before_the_first_call():
    assert attention.SelfAttention(4).attention_weights is None
    assert tt.MultiHeadAttention(4, 2).attention_weights is None
    assert tt.TransformerBlock(4, 2, 8).attention_weights is None
