"""Attention: gradients, masks, shapes, agreement with PyTorch, and a transformer that learns to reverse."""
import contextlib
import time

import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core.attention import (
    MultiHeadAttention,
    SelfAttention,
    attention_mask,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)
from tinytorch.core.transformer import PositionalEncoding, TransformerBlock, sinusoidal_positional_encoding


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


# (batch 2, Lq 3, Lk 4, d_k 5, d_v 2)
QKV = [rand(2, 3, 5, seed=1), rand(2, 4, 5, seed=2), rand(2, 4, 2, seed=3)]
BOOL_MASK = np.array([[True, False, True, True], [True, True, False, False], [False, True, True, True]])
FLOAT_MASK = np.array([[0.0, -1.5, 0.3, -np.inf], [2.0, 0.0, -np.inf, -0.7], [-3.0, 0.1, 0.0, 0.0]])
FULLY_MASKED = BOOL_MASK.copy()
FULLY_MASKED[1] = False


# Gradient checks of every attention function and module (no mask, boolean, float, fully masked
# row; self and cross attention; the transformer block) are registered in tinytorch.verification
# and run by tests/test_gradcheck.py.


def test_sdpa_matches_the_formula():
    q, k, v = QKV
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(5) + FLOAT_MASK
    expected = np.exp(scores - scores.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    output, weights = scaled_dot_product_attention(*(tt.Tensor(a, dtype=np.float64) for a in QKV), FLOAT_MASK)
    np.testing.assert_allclose(weights.data, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(output.data, expected @ v, rtol=1e-12, atol=1e-15)


def test_fully_masked_row_gives_zero_weights_output_and_finite_gradients():
    q, k, v = (tt.Tensor(a, requires_grad=True) for a in QKV)
    for mask in (FULLY_MASKED, np.where(FULLY_MASKED, 0.0, -np.inf)):
        output, weights = scaled_dot_product_attention(q, k, v, mask)
        assert (weights.data[:, 1] == 0).all() and (output.data[:, 1] == 0).all()
        np.testing.assert_allclose(weights.data[:, [0, 2]].sum(-1), 1, rtol=1e-6)
        output.sum().backward()
        assert all(np.isfinite(t.grad).all() for t in (q, k, v))


def test_causal_weights_are_exactly_zero_above_the_diagonal():
    x = tt.Tensor(rand(2, 6, 4))
    _, weights = scaled_dot_product_attention(x, x, x, mask=causal_mask(6))
    above = np.triu(np.ones((6, 6), dtype=bool), k=1)
    assert (weights.data[:, above] == 0).all()
    assert (weights.data[:, ~above] > 0).all()
    np.testing.assert_allclose(weights.data.sum(-1), 1, rtol=1e-6)


@pytest.mark.parametrize("mask", [BOOL_MASK, FLOAT_MASK], ids=["bool", "float"])
def test_numpy_and_tensor_masks_give_identical_results(mask):
    from_numpy = scaled_dot_product_attention(*QKV, mask=mask)
    from_tensor = scaled_dot_product_attention(*QKV, mask=tt.Tensor(mask, dtype=mask.dtype))
    for a, b in zip(from_numpy, from_tensor):
        np.testing.assert_array_equal(a.data, b.data)


def test_boolean_mask_equals_float_mask_of_minus_infinity():
    boolean = scaled_dot_product_attention(*QKV, mask=BOOL_MASK)[1].data
    additive = scaled_dot_product_attention(*QKV, mask=np.where(BOOL_MASK, 0.0, -np.inf))[1].data
    np.testing.assert_array_equal(boolean, additive)
    assert (boolean[:, ~BOOL_MASK] == 0).all()


def test_float_mask_of_zeros_and_ones_is_rejected():
    with pytest.raises(ValueError, match=r"only 0s and 1s.*astype\(bool\)"):
        scaled_dot_product_attention(*QKV, mask=BOOL_MASK.astype(np.float32))
    # all zeros is a legitimate (do-nothing) additive mask
    plain = scaled_dot_product_attention(*QKV)[1].data
    np.testing.assert_array_equal(scaled_dot_product_attention(*QKV, mask=np.zeros((3, 4)))[1].data, plain)


def test_integer_mask_is_rejected():
    with pytest.raises(TypeError, match="integer mask"):
        scaled_dot_product_attention(*QKV, mask=BOOL_MASK.astype(int))
    with pytest.raises(TypeError, match="integer mask"):
        scaled_dot_product_attention(*QKV, mask=tt.Tensor(BOOL_MASK.astype(np.int64)))


def test_mask_that_does_not_broadcast_is_rejected():
    with pytest.raises(ValueError, match=r"mask of shape \(4, 3\) does not broadcast.*\(2, 3, 4\)"):
        scaled_dot_product_attention(*QKV, mask=BOOL_MASK.T)
    with pytest.raises(ValueError, match="does not broadcast"):  # would grow the output
        scaled_dot_product_attention(*QKV, mask=np.ones((5, 2, 3, 4), dtype=bool))


def test_shape_errors_name_the_shapes():
    q, k, v = QKV
    with pytest.raises(ValueError, match=r"query \(2, 3, 5\) and key \(2, 4, 6\) differ"):
        scaled_dot_product_attention(q, rand(2, 4, 6), v)
    with pytest.raises(ValueError, match=r"key \(2, 4, 5\) and value \(2, 3, 2\) have different lengths"):
        scaled_dot_product_attention(q, k, rand(2, 3, 2))
    with pytest.raises(ValueError, match="cannot be broadcast"):
        scaled_dot_product_attention(rand(3, 3, 5), k, v)
    with pytest.raises(ValueError, match=r"embed_dim=10 must be divisible by num_heads=3"):
        MultiHeadAttention(10, 3)
    with pytest.raises(ValueError, match=r"key must be \(batch, seq, embed_dim=4\), got \(2, 3, 5\)"):
        MultiHeadAttention(4, 2)(tt.Tensor(rand(2, 3, 4)), tt.Tensor(rand(2, 3, 5)))
    with pytest.raises(ValueError, match=r"3-D mask of shape \(2, 2, 2\) is ambiguous"):  # N == H: would broadcast
        MultiHeadAttention(4, 2)(tt.Tensor(rand(2, 2, 4)), mask=np.ones((2, 2, 2), dtype=bool))
    with pytest.raises(ValueError, match="key and value one length"):
        MultiHeadAttention(4, 2)(tt.Tensor(rand(2, 3, 4)), tt.Tensor(rand(2, 5, 4)), tt.Tensor(rand(2, 6, 4)))


def test_causal_and_padding_masks():
    np.testing.assert_array_equal(causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    assert causal_mask(3).dtype == bool
    mask = padding_mask(np.array([1, 3]), max_len=3)
    assert mask.shape == (2, 1, 1, 3) and mask.dtype == bool
    np.testing.assert_array_equal(mask[:, 0, 0], [[1, 0, 0], [1, 1, 1]])
    with pytest.raises(ValueError, match="lengths must lie in"):
        padding_mask([4], max_len=3)
    with pytest.raises(TypeError, match="integer"):
        padding_mask([1.5], max_len=3)


# ---------------------------------------------------------------- modules


def float64(module):
    tt.manual_seed(0)
    return module.astype(np.float64)


def test_self_attention_keeps_detached_weights():
    attention = float64(SelfAttention(d_model=4))
    attention(tt.Tensor(rand(2, 3, 4)), mask=causal_mask(3))
    weights = attention.attention_weights
    assert weights.shape == (2, 3, 3) and not weights.requires_grad
    assert len(attention.parameters()) == 6


def test_multi_head_attention_weights_are_kept_per_head():
    tt.manual_seed(0)
    mha = MultiHeadAttention(8, 4)
    mha(tt.Tensor(rand(2, 3, 8)), tt.Tensor(rand(2, 5, 8, seed=1)), mask=padding_mask([5, 2], 5))
    weights = mha.attention_weights
    assert weights.shape == (2, 4, 3, 5) and not weights.requires_grad
    np.testing.assert_allclose(weights.data.sum(-1), 1, rtol=1e-6)
    assert (weights.data[1, :, :, 2:] == 0).all()


def test_padded_keys_do_not_change_the_output():
    tt.manual_seed(0)
    mha = MultiHeadAttention(8, 2)
    query, keys = rand(2, 3, 8), rand(2, 5, 8, seed=1)
    changed = keys.copy()
    changed[1, 3:] = 100.0  # the padding of sequence 1
    mask = padding_mask([5, 3], 5)
    before = mha(tt.Tensor(query), tt.Tensor(keys), mask=mask)
    after = mha(tt.Tensor(query), tt.Tensor(changed), mask=mask)
    np.testing.assert_array_equal(before.data, after.data)


def test_dropout_on_attention_weights_only_in_training():
    tt.manual_seed(0)
    plain = MultiHeadAttention(8, 2)
    dropped = MultiHeadAttention(8, 2, dropout=0.5)
    dropped.load_state_dict(plain.state_dict())
    x = tt.Tensor(rand(2, 4, 8))
    assert not np.allclose(dropped(x).data, plain(x).data)
    np.testing.assert_array_equal(dropped.eval()(x).data, plain(x).data)


def test_transformer_block_is_pre_norm():
    tt.manual_seed(0)
    block = TransformerBlock(8, 2, ff_dim=16)
    x = tt.Tensor(rand(2, 5, 8))
    middle = x + block.attn(block.ln1(x))
    expected = middle + block.ff(block.ln2(middle))
    np.testing.assert_allclose(block(x).data, expected.data, rtol=1e-6)


def test_causal_block_ignores_the_future():
    tt.manual_seed(0)
    block = TransformerBlock(8, 2, ff_dim=16, causal=True)
    x = rand(1, 6, 8)
    changed = x.copy()
    changed[0, 4:] += 1.0
    np.testing.assert_array_equal(block(tt.Tensor(x)).data[:, :4], block(tt.Tensor(changed)).data[:, :4])
    assert not np.allclose(block(tt.Tensor(x)).data[:, 4:], block(tt.Tensor(changed)).data[:, 4:])
    with pytest.raises(ValueError, match="only 0s and 1s"):  # still checked when combined with causal
        block(tt.Tensor(x), mask=np.ones((6, 6)))


def test_sinusoidal_positional_encoding():
    encoding = sinusoidal_positional_encoding(20, 6).data
    position, i = 7, 1
    angle = position / 10000 ** (2 * i / 6)
    np.testing.assert_allclose(encoding[position, [2 * i, 2 * i + 1]], [np.sin(angle), np.cos(angle)], rtol=1e-6)
    assert len(np.unique(encoding.round(4), axis=0)) == 20  # every position is distinguishable
    assert sinusoidal_positional_encoding(4, 5).shape == (4, 5)
    x = tt.Tensor(rand(2, 3, 6), requires_grad=True)
    out = PositionalEncoding(6, max_len=20)(x)
    np.testing.assert_allclose(out.data - x.data, np.broadcast_to(encoding[:3], (2, 3, 6)), atol=1e-6)
    with pytest.raises(ValueError, match="max_len=2"):
        PositionalEncoding(6, max_len=2)(x)


# ---------------------------------------------------------------- agreement with PyTorch


@pytest.mark.parametrize("cross", [False, True], ids=["self", "cross"])
def test_matches_torch_multihead_attention(cross):
    torch = pytest.importorskip("torch")
    tt.manual_seed(0)
    ours = MultiHeadAttention(8, 2).astype(np.float64)
    theirs = torch.nn.MultiheadAttention(8, 2, batch_first=True).double()
    projections = (ours.q_proj, ours.k_proj, ours.v_proj)
    with torch.no_grad():  # PyTorch packs the three (out, in) weights: the transposes of ours
        theirs.in_proj_weight.copy_(torch.tensor(np.concatenate([p.weight.data for p in projections], axis=1).T))
        theirs.in_proj_bias.copy_(torch.tensor(np.concatenate([p.bias.data for p in projections])))
        theirs.out_proj.weight.copy_(torch.tensor(ours.out_proj.weight.data.T))
        theirs.out_proj.bias.copy_(torch.tensor(ours.out_proj.bias.data))
    query = rand(2, 4, 8)
    memory = rand(2, 6, 8, seed=1) if cross else query
    mask = np.random.default_rng(2).random((4, memory.shape[1])) < 0.7
    mask[:, 0] = True  # every query sees at least one key (PyTorch returns NaN otherwise)
    q, m = (tt.Tensor(a, requires_grad=True, dtype=np.float64) for a in (query, memory))
    output = ours(q, m, mask=mask) if cross else ours(q, mask=mask)
    tq, tm = torch.tensor(query, requires_grad=True), torch.tensor(memory, requires_grad=True)
    t_memory = tm if cross else tq
    t_output, t_weights = theirs(tq, t_memory, t_memory, attn_mask=torch.tensor(~mask), average_attn_weights=False)
    np.testing.assert_allclose(output.data, t_output.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.attention_weights.data, t_weights.detach().numpy(), rtol=1e-10, atol=1e-12)
    gradient = rand(*output.shape, seed=3)
    output.backward(gradient)
    t_output.backward(torch.tensor(gradient))
    np.testing.assert_allclose(q.grad, tq.grad.numpy(), rtol=1e-9, atol=1e-12)
    if cross:
        np.testing.assert_allclose(m.grad, tm.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.out_proj.weight.grad, theirs.out_proj.weight.grad.numpy().T, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- learning: sequence reversal

LENGTH, VOCAB, EMBED, HEADS, FF_DIM, LAYERS = 8, 10, 32, 2, 64, 1
STEPS, BATCH, LR, SEED = 500, 64, 3e-3, 0


def one_blas_thread():
    """Limit BLAS to one thread when threadpoolctl is installed (it only changes speed).

    On this shared 2-core machine, OpenBLAS threads on these small matrices wait for each other:
    the training below took 11 s with the default threads and 2.5 s with one, under the same load.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def reversal_batch(rng, size):
    """Random token sequences and their reversals, both (size, LENGTH)."""
    tokens = rng.integers(0, VOCAB, size=(size, LENGTH))
    return tokens, tokens[:, ::-1].copy()


class Reverser(tt.Module):
    """Encoder-only: token embedding + sinusoidal positions -> pre-norm blocks -> LayerNorm -> vocabulary."""

    def __init__(self):
        super().__init__()
        self.embed = tt.Embedding(VOCAB, EMBED)
        self.positions = PositionalEncoding(EMBED, max_len=LENGTH)
        self.blocks = tt.ModuleList([TransformerBlock(EMBED, HEADS, FF_DIM) for _ in range(LAYERS)])
        self.norm = tt.LayerNorm(EMBED)
        self.head = tt.Linear(EMBED, VOCAB)

    def forward(self, tokens):
        x = self.positions(self.embed(tokens))
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))


def test_transformer_learns_to_reverse_sequences():
    tt.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    model = Reverser()
    optimizer = tt.Adam(model.parameters(), lr=LR)
    start = time.perf_counter()
    seen = set()
    with one_blas_thread():
        for _ in range(STEPS):
            tokens, targets = reversal_batch(rng, BATCH)
            seen.update(map(bytes, tokens.astype(np.uint8)))
            loss = tt.cross_entropy(model(tokens), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start

    tokens, targets = reversal_batch(np.random.default_rng([SEED, 1]), 1200)  # a separate stream
    held_out = np.array([bytes(row) not in seen for row in tokens.astype(np.uint8)])
    tokens, targets = tokens[held_out][:1000], targets[held_out][:1000]
    assert len(tokens) == 1000
    model.eval()
    with tt.no_grad():
        predictions = model(tokens).data.argmax(-1)
    exact_match = (predictions == targets).all(axis=1).mean()
    assert exact_match >= 0.99, f"exact match on held-out sequences {exact_match:.3f} < 0.99"

    # Output position i must read input position LENGTH-1-i: the anti-diagonal of the weights.
    weights = model.blocks[0].attention_weights.data  # (1000, HEADS, LENGTH, LENGTH)
    positions = np.arange(LENGTH)
    mirrored = weights[:, :, positions, LENGTH - 1 - positions].mean()
    # Measured (mean over heads, positions and held-out sequences): 0.67, 0.72, 0.69, 0.69 for seeds
    # 0-3 after 500 steps (0.59 for seed 0 after 150); a uniform row would give 1/8. Asserting 0.6
    # keeps margin and still means "most of the weight". Exact match was 1.000 for all four seeds.
    assert mirrored > 0.6, f"mean weight on the mirrored position {mirrored:.3f} <= 0.6"
    assert (weights.mean(axis=(0, 1)).argmax(-1) == LENGTH - 1 - positions).all()
    print(f"reversal: {STEPS} steps in {seconds:.1f} s, exact match {exact_match:.3f}, mirrored weight {mirrored:.3f}")


# ---------------------------------------------------------------- PyTorch's arguments: is_causal, scale, dropout_p,
# and a float mask that requires grad (a learned attention bias)

# (label, Lq, Lk, mask kind, is_causal, scale); batch 2, heads 3 on leading axes, d_k 5, d_v 2
SDPA_FORMS = [
    ("no mask", 3, 4, None, False, None),
    ("boolean mask", 3, 4, "bool", False, None),
    ("float mask", 3, 4, "float", False, None),
    ("learned float mask", 3, 4, "learned", False, None),
    ("learned (heads, Lq, Lk) mask", 3, 4, "learned heads", False, None),
    ("is_causal square", 4, 4, None, True, None),
    ("is_causal Lq < Lk", 3, 5, None, True, None),
    ("is_causal Lq > Lk", 5, 3, None, True, None),
    ("scale 0.3 and float mask", 3, 4, "learned", False, 0.3),
    ("scale -0.5, is_causal", 4, 4, None, True, -0.5),
]


def sdpa_inputs(lq, lk, kind):
    q, k, v = rand(2, 3, lq, 5, seed=1), rand(2, 3, lk, 5, seed=2), rand(2, 3, lk, 2, seed=3)
    rng = np.random.default_rng(4)
    if kind is None:
        mask = None
    elif kind == "bool":
        mask = rng.random((lq, lk)) < 0.7
        mask[:, 0] = True  # every query sees a key (PyTorch gives NaN for a fully masked row)
    else:
        mask = rng.normal(size=(3, lq, lk) if kind == "learned heads" else (lq, lk))
        if kind == "float":
            mask[0, 1] = -np.inf
    return q, k, v, mask


def sdpa_reference(q, k, v, mask, is_causal, scale):
    """The formula in float64 NumPy, and its gradients by hand (the check where torch is absent)."""
    scores = q @ np.swapaxes(k, -1, -2) * (1 / np.sqrt(q.shape[-1]) if scale is None else scale)
    if is_causal:
        scores = np.where(np.tri(*scores.shape[-2:], dtype=bool), scores, -np.inf)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf) if mask.dtype == bool else scores + mask
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    return weights @ v, weights


@pytest.mark.parametrize("label, lq, lk, kind, is_causal, scale", SDPA_FORMS, ids=[f[0] for f in SDPA_FORMS])
def test_sdpa_forms_values_and_every_gradient(label, lq, lk, kind, is_causal, scale):
    q, k, v, mask = sdpa_inputs(lq, lk, kind)
    learned = kind is not None and kind.startswith("learned")
    tensors = [tt.Tensor(a, requires_grad=True, dtype=np.float64) for a in (q, k, v)]
    tmask = tt.Tensor(mask, requires_grad=True, dtype=np.float64) if learned else mask
    output, weights = scaled_dot_product_attention(*tensors, tmask, is_causal=is_causal, scale=scale)
    expected_output, expected_weights = sdpa_reference(q, k, v, mask, is_causal, scale)
    np.testing.assert_allclose(output.data, expected_output, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(weights.data, expected_weights, rtol=1e-12, atol=1e-14)
    gradient = rand(*output.shape, seed=5)
    output.backward(gradient)
    if learned:
        assert tmask.grad is not None and tmask.grad.shape == mask.shape and np.abs(tmask.grad).max() > 0
    torch = pytest.importorskip("torch")
    leaves = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    t_mask = None if mask is None else torch.tensor(mask, requires_grad=learned)
    t_output = torch.nn.functional.scaled_dot_product_attention(
        *leaves, attn_mask=t_mask, is_causal=is_causal, scale=scale)
    t_output.backward(torch.tensor(gradient))
    np.testing.assert_allclose(output.data, t_output.detach().numpy(), rtol=1e-10, atol=1e-12)
    for ours, theirs, name in zip(tensors, leaves, "qkv"):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
    if learned:
        np.testing.assert_allclose(tmask.grad, t_mask.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg="mask")


def test_learned_bias_gradient_by_hand():
    # q = k = 0: scores 0, so weights [1/2, 1/2] and output (1 + 3) / 2 = 2; d out / d b_j = w_j (v_j - out)
    bias = tt.Tensor([[0.0, 0.0]], requires_grad=True)
    output, _ = scaled_dot_product_attention(np.zeros((1, 1)), np.zeros((2, 1)), np.array([[1.0], [3.0]]), bias)
    assert output.item() == 2.0
    output.backward()
    np.testing.assert_allclose(bias.grad, [[-0.5, 0.5]])


def test_mask_and_is_causal_together_is_an_error_as_in_pytorch():
    q, k, v = QKV
    with pytest.raises(ValueError, match=r"both a mask and is_causal=True.*attention_mask"):
        scaled_dot_product_attention(q, k, v, BOOL_MASK, is_causal=True)
    with pytest.raises(TypeError, match="is_causal must be True or False"):
        scaled_dot_product_attention(q, k, v, is_causal="yes")
    with pytest.raises(ValueError, match="dropout_p must be in"):
        scaled_dot_product_attention(q, k, v, dropout_p=1.5)
    with pytest.raises(TypeError, match="scale must be a number or None"):
        scaled_dot_product_attention(q, k, v, scale="0.5")
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="attn_mask should not be set when is_causal"):
        torch.nn.functional.scaled_dot_product_attention(
            *(torch.tensor(a) for a in QKV), attn_mask=torch.tensor(BOOL_MASK), is_causal=True)


def test_dropout_p_drops_weights_from_the_one_generator_only_when_asked():
    q, k, v = (tt.Tensor(a, dtype=np.float64) for a in QKV)
    plain, weights = scaled_dot_product_attention(q, k, v)
    tt.manual_seed(3)
    output, dropped_weights = scaled_dot_product_attention(q, k, v, dropout_p=0.4)
    np.testing.assert_array_equal(dropped_weights.data, weights.data)  # returned weights: before dropout
    tt.manual_seed(3)  # the same draws from tinytorch's generator: keep with probability 0.6, scale 1/0.6
    keep = tt.core.random.default_rng().random(weights.shape) >= 0.4
    np.testing.assert_allclose(output.data, (weights.data * keep / 0.6) @ v.data, rtol=1e-12)
    assert not np.allclose(output.data, plain.data)
    zeros, _ = scaled_dot_product_attention(q, k, v, dropout_p=1.0)
    assert (zeros.data == 0).all()
    # over many weights of 1/50 on values 1: unbiased, E[kept / (1 - p)] = 1
    tt.manual_seed(0)
    out, _ = scaled_dot_product_attention(np.zeros((200, 50, 1)), np.zeros((50, 1)), np.ones((50, 1)),
                                          dropout_p=0.25)
    assert abs(out.data.mean() - 1.0) < 0.02


def test_attention_mask_is_the_one_rule():
    combined = attention_mask(np.array([True, False, True]), (2, 3), is_causal=True)
    np.testing.assert_array_equal(combined, [[True, False, False], [True, False, False]])
    added = attention_mask(np.array([0.0, -1.0]), (2, 2), is_causal=True)
    np.testing.assert_array_equal(added, [[0.0, -np.inf], [0.0, -1.0]])
    assert attention_mask(None, (2, 3)) is None
    np.testing.assert_array_equal(attention_mask(None, (2, 3), is_causal=True), causal_mask(2, 3))
    bias = tt.Tensor(np.zeros((2, 2)), requires_grad=True)
    assert attention_mask(bias, (2, 2)) is bias
    causal_bias = attention_mask(bias, (2, 2), is_causal=True)
    assert isinstance(causal_bias, tt.Tensor) and causal_bias.requires_grad
    with pytest.raises(TypeError, match="integer mask"):
        attention_mask(np.ones((2, 2), int), (2, 2))
    with pytest.raises(ValueError, match=r"TransformerBlock: mask of shape \(3,\) does not broadcast"):
        attention_mask(np.ones(3, bool), (2, 2), is_causal=True, op="TransformerBlock")
    # viz reads masks with the same rule and the same message
    viz = pytest.importorskip("tinytorch.viz")
    with pytest.raises(TypeError, match="integer mask"):
        viz.plot_attention(np.full((2, 2), 0.5), mask=np.ones((2, 2), int))


def test_causal_mask_is_top_left_aligned_as_pytorch():
    np.testing.assert_array_equal(causal_mask(2, 4), [[1, 0, 0, 0], [1, 1, 0, 0]])
    np.testing.assert_array_equal(causal_mask(3, 2), [[1, 0], [1, 1], [1, 1]])
    torch = pytest.importorskip("torch")
    for lq, lk in [(2, 4), (3, 2), (3, 3)]:  # PyTorch documents ones(L, S).tril(diagonal=0)
        np.testing.assert_array_equal(causal_mask(lq, lk), torch.ones(lq, lk, dtype=torch.bool).tril().numpy())


def torch_copy_of(ours, torch):
    """torch.nn.MultiheadAttention with our weights (PyTorch packs the three (out, in) weights)."""
    theirs = torch.nn.MultiheadAttention(ours.embed_dim, ours.num_heads, batch_first=True).double()
    projections = (ours.q_proj, ours.k_proj, ours.v_proj)
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.tensor(np.concatenate([p.weight.data for p in projections], axis=1).T))
        theirs.in_proj_bias.copy_(torch.tensor(np.concatenate([p.bias.data for p in projections])))
        theirs.out_proj.weight.copy_(torch.tensor(ours.out_proj.weight.data.T))
        theirs.out_proj.bias.copy_(torch.tensor(ours.out_proj.bias.data))
    return theirs


MHA_MASKS = ["none", "bool", "learned float", "is_causal"]


@pytest.mark.parametrize("kind", MHA_MASKS)
def test_multi_head_attention_every_gradient_matches_torch(kind):
    torch = pytest.importorskip("torch")
    tt.manual_seed(0)
    ours = MultiHeadAttention(8, 2).astype(np.float64)
    theirs = torch_copy_of(ours, torch)
    query, memory = rand(2, 4, 8), rand(2, 4, 8, seed=1)
    rng = np.random.default_rng(2)
    mask = {"none": None, "bool": rng.random((4, 4)) < 0.6, "learned float": rng.normal(size=(4, 4)),
            "is_causal": None}[kind]
    if kind == "bool":
        mask[:, 0] = True
    q, m = (tt.Tensor(a, requires_grad=True, dtype=np.float64) for a in (query, memory))
    ours_mask = tt.Tensor(mask, requires_grad=True, dtype=np.float64) if kind == "learned float" else mask
    output = ours(q, m, mask=ours_mask, is_causal=kind == "is_causal")
    tq, tm = torch.tensor(query, requires_grad=True), torch.tensor(memory, requires_grad=True)
    t_mask = None  # PyTorch's boolean attn_mask means "block": the negation of ours
    if kind == "bool":
        t_mask = torch.tensor(~mask)
    elif kind == "learned float":
        t_mask = torch.tensor(mask, requires_grad=True)
    elif kind == "is_causal":  # its is_causal is only a hint beside the mask itself
        t_mask = torch.tensor(np.where(causal_mask(4), 0.0, -np.inf))
    t_output, t_weights = theirs(tq, tm, tm, attn_mask=t_mask, average_attn_weights=False)
    np.testing.assert_allclose(output.data, t_output.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.attention_weights.data, t_weights.detach().numpy(), rtol=1e-10, atol=1e-12)
    gradient = rand(*output.shape, seed=3)
    output.backward(gradient)
    t_output.backward(torch.tensor(gradient))
    close = dict(rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(q.grad, tq.grad.numpy(), **close, err_msg="query")
    np.testing.assert_allclose(m.grad, tm.grad.numpy(), **close, err_msg="key/value")
    in_weight, in_bias = theirs.in_proj_weight.grad.numpy(), theirs.in_proj_bias.grad.numpy()
    for i, projection in enumerate((ours.q_proj, ours.k_proj, ours.v_proj)):
        np.testing.assert_allclose(projection.weight.grad, in_weight[8 * i: 8 * (i + 1)].T, **close)
        np.testing.assert_allclose(projection.bias.grad, in_bias[8 * i: 8 * (i + 1)], **close)
    np.testing.assert_allclose(ours.out_proj.weight.grad, theirs.out_proj.weight.grad.numpy().T, **close)
    np.testing.assert_allclose(ours.out_proj.bias.grad, theirs.out_proj.bias.grad.numpy(), **close)
    if kind == "learned float":
        np.testing.assert_allclose(ours_mask.grad, t_mask.grad.numpy(), **close, err_msg="float mask")


def test_multi_head_attention_dropout_is_pytorchs_argument():
    tt.manual_seed(0)
    mha = MultiHeadAttention(8, 2, dropout=0.25)
    assert mha.dropout == 0.25 and "dropout=0.25" in repr(mha)
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\]"):
        MultiHeadAttention(8, 2, dropout=2.0)
    block = TransformerBlock(8, 2, ff_dim=16, dropout=0.25)
    assert block.attn.dropout == 0.25
    x = tt.Tensor(rand(2, 4, 8))
    block.eval()
    first = block(x).data
    np.testing.assert_array_equal(block(x).data, first)
    block.train()
    assert not np.allclose(block(x).data, first)


@pytest.mark.parametrize("kind", ["bool padding", "learned float"])
def test_causal_block_folds_its_rule_into_a_given_mask(kind):
    tt.manual_seed(0)
    causal = TransformerBlock(8, 2, ff_dim=16, causal=True).astype(np.float64)
    plain = TransformerBlock(8, 2, ff_dim=16).astype(np.float64)
    plain.load_state_dict(causal.state_dict())
    x = rand(2, 5, 8)
    if kind == "bool padding":
        given, explicit = padding_mask([5, 3], 5), padding_mask([5, 3], 5) & causal_mask(5)
        out, expected = causal(tt.Tensor(x), mask=given), plain(tt.Tensor(x), mask=explicit)
    else:
        values = rand(5, 5, seed=7)
        given = tt.Tensor(values, requires_grad=True, dtype=np.float64)
        explicit = tt.Tensor(values, requires_grad=True, dtype=np.float64)
        out = causal(tt.Tensor(x), mask=given)
        expected = plain(tt.Tensor(x), mask=explicit + tt.Tensor(np.where(causal_mask(5), 0.0, -np.inf)))
    np.testing.assert_allclose(out.data, expected.data, rtol=1e-12)
    if kind == "learned float":
        out.sum().backward()
        expected.sum().backward()
        assert np.abs(given.grad).max() > 0
        np.testing.assert_allclose(given.grad, explicit.grad, rtol=1e-10, atol=1e-14)
        assert (given.grad[np.triu_indices(5, 1)] == 0).all()  # blocked positions: no gradient


def test_attention_and_transformer_modules_have_no_import_cycle():
    import ast
    import pathlib

    import tinytorch.core.attention as attention
    import tinytorch.core.transformer as transformer

    def imports(module):
        tree = ast.parse(pathlib.Path(module.__file__).read_text())
        return [(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names]

    assert not [m for m, _ in imports(attention) if m and "transformer" in m]
    from_attention = [name for module, name in imports(transformer) if module == "attention"]
    assert from_attention and not [name for name in from_attention if name.startswith("_")]


@pytest.mark.parametrize("module", ["SelfAttention", "MultiHeadAttention"])
def test_modules_pass_is_causal_and_masks_through_one_path(module):
    tt.manual_seed(0)
    layer = SelfAttention(8) if module == "SelfAttention" else MultiHeadAttention(8, 2)
    x = tt.Tensor(rand(2, 5, 8))
    np.testing.assert_array_equal(layer(x, is_causal=True).data, layer(x, mask=causal_mask(5)).data)
    with pytest.raises(ValueError, match="both a mask and is_causal=True"):
        layer(x, mask=causal_mask(5), is_causal=True)
    with pytest.raises(ValueError, match="only 0s and 1s"):
        layer(x, mask=np.ones((5, 5)))


@pytest.mark.parametrize("causal", [False, True], ids=["encoder", "causal"])
def test_transformer_block_every_gradient_matches_torch_encoder_layer(causal):
    torch = pytest.importorskip("torch")
    tt.manual_seed(0)
    ours = _perturbed_block(TransformerBlock(8, 2, ff_dim=16, causal=causal).astype(np.float64))
    theirs = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu",
                                              batch_first=True, norm_first=True).double()
    pairs = [(ours.ff[0], theirs.linear1), (ours.ff[2], theirs.linear2)]
    norms = [(ours.ln1, theirs.norm1), (ours.ln2, theirs.norm2)]
    with torch.no_grad():
        copy = torch_copy_of(ours.attn, torch)
        theirs.self_attn.load_state_dict(copy.state_dict())
        for mine, their in pairs:
            their.weight.copy_(torch.tensor(mine.weight.data.T))
            their.bias.copy_(torch.tensor(mine.bias.data))
        for mine, their in norms:
            their.weight.copy_(torch.tensor(mine.weight.data))
            their.bias.copy_(torch.tensor(mine.bias.data))
    x = rand(2, 5, 8)
    ours_x, their_x = tt.Tensor(x, requires_grad=True, dtype=np.float64), torch.tensor(x, requires_grad=True)
    output = ours(ours_x)
    causal_bias = torch.tensor(np.where(causal_mask(5), 0.0, -np.inf)) if causal else None
    t_output = theirs(their_x, src_mask=causal_bias, is_causal=causal)
    # tinytorch's GELU approximates erf to about 1.5e-7 (issue 16, fault 7), hence atol 1e-6 here
    # where the attention tests use 1e-12; tighten it once GELU is exact
    close = dict(rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(output.data, t_output.detach().numpy(), **close)
    gradient = rand(*output.shape, seed=3)
    output.backward(gradient)
    t_output.backward(torch.tensor(gradient))
    np.testing.assert_allclose(ours_x.grad, their_x.grad.numpy(), **close, err_msg="input")
    in_weight, in_bias = theirs.self_attn.in_proj_weight.grad.numpy(), theirs.self_attn.in_proj_bias.grad.numpy()
    for i, projection in enumerate((ours.attn.q_proj, ours.attn.k_proj, ours.attn.v_proj)):
        np.testing.assert_allclose(projection.weight.grad, in_weight[8 * i: 8 * (i + 1)].T, **close)
        np.testing.assert_allclose(projection.bias.grad, in_bias[8 * i: 8 * (i + 1)], **close)
    out_proj = theirs.self_attn.out_proj
    np.testing.assert_allclose(ours.attn.out_proj.weight.grad, out_proj.weight.grad.numpy().T, **close)
    np.testing.assert_allclose(ours.attn.out_proj.bias.grad, out_proj.bias.grad.numpy(), **close)
    for mine, their in pairs:
        np.testing.assert_allclose(mine.weight.grad, their.weight.grad.numpy().T, **close)
        np.testing.assert_allclose(mine.bias.grad, their.bias.grad.numpy(), **close)
    for mine, their in norms:
        np.testing.assert_allclose(mine.weight.grad, their.weight.grad.numpy(), **close)
        np.testing.assert_allclose(mine.bias.grad, their.bias.grad.numpy(), **close)


def _perturbed_block(block):
    """Move LayerNorm off its initial (1, 0) so that its parameters' roles are visible in the check."""
    rng = np.random.default_rng(11)
    for norm in (block.ln1, block.ln2):
        norm.weight.data = norm.weight.data + rng.normal(scale=0.3, size=norm.weight.shape)
        norm.bias.data = norm.bias.data + rng.normal(scale=0.3, size=norm.bias.shape)
    return block
