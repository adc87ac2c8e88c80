"""Forward passes at non-trivial parameters against an independent NumPy computation.

A gradcheck only proves that backward agrees with whatever forward computes; these
tests prove the forward: non-zero biases, non-unit scales, loaded weights, every
argument and branch, edge values, and inputs where an unstable formula would fail.
References are written differently from the library (loops, math.erf, explicit sums).
"""

import math

import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core import activations, losses, spatial
from tinytorch.core.layers import embedding

RNG = np.random.default_rng(7)
F64 = np.float64


def t64(array, requires_grad=True):
    return tt.Tensor(np.asarray(array), requires_grad=requires_grad, dtype=F64)


# ----------------------------------------------------------------- activations
X = np.array([-30.0, -3.0, -1.2, -0.1, 0.0, 0.4, 1.0, 2.5, 30.0])


def test_relu_sigmoid_tanh_values_and_derivatives():
    x = t64(X)
    np.testing.assert_allclose(tt.relu(x).data, [max(v, 0.0) for v in X])
    np.testing.assert_allclose(tt.sigmoid(x).data, [1 / (1 + math.exp(-v)) for v in X], rtol=1e-12)
    np.testing.assert_allclose(tt.tanh(x).data, [math.tanh(v) for v in X], rtol=1e-12)
    for function, derivative in ((tt.relu, lambda v: float(v > 0)),
                                 (tt.sigmoid, lambda v: math.exp(-v) / (1 + math.exp(-v)) ** 2),
                                 (tt.tanh, lambda v: 1 - math.tanh(v) ** 2)):
        x.grad = None
        function(x).backward(np.full(X.shape, 2.0))
        np.testing.assert_allclose(x.grad, [2 * derivative(v) for v in X], rtol=1e-9, atol=1e-15)


def test_sigmoid_is_finite_and_exact_at_extreme_inputs():
    x = t64([-800.0, -40.0, 40.0, 800.0])
    with np.errstate(over="raise", invalid="raise"):
        out = tt.sigmoid(x).data
    np.testing.assert_allclose(out, [0.0, math.exp(-40) / (1 + math.exp(-40)), 1 / (1 + math.exp(-40)), 1.0],
                               rtol=1e-12)
    assert out[1] > 0  # the small side is computed as e^x / (1 + e^x), not 1 - something


def test_gelu_matches_the_exact_definition():
    # x Phi(x) with Phi from math.erf; the library's erf is accurate to about 1e-7
    x = t64(X)
    exact = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in X])
    np.testing.assert_allclose(tt.gelu(x).data, exact, rtol=1e-6, atol=1e-6)
    derivative = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
                           for v in X])
    tt.gelu(x).backward(np.ones(X.shape))
    np.testing.assert_allclose(x.grad, derivative, rtol=1e-6, atol=1e-6)
    assert tt.gelu(tt.Tensor(np.ones(2, dtype=np.float32))).dtype == np.float32


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax_against_the_definition(axis):
    values = RNG.normal(size=(3, 4)) * 3
    x = t64(values)
    exp = np.exp(values)
    expected = exp / exp.sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(tt.softmax(x, axis).data, expected, rtol=1e-12)
    np.testing.assert_allclose(tt.log_softmax(x, axis=axis).data, np.log(expected), rtol=1e-12)
    np.testing.assert_allclose(activations.Softmax(axis=axis)(x).data, expected, rtol=1e-12)
    upstream = RNG.normal(size=values.shape)
    tt.softmax(x, axis).backward(upstream)
    reference = expected * (upstream - (upstream * expected).sum(axis=axis, keepdims=True))
    np.testing.assert_allclose(x.grad, reference, rtol=1e-10, atol=1e-14)
    x.grad = None
    tt.log_softmax(x, axis).backward(upstream)
    np.testing.assert_allclose(x.grad, upstream - expected * upstream.sum(axis=axis, keepdims=True), rtol=1e-10)


def test_softmax_and_log_softmax_are_stable_at_large_scores():
    values = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]])
    shifted = values - values.max(axis=1, keepdims=True)
    expected = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    with np.errstate(over="raise", invalid="raise"):
        np.testing.assert_allclose(tt.softmax(t64(values)).data, expected, rtol=1e-12)
        np.testing.assert_allclose(tt.log_softmax(t64(values)).data, np.log(expected), rtol=1e-12)
        np.testing.assert_allclose(t64(values).softmax().data, expected, rtol=1e-12)


def test_activation_modules_and_methods_are_the_functions():
    x = t64(X)
    for module, function in ((tt.ReLU(), tt.relu), (tt.Sigmoid(), tt.sigmoid), (tt.Tanh(), tt.tanh),
                             (tt.GELU(), tt.gelu)):
        np.testing.assert_allclose(module(x).data, function(x).data)
        np.testing.assert_allclose(getattr(x, function.__name__)().data, function(x).data)
    assert repr(activations.Softmax(axis=0)) == "Softmax(axis=0)"


# ----------------------------------------------------------------- layers
def test_linear_with_loaded_weights_and_bias():
    layer = tt.Linear(3, 2)
    weight, bias = RNG.normal(size=(3, 2)), np.array([0.5, -1.5])
    layer.weight.data, layer.bias.data = weight, bias
    x = RNG.normal(size=(4, 3))
    expected = np.array([[sum(row[i] * weight[i, j] for i in range(3)) + bias[j] for j in range(2)] for row in x])
    np.testing.assert_allclose(layer(tt.Tensor(x, dtype=F64)).data, expected, rtol=1e-12)
    no_bias = tt.Linear(3, 2, bias=False)
    assert no_bias.bias is None and len(no_bias.parameters()) == 1
    no_bias.weight.data = weight
    np.testing.assert_allclose(no_bias(tt.Tensor(x, dtype=F64)).data, x @ weight, rtol=1e-12)
    assert repr(no_bias) == "Linear(in_features=3, out_features=2, bias=False)"


def test_linear_initialisation_bound_is_one_over_sqrt_fan_in():
    tt.manual_seed(0)
    layer = tt.Linear(16, 400)
    bound = 1 / math.sqrt(16)
    for values in (layer.weight.data, layer.bias.data):
        assert values.dtype == np.float32
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.95 * bound


def test_layer_norm_with_non_trivial_weight_and_bias():
    layer = tt.LayerNorm(4, eps=1e-3)
    weight, bias = np.array([0.5, 2.0, -1.0, 1.5]), np.array([0.1, -0.2, 0.3, 1.0])
    layer.weight.data, layer.bias.data = weight, bias
    x = RNG.normal(size=(2, 3, 4)) * 5 + 2
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)  # biased, as PyTorch
    expected = (x - mean) / np.sqrt(variance + 1e-3) * weight + bias
    np.testing.assert_allclose(layer(tt.Tensor(x, dtype=F64)).data, expected, rtol=1e-10)
    assert repr(layer) == "LayerNorm((4,), eps=0.001)"


def test_layer_norm_over_two_trailing_dimensions():
    layer = tt.LayerNorm((2, 3))
    bias = RNG.normal(size=(2, 3))
    layer.bias.data = bias
    x = RNG.normal(size=(5, 2, 3))
    mean = x.mean(axis=(1, 2), keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(layer(tt.Tensor(x, dtype=F64)).data, (x - mean) / np.sqrt(variance + 1e-5) + bias,
                               rtol=1e-9)
    assert layer.normalized_shape == (2, 3) and layer.eps == 1e-5


def test_embedding_forward_and_gradient_add_up_repeated_ids():
    table = tt.Embedding(5, 3)
    assert table.weight.shape == (5, 3) and repr(table) == "Embedding(5, 3)"
    ids = np.array([[4, 0, 4], [1, 1, 4]])
    out = table(ids)
    np.testing.assert_allclose(out.data, table.weight.data[ids])
    out.backward(np.ones((2, 3, 3)))
    np.testing.assert_allclose(table.weight.grad[:, 0], [1, 2, 0, 0, 3])
    out = embedding(tt.Tensor(np.array([0, 4])), table.weight)
    np.testing.assert_allclose(out.data, table.weight.data[[0, 4]])
    assert embedding(np.zeros((0,), dtype=np.int64), table.weight).shape == (0, 3)


@pytest.mark.parametrize("p", [0.0, 0.25, 0.5, 0.9])
def test_dropout_scales_the_kept_units(p):
    tt.manual_seed(3)
    layer = tt.Dropout(p)
    x = tt.Tensor(np.ones((200, 50)), requires_grad=True, dtype=F64)
    out = layer(x)
    kept = out.data != 0
    np.testing.assert_allclose(out.data[kept], 1 / (1 - p), rtol=1e-15)  # float64 stays float64
    assert abs(kept.mean() - (1 - p)) < 0.02
    out.backward(np.ones(out.shape))
    np.testing.assert_allclose(x.grad, kept / (1 - p))
    assert repr(layer) == f"Dropout(p={p})"
    layer.eval()
    assert layer(x) is x


def test_dropout_of_one_zeroes_everything_and_of_zero_is_identity():
    x = tt.Tensor(RNG.normal(size=(4, 5)) + 10)
    out = tt.Dropout(1.0)(x)
    assert np.all(out.data == 0) and np.isfinite(out.data).all()
    assert tt.Dropout(0.0)(x) is x
    assert tt.Dropout(0.5).train()(x) is not x


# ----------------------------------------------------------------- losses
P = np.array([0.05, 0.3, 0.5, 0.9, 0.999])
T = np.array([0.0, 1.0, 1.0, 0.0, 1.0])


def test_mse_loss_each_reduction():
    prediction, target = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2))
    per_element = (prediction - target) ** 2
    for reduction, expected in (("mean", per_element.mean()), ("sum", per_element.sum()), ("none", per_element)):
        out = tt.mse_loss(t64(prediction), target, reduction=reduction)
        np.testing.assert_allclose(out.data, expected, rtol=1e-12)
        np.testing.assert_allclose(tt.MSELoss(reduction)(t64(prediction), t64(target)).data, expected, rtol=1e-12)
    x = t64(prediction)
    tt.mse_loss(x, target).backward()
    np.testing.assert_allclose(x.grad, 2 * (prediction - target) / 6, rtol=1e-12)


def test_binary_cross_entropy_each_reduction_and_gradient():
    per_element = np.array([-(t * math.log(p) + (1 - t) * math.log(1 - p)) for p, t in zip(P, T)])
    for reduction, expected in (("mean", per_element.mean()), ("sum", per_element.sum()), ("none", per_element)):
        np.testing.assert_allclose(tt.binary_cross_entropy(t64(P), T, reduction).data, expected, rtol=1e-12)
        np.testing.assert_allclose(tt.BCELoss(reduction)(t64(P), T).data, expected, rtol=1e-12)
    p = t64(P)
    upstream = np.arange(1.0, 6.0)
    tt.binary_cross_entropy(p, T, "none").backward(upstream)
    np.testing.assert_allclose(p.grad, upstream * (P - T) / (P * (1 - P)), rtol=1e-10)


def test_binary_cross_entropy_clamps_the_log_at_minus_100():
    # PyTorch clamps log(p) and log(1 - p) at -100, so a certain wrong answer costs 100, not inf
    out = tt.binary_cross_entropy(t64([0.0, 1.0, 0.0, 1.0]), [1.0, 0.0, 0.0, 1.0], reduction="none")
    np.testing.assert_allclose(out.data, [100.0, 100.0, 0.0, 0.0])
    p = t64([0.0, 1.0])
    tt.binary_cross_entropy(p, [0.0, 1.0], reduction="sum").backward()
    assert np.isfinite(p.grad).all()


def test_bce_with_logits_each_reduction_gradient_and_large_logits():
    logits = np.array([-50.0, -2.0, -0.3, 0.0, 0.7, 3.0, 50.0])
    target = np.array([1.0, 0.0, 1.0, 0.5, 0.0, 1.0, 0.0])
    probability = 1 / (1 + np.exp(-logits))
    # written with log-sigmoid so that it stays finite: log p = -log(1 + e^-x), log(1 - p) = -x - log(1 + e^-x)
    log_p = -np.logaddexp(0, -logits)
    log_not_p = -np.logaddexp(0, logits)
    per_element = -(target * log_p + (1 - target) * log_not_p)
    for reduction, expected in (("mean", per_element.mean()), ("sum", per_element.sum()), ("none", per_element)):
        out = tt.binary_cross_entropy_with_logits(t64(logits), target, reduction)
        np.testing.assert_allclose(out.data, expected, rtol=1e-12)
        np.testing.assert_allclose(tt.BCEWithLogitsLoss(reduction)(t64(logits), t64(target)).data, expected,
                                   rtol=1e-12)
    x = t64(logits)
    upstream = np.linspace(1, 2, 7)
    tt.binary_cross_entropy_with_logits(x, target, "none").backward(upstream)
    np.testing.assert_allclose(x.grad, upstream * (probability - target), rtol=1e-9, atol=1e-15)


LOGITS = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0], [-2.0, 1.0, 1.0], [5.0, 5.0, -5.0]])
TARGETS = np.array([0, 2, 1, 2])


def _cross_entropy_by_hand(logits, targets):
    return np.array([-(row[t] - math.log(sum(math.exp(v) for v in row))) for row, t in zip(logits, targets)])


def test_cross_entropy_each_reduction():
    per_row = _cross_entropy_by_hand(LOGITS, TARGETS)
    for reduction, expected in (("mean", per_row.mean()), ("sum", per_row.sum()), ("none", per_row)):
        out = tt.cross_entropy(t64(LOGITS), TARGETS, reduction=reduction)
        np.testing.assert_allclose(out.data, expected, rtol=1e-12)
        np.testing.assert_allclose(tt.CrossEntropyLoss(reduction)(t64(LOGITS), tt.Tensor(TARGETS)).data, expected,
                                   rtol=1e-12)
    assert repr(tt.CrossEntropyLoss("sum")) == (
        "CrossEntropyLoss(reduction='sum', ignore_index=-100, label_smoothing=0.0)")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradient_with_a_non_uniform_upstream(reduction):
    x = t64(LOGITS)
    softmax = np.exp(LOGITS) / np.exp(LOGITS).sum(axis=1, keepdims=True)
    onehot = np.eye(3)[TARGETS]
    upstream = np.array([1.0, -2.0, 0.5, 3.0]) if reduction == "none" else np.array(2.5)
    tt.cross_entropy(x, TARGETS, reduction).backward(upstream)
    scale = {"mean": 1 / 4, "sum": 1.0, "none": 1.0}[reduction]
    weights = upstream[:, None] if reduction == "none" else upstream
    np.testing.assert_allclose(x.grad, (softmax - onehot) * weights * scale, rtol=1e-10, atol=1e-15)


def test_cross_entropy_of_one_dimensional_logits_and_of_a_batch_of_sequences():
    out = tt.cross_entropy(t64(LOGITS[0]), np.array(2))
    np.testing.assert_allclose(out.data, _cross_entropy_by_hand(LOGITS[:1], [2])[0], rtol=1e-12)
    x = t64(LOGITS[0])
    tt.cross_entropy(x, np.array(2)).backward()
    np.testing.assert_allclose(x.grad, np.exp(LOGITS[0]) / np.exp(LOGITS[0]).sum() - np.eye(3)[2], rtol=1e-10)
    logits = RNG.normal(size=(2, 3, 5))
    targets = RNG.integers(0, 5, size=(2, 3))
    expected = _cross_entropy_by_hand(logits.reshape(6, 5), targets.reshape(6)).reshape(2, 3)
    np.testing.assert_allclose(tt.cross_entropy(t64(logits), targets, "none").data, expected, rtol=1e-12)


def test_cross_entropy_is_finite_at_large_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 999.0]])
    with np.errstate(over="raise", invalid="raise"):
        out = tt.cross_entropy(t64(logits), np.array([1, 2]), reduction="none")
    np.testing.assert_allclose(out.data, [1000.0, 1 + math.log1p(math.exp(-1))], rtol=1e-12)


def test_accuracy_multiclass_binary_and_thresholds():
    assert tt.accuracy(LOGITS, TARGETS) == 0.75  # argmax 0, 2, 1 (first of ties), 0
    assert tt.accuracy(tt.Tensor(LOGITS), tt.Tensor(TARGETS)) == 0.75
    probabilities = np.array([0.2, 0.5, 0.7, 0.9])
    assert tt.accuracy(probabilities, np.array([0, 0, 1, 0])) == 0.75  # 0.5 is not above the 0.5 threshold
    assert tt.accuracy(probabilities[:, None], np.array([0, 0, 1, 0])) == 0.75
    logits = np.array([-1.0, 0.0, 2.0, 3.0])  # not in [0, 1]: logits, threshold 0
    assert tt.accuracy(logits, np.array([0, 0, 1, 1])) == 1.0
    assert tt.accuracy(logits, np.array([0, 1, 1, 1])) == 0.75  # exactly 0.0 counts as negative
    assert tt.accuracy(probabilities, np.array([0, 1, 1, 1]), threshold=0.3) == 1.0
    assert tt.accuracy(probabilities, np.array([0, 0, 1, 1]), threshold=0.5) == 1.0
    assert tt.accuracy(probabilities, np.array([0, 0, 1, 1]), threshold=0.2) == 0.75
    assert tt.accuracy(np.array([0.0, 1.0]), np.array([0, 1])) == 1.0


# ----------------------------------------------------------------- spatial
def _conv_by_hand(x, weight, bias, stride, padding):
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    (sh, sw), (ph, pw) = stride, padding
    padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    padded[:, :, ph:ph + h, pw:pw + w] = x
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.zeros((n, o, ho, wo))
    for b in range(n):
        for f in range(o):
            for i in range(ho):
                for j in range(wo):
                    patch = padded[b, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[b, f, i, j] = np.sum(patch * weight[f]) + (0 if bias is None else bias[f])
    return out


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (2, 0)), ((2, 1), (0, 1))])
@pytest.mark.parametrize("with_bias", [True, False])
def test_conv2d_matches_a_loop_with_bias_stride_and_padding(stride, padding, with_bias):
    x = RNG.normal(size=(2, 3, 6, 5))
    weight = RNG.normal(size=(4, 3, 3, 2))
    bias = RNG.normal(size=4) + 1.0 if with_bias else None
    pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
    expected = _conv_by_hand(x, weight, bias, pair(stride), pair(padding))
    out = spatial.conv2d(t64(x), t64(weight), None if bias is None else t64(bias), stride=stride, padding=padding)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    layer = tt.Conv2d(3, 4, (3, 2), stride=stride, padding=padding, bias=with_bias)
    layer.weight.data = weight
    if with_bias:
        layer.bias.data = bias
    else:
        assert layer.bias is None and len(layer.parameters()) == 1
    np.testing.assert_allclose(layer(tt.Tensor(x, dtype=F64)).data, expected, rtol=1e-10, atol=1e-12)


def test_conv2d_gradients_against_a_loop():
    x, weight, bias = RNG.normal(size=(2, 2, 5, 5)), RNG.normal(size=(3, 2, 3, 3)), RNG.normal(size=3)
    xt, wt, bt = t64(x), t64(weight), t64(bias)
    out = spatial.conv2d(xt, wt, bt, stride=2, padding=1)
    upstream = RNG.normal(size=out.shape)
    out.backward(upstream)
    # the output is linear in each argument: the gradient is the response to unit inputs
    for tensor, value, forward in ((xt, x, lambda v: _conv_by_hand(v, weight, bias * 0, (2, 2), (1, 1))),
                                   (wt, weight, lambda v: _conv_by_hand(x, v, bias * 0, (2, 2), (1, 1)))):
        reference = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            unit = np.zeros_like(value)
            unit[index] = 1
            reference[index] = np.sum(upstream * forward(unit))
        np.testing.assert_allclose(tensor.grad, reference, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bt.grad, upstream.sum(axis=(0, 2, 3)), rtol=1e-12)


def test_conv2d_without_input_gradient_and_with_array_arguments():
    x = RNG.normal(size=(1, 2, 4, 4))
    weight = t64(RNG.normal(size=(2, 2, 2, 2)))
    out = spatial.conv2d(x, weight, np.array([1.0, 2.0]))
    np.testing.assert_allclose(out.data, _conv_by_hand(x, weight.data, [1.0, 2.0], (1, 1), (0, 0)), rtol=1e-5)
    out.backward(np.ones(out.shape))
    assert weight.grad is not None


def test_conv2d_module_repr_and_initialisation():
    tt.manual_seed(1)
    layer = tt.Conv2d(2, 300, 3, stride=2, padding=1)
    assert repr(layer) == "Conv2d(2, 300, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))"
    assert repr(tt.Conv2d(1, 1, (1, 2), bias=False)) == "Conv2d(1, 1, kernel_size=(1, 2), stride=(1, 1), bias=False)"
    bound = 1 / math.sqrt(2 * 9)
    assert layer.weight.shape == (300, 2, 3, 3) and layer.bias.shape == (300,)
    assert bound * 0.95 < np.abs(layer.weight.data).max() <= bound


def _pool_by_hand(x, kernel, stride, padding, reduce, fill):
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    padded = np.full((n, c, h + 2 * ph, w + 2 * pw), fill)
    padded[:, :, ph:ph + h, pw:pw + w] = x
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = reduce(padded[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw], axis=(2, 3))
    return out


@pytest.mark.parametrize("kernel, stride, padding", [((2, 2), None, (0, 0)), ((3, 3), (2, 2), (1, 1)),
                                                     ((3, 2), (1, 2), (1, 0)), ((5, 6), None, (0, 0))])
def test_pooling_matches_a_loop(kernel, stride, padding):
    x = RNG.normal(size=(2, 3, 5, 6))
    step = kernel if stride is None else stride
    expected_max = _pool_by_hand(x, kernel, step, padding, np.max, -np.inf)
    expected_avg = _pool_by_hand(x, kernel, step, padding, np.sum, 0.0) / (kernel[0] * kernel[1])
    np.testing.assert_allclose(spatial.max_pool2d(t64(x), kernel, stride, padding).data, expected_max)
    np.testing.assert_allclose(spatial.avg_pool2d(t64(x), kernel, stride, padding).data, expected_avg, rtol=1e-12)
    np.testing.assert_allclose(tt.MaxPool2d(kernel, stride, padding)(t64(x)).data, expected_max)
    np.testing.assert_allclose(tt.AvgPool2d(kernel, stride, padding)(t64(x)).data, expected_avg, rtol=1e-12)


def test_pooling_gradients_route_to_the_first_maximum_and_share_the_average():
    x = t64([[[[1.0, 5.0, 5.0], [2.0, 0.0, 3.0], [7.0, 7.0, 1.0]]]])
    out = spatial.max_pool2d(x, 2, stride=1)
    np.testing.assert_allclose(out.data, [[[[5.0, 5.0], [7.0, 7.0]]]])
    out.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    np.testing.assert_allclose(x.grad, [[[[0, 3.0, 0], [0, 0, 0], [3.0, 4.0, 0]]]])
    x.grad = None
    spatial.avg_pool2d(x, 2, stride=1).backward(np.array([[[[4.0, 8.0], [4.0, 4.0]]]]))
    np.testing.assert_allclose(x.grad, [[[[1, 3, 2], [2, 5, 3], [1, 2, 1]]]])


def test_max_pool_with_padding_never_picks_the_padding_and_handles_integers():
    x = t64(-np.ones((1, 1, 2, 2)) * np.arange(1.0, 5.0).reshape(1, 1, 2, 2))
    out = spatial.max_pool2d(x, 3, stride=1, padding=1)
    np.testing.assert_allclose(out.data, [[[[-1.0, -1.0], [-1.0, -1.0]]]])
    integers = tt.Tensor(np.array([[[[-5, -7], [-9, -6]]]], dtype=np.int64))
    np.testing.assert_array_equal(spatial.max_pool2d(integers, 2, stride=1, padding=1).data,
                                  [[[[-5, -5, -7], [-5, -5, -6], [-9, -6, -6]]]])
    averaged = spatial.avg_pool2d(tt.Tensor(np.array([[[[1, 2], [3, 5]]]], dtype=np.int64)), 2)
    assert averaged.dtype == np.float32 and averaged.item() == 2.75


def test_pool_modules_repr_and_default_stride():
    pool = tt.MaxPool2d(3)
    assert pool.stride == (3, 3) and pool.padding == (0, 0)
    assert repr(tt.AvgPool2d(2, stride=1, padding=1)) == "AvgPool2d(kernel_size=(2, 2), stride=(1, 1), padding=(1, 1))"


@pytest.mark.parametrize("start, end, shape", [(1, -1, (2, 60)), (0, -1, (120,)), (0, 1, (6, 4, 5)),
                                               (2, 3, (2, 3, 20)), (-2, -1, (2, 3, 20)), (1, 1, (2, 3, 4, 5))])
def test_flatten_each_range(start, end, shape):
    x = RNG.normal(size=(2, 3, 4, 5))
    layer = tt.Flatten(start, end)
    out = layer(tt.Tensor(x))
    assert out.shape == shape
    np.testing.assert_allclose(out.data, x.reshape(shape), rtol=1e-6)
    assert repr(layer) == f"Flatten(start_dim={start}, end_dim={end})"
    assert tt.Flatten(0)(tt.Tensor(np.ones(3))).shape == (3,)


def test_binary_cross_entropy_soft_targets_keep_float64_and_log_of_zero_is_silent():
    p, target = np.array([0.2, 0.7]), np.array([0.3, 0.9])
    expected = -(target * np.log(p) + (1 - target) * np.log(1 - p))
    np.testing.assert_allclose(tt.binary_cross_entropy(t64(p), target, "none").data, expected, rtol=1e-14)
    with np.errstate(all="raise"):
        out = tt.binary_cross_entropy(t64([0.0, 1.0]), [0.0, 1.0], "none")
    np.testing.assert_array_equal(out.data, [0.0, 0.0])


def test_accuracy_shapes_thresholds_and_soft_targets():
    column = np.array([[0.9], [0.8], [0.1], [0.7]])
    assert tt.accuracy(column, np.array([1, 1, 0, 1])) == 1.0  # (N, 1) scores are binary, not 1-class argmax
    scores = np.array([[[0.9], [0.2], [0.6]], [[0.1], [0.8], [0.3]]])  # (2, 3, 1) against (2, 3)
    assert tt.accuracy(scores, np.array([[1, 0, 1], [0, 1, 1]])) == 5 / 6
    logits = RNG.normal(size=(2, 3, 4))
    targets = logits.argmax(axis=-1)
    targets[0, 0] = (targets[0, 0] + 1) % 4
    assert tt.accuracy(logits, targets) == 5 / 6
    assert tt.accuracy(np.array([0.0, 0.6, 0.4, 1.0]), np.array([0, 1, 0, 1])) == 1.0  # in [0, 1]: threshold 0.5
    assert tt.accuracy(np.array([0.2, 1.5, -0.1]), np.array([1, 1, 0])) == 1.0  # not in [0, 1]: threshold 0
    assert tt.accuracy(np.array([0.2, 1.5]), np.array([1, 1])) == 1.0
    assert tt.accuracy(np.array([0.7]), np.array([0.5])) == 0.0  # a target of 0.5 counts as negative


def test_bce_with_logits_soft_targets_keep_float64():
    logits, target = np.array([0.3, -1.2]), np.array([0.3, 0.9])
    expected = -(target * -np.logaddexp(0, -logits) + (1 - target) * -np.logaddexp(0, logits))
    out = tt.binary_cross_entropy_with_logits(t64(logits), target, "none")
    np.testing.assert_allclose(out.data, expected, rtol=1e-14)


def test_flatten_of_a_vector_and_from_the_first_negative_dim():
    assert tt.Flatten(-1)(tt.Tensor(np.ones(3))).shape == (3,)
    assert tt.Flatten(-3)(tt.Tensor(np.ones((2, 3, 4)))).shape == (24,)
    assert tt.MaxPool2d(1)(tt.Tensor(np.ones((1, 1, 2, 2)))).shape == (1, 1, 2, 2)
    assert tt.AvgPool2d(1, padding=0).kernel_size == (1, 1)
