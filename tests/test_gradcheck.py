"""Every differentiable op, activation, layer and loss against finite differences (float64)."""
import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core import ops
from tinytorch.core.autograd import GradcheckError, gradcheck


def rand(*shape, low=-1.0, high=1.0, seed=0):
    return np.random.default_rng(seed + len(shape)).uniform(low, high, size=shape)


POSITIVE = dict(low=0.5, high=2.0)
MASK = np.array([[True, False, True], [False, False, True]])

# name -> (function of tensors, list of input arrays)
CASES = {
    "add": (lambda a, b: a + b, [rand(2, 3), rand(2, 3, seed=1)]),
    "add_broadcast": (lambda a, b: a + b, [rand(4, 1, 3), rand(2, 1, seed=1)]),
    "sub_broadcast": (lambda a, b: a - b, [rand(2, 3), rand(3, seed=1)]),
    "rsub_scalar": (lambda a: 1.5 - a, [rand(2, 3)]),
    "mul_broadcast": (lambda a, b: a * b, [rand(2, 3), rand(1, 3, seed=1)]),
    "mul_reused": (lambda a: a * a * a, [rand(3, 2)]),
    "div": (lambda a, b: a / b, [rand(2, 3), rand(2, 3, seed=1, **POSITIVE)]),
    "rdiv_scalar": (lambda a: 2.0 / a, [rand(2, 3, **POSITIVE)]),
    "neg": (lambda a: -a, [rand(2, 3)]),
    "pow": (lambda a: a ** 3, [rand(2, 3)]),
    "pow_fractional": (lambda a: a ** 0.5, [rand(2, 3, **POSITIVE)]),
    "matmul": (lambda a, b: a @ b, [rand(3, 4), rand(4, 2, seed=1)]),
    "matmul_batched": (lambda a, b: a @ b, [rand(2, 3, 4), rand(2, 4, 5, seed=1)]),
    "matmul_batch_broadcast": (lambda a, b: a @ b, [rand(2, 3, 4), rand(4, 5, seed=1)]),
    "matmul_vector_right": (lambda a, b: a @ b, [rand(3, 4), rand(4, seed=1)]),
    "matmul_vector_left": (lambda a, b: a @ b, [rand(4), rand(4, 2, seed=1)]),
    "matmul_dot": (lambda a, b: a @ b, [rand(4), rand(4, seed=1)]),
    "sum_all": (lambda a: a.sum(), [rand(2, 3)]),
    "sum_axis": (lambda a: a.sum(axis=1), [rand(2, 3, 4)]),
    "sum_axes_keepdims": (lambda a: a.sum(axis=(0, 2), keepdims=True), [rand(2, 3, 4)]),
    "mean_axis": (lambda a: a.mean(axis=-1), [rand(2, 3)]),
    "mean_all": (lambda a: a.mean(), [rand(2, 3)]),
    "max_axis": (lambda a: a.max(axis=1), [rand(3, 4)]),
    "max_all_keepdims": (lambda a: a.max(axis=None, keepdims=True), [rand(3, 4)]),
    "exp": (lambda a: a.exp(), [rand(2, 3)]),
    "log": (lambda a: a.log(), [rand(2, 3, **POSITIVE)]),
    "sqrt": (lambda a: a.sqrt(), [rand(2, 3, **POSITIVE)]),
    "abs": (lambda a: abs(a), [rand(2, 3)]),
    "clip": (lambda a: a.clip(-0.5, 0.5), [rand(3, 4)]),
    "reshape": (lambda a: a.reshape(3, 2) * rand(3, 2, seed=5), [rand(2, 3)]),
    "transpose": (lambda a: a.transpose(0, 2), [rand(2, 3, 4)]),
    "T": (lambda a: a.T @ a, [rand(3, 2)]),
    "permute": (lambda a: a.permute(2, 0, 1), [rand(2, 3, 4)]),
    "unsqueeze_squeeze": (lambda a: a.unsqueeze(1).squeeze(1) * a.unsqueeze(0), [rand(2, 3)]),
    "getitem_slice": (lambda a: a[1:, ::2], [rand(3, 4)]),
    "getitem_int_array_repeated": (lambda a: a[np.array([0, 2, 0])], [rand(3, 4)]),
    "getitem_bool_mask": (lambda a: a[MASK], [rand(2, 3)]),
    "masked_fill": (lambda a: a.masked_fill(MASK, 0.0), [rand(2, 3)]),
    "where": (lambda a, b: tt.where(MASK, a, b), [rand(2, 3), rand(3, seed=1)]),
    "concatenate": (lambda a, b: tt.concatenate([a, b], axis=1), [rand(2, 3), rand(2, 2, seed=1)]),
    "stack": (lambda a, b: tt.stack([a, b], axis=1), [rand(2, 3), rand(2, 3, seed=1)]),
    "astype_roundtrip": (lambda a: ops.astype(a, np.float64) * 2, [rand(2, 3)]),
    "relu": (tt.relu, [rand(3, 4)]),
    "sigmoid": (tt.sigmoid, [rand(3, 4, low=-5, high=5)]),
    "tanh": (tt.tanh, [rand(3, 4)]),
    "gelu": (tt.gelu, [rand(3, 4, low=-3, high=3)]),
    "softmax": (lambda a: tt.softmax(a, axis=-1), [rand(3, 4)]),
    "softmax_axis0": (lambda a: tt.softmax(a, axis=0), [rand(3, 4)]),
    "log_softmax": (lambda a: tt.log_softmax(a, axis=-1), [rand(3, 4)]),
    "mse_loss": (lambda a, b: tt.mse_loss(a, b), [rand(4, 2), rand(4, 2, seed=1)]),
    "binary_cross_entropy": (lambda p: tt.binary_cross_entropy(p, np.array([0.0, 1.0, 1.0, 0.0])),
                             [rand(4, low=0.1, high=0.9)]),
    "bce_with_logits": (lambda x: tt.binary_cross_entropy_with_logits(x, np.array([0.0, 1.0, 1.0, 0.0])),
                        [rand(4, low=-3, high=3)]),
    "cross_entropy": (lambda x: tt.cross_entropy(x, np.array([0, 2, 1])), [rand(3, 4)]),
    "cross_entropy_3d_sum": (lambda x: tt.cross_entropy(x, np.array([[0, 2], [1, 1]]), reduction="sum"),
                             [rand(2, 2, 3)]),
}
# Ops whose results are not smooth at a few points are sampled away from them (|x| > 0.05 for abs/relu).
for name in ("abs", "relu", "clip"):
    f, (x,) = CASES[name]
    CASES[name] = (f, [np.where(np.abs(x) < 0.05, 0.3, x) if name != "clip" else np.where(np.abs(np.abs(x) - 0.5) < 0.05, 0.2, x)])


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_gradients(name):
    fn, inputs = CASES[name]
    assert gradcheck(fn, inputs) < 1e-5


def make_layer(name):
    tt.manual_seed(0)
    layers = {
        "Linear": (tt.Linear(3, 2), lambda m, x: m(x), rand(4, 3)),
        "Linear_3d": (tt.Linear(3, 2), lambda m, x: m(x), rand(2, 4, 3)),
        "Linear_nobias": (tt.Linear(3, 2, bias=False), lambda m, x: m(x), rand(4, 3)),
        "MLP": (tt.MLP([3, 5, 2], activation=tt.Tanh), lambda m, x: m(x), rand(4, 3)),
        "LayerNorm": (tt.LayerNorm(4), lambda m, x: m(x), rand(3, 4)),
        "LayerNorm_2d_shape": (tt.LayerNorm((2, 3)), lambda m, x: m(x), rand(2, 2, 3)),
        "Embedding": (tt.Embedding(5, 3), lambda m, x: m(np.array([[0, 4, 0], [2, 2, 1]])) * x, rand(2, 3, 3)),
        "Softmax": (tt.Softmax(axis=0), lambda m, x: m(x), rand(3, 4)),
    }
    module, fn, x = layers[name]
    module.astype(np.float64)
    if name == "LayerNorm":  # move weight and bias off their initial 1 and 0 so their gradients matter
        module.weight.data = rand(4, seed=3)
        module.bias.data = rand(4, seed=4)
    return module, fn, x


@pytest.mark.parametrize("name", ["Linear", "Linear_3d", "Linear_nobias", "MLP", "LayerNorm", "LayerNorm_2d_shape", "Embedding", "Softmax"])
def test_layer_gradients(name):
    module, fn, x = make_layer(name)
    assert gradcheck(lambda t: fn(module, t), [x], params=module.parameters()) < 1e-5


def test_dropout_gradient_uses_the_same_mask():
    drop = tt.Dropout(0.5)
    tt.manual_seed(0)
    x = tt.Tensor(rand(4, 5), requires_grad=True, dtype=np.float64)
    y = drop(x)
    y.sum().backward()
    kept = y.data != 0
    np.testing.assert_allclose(x.grad, np.where(kept, 2.0, 0.0))


def test_gradcheck_catches_a_wrong_gradient():
    def bad_square(a):
        def backward(grad):
            return (grad * a.data,)  # should be 2 * a
        return tt.Tensor._from_op(a.data ** 2, (a,), backward, "bad_square")

    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(2, 3\)\).*analytic.*numeric"):
        gradcheck(bad_square, [rand(2, 3)])


def test_gradcheck_refuses_float32_parameters():
    layer = tt.Linear(2, 2)
    with pytest.raises(TypeError, match="float64"):
        gradcheck(layer, [rand(3, 2)], params=layer.parameters())
