"""Every public operator, method and argument of the Tensor, checked by value.

Gradchecks see only that backward agrees with forward; these tests pin the
forward itself (against NumPy) and each argument or branch that a gradcheck with
default arguments never takes (found by mutation testing, see `make mutation`).
"""

import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core import attention, ops, reductions, selection, shaping
from tinytorch.core.tensor import _unbroadcast

RNG = np.random.default_rng(0)


def leaf(array, dtype=np.float64):
    return tt.Tensor(np.asarray(array), requires_grad=True, dtype=dtype)


def grad_of(tensor, out, upstream=None):
    """Gradient of sum(out * upstream) with respect to tensor (upstream defaults to ones)."""
    upstream = np.ones(out.shape) if upstream is None else upstream
    tensor.grad = None
    out.backward(upstream)
    return tensor.grad


# ----------------------------------------------------------------- operators
A = RNG.normal(size=(2, 3))
B = RNG.normal(size=(2, 3)) + 3.0  # away from 0 for division


@pytest.mark.parametrize("name, compute, numpy_forward, grad_a, grad_b", [
    ("add", lambda a, b: a + b, np.add, lambda a, b: np.ones_like(a), lambda a, b: np.ones_like(b)),
    ("sub", lambda a, b: a - b, np.subtract, lambda a, b: np.ones_like(a), lambda a, b: -np.ones_like(b)),
    ("mul", lambda a, b: a * b, np.multiply, lambda a, b: b, lambda a, b: a),
    ("div", lambda a, b: a / b, np.divide, lambda a, b: 1 / b, lambda a, b: -a / b**2),
])
def test_binary_operators_forward_and_gradients(name, compute, numpy_forward, grad_a, grad_b):
    a, b = leaf(A), leaf(B)
    out = compute(a, b)
    np.testing.assert_allclose(out.data, numpy_forward(A, B))
    upstream = RNG.normal(size=A.shape)
    out.backward(upstream)
    np.testing.assert_allclose(a.grad, upstream * grad_a(A, B))
    np.testing.assert_allclose(b.grad, upstream * grad_b(A, B))


@pytest.mark.parametrize("compute, expected", [
    (lambda a: 2.0 + a, 2.0 + A), (lambda a: 2.0 - a, 2.0 - A), (lambda a: 2.0 * a, 2.0 * A),
    (lambda a: 2.0 / (a + 5), 2.0 / (A + 5)), (lambda a: A @ a.T, A @ A.T), (lambda a: -a, -A),
    (lambda a: A + a, 2 * A), (lambda a: A - a, 0 * A), (lambda a: A * a, A * A), (lambda a: A / (a + 5), A / (A + 5)),
])
def test_reflected_operators_put_the_other_operand_first(compute, expected):
    out = compute(leaf(A))
    assert isinstance(out, tt.Tensor)
    np.testing.assert_allclose(out.data, expected, rtol=1e-6, atol=1e-6)  # an ndarray operand may be float32


def test_reflected_operator_gradients():
    a = leaf(A)
    np.testing.assert_allclose(grad_of(a, 2.0 - a), -np.ones_like(A))
    np.testing.assert_allclose(grad_of(a, 3.0 / a), -3.0 / A**2)
    np.testing.assert_allclose(grad_of(a, A.T @ a), A @ np.ones((3, 3)))  # d sum(M a)/da = M^T 1


def test_scalar_operand_keeps_the_tensor_dtype():
    a = tt.Tensor(np.ones(3, dtype=np.float32))
    for out in (a + 1.5, 1.5 + a, a * 2, a - 1, a / 3.0):
        assert out.dtype == np.float32


def test_power_forward_and_gradient():
    a = leaf([0.5, 2.0, 3.0])
    out = a ** 3
    np.testing.assert_allclose(out.data, [0.125, 8.0, 27.0])
    np.testing.assert_allclose(grad_of(a, out), 3 * np.array([0.5, 2.0, 3.0]) ** 2)
    out = a ** -0.5
    np.testing.assert_allclose(grad_of(a, out), -0.5 * np.array([0.5, 2.0, 3.0]) ** -1.5)


@pytest.mark.parametrize("shape_a, shape_b", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                                              ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)), ((3,), (5, 3, 4))])
def test_matmul_forward_and_gradients_for_every_rank(shape_a, shape_b):
    a_value, b_value = RNG.normal(size=shape_a), RNG.normal(size=shape_b)
    a, b = leaf(a_value), leaf(b_value)
    out = a @ b
    np.testing.assert_allclose(out.data, a_value @ b_value)
    upstream = RNG.normal(size=np.shape(a_value @ b_value))
    out.backward(upstream)
    # reference: the gradient of sum(upstream * (a @ b)) by finite differences is exact for bilinear maps
    ref_a = np.zeros_like(a_value)
    for index in np.ndindex(a_value.shape):
        e = np.zeros_like(a_value)
        e[index] = 1
        ref_a[index] = np.sum(upstream * (e @ b_value))
    ref_b = np.zeros_like(b_value)
    for index in np.ndindex(b_value.shape):
        e = np.zeros_like(b_value)
        e[index] = 1
        ref_b[index] = np.sum(upstream * (a_value @ e))
    np.testing.assert_allclose(a.grad, ref_a, atol=1e-12)
    np.testing.assert_allclose(b.grad, ref_b, atol=1e-12)


def test_matmul_skips_the_gradient_of_an_input_that_does_not_need_it():
    x = tt.Tensor(RNG.normal(size=(4, 2, 3)))
    w = leaf(RNG.normal(size=(3, 5)))
    (x @ w).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(w.grad, x.data.reshape(-1, 3).T @ np.ones((8, 5)))


def test_ndarray_matmul_tensor_returns_a_tensor_with_a_gradient():
    w = leaf(RNG.normal(size=(3, 2)))
    out = A @ w
    assert isinstance(out, tt.Tensor)
    np.testing.assert_allclose(out.data, A @ w.data, rtol=1e-6)  # the ndarray operand may become float32
    np.testing.assert_allclose(grad_of(w, out), A.T @ np.ones((2, 2)), rtol=1e-6)


@pytest.mark.parametrize("method, numpy_forward, derivative", [
    ("exp", np.exp, np.exp),
    ("log", np.log, lambda x: 1 / x),
    ("sqrt", np.sqrt, lambda x: 0.5 / np.sqrt(x)),
    ("abs", np.abs, np.sign),
])
def test_elementwise_methods(method, numpy_forward, derivative):
    values = np.array([0.3, 1.7, 4.0]) if method in ("log", "sqrt") else np.array([-1.5, 0.25, 2.0])
    a = leaf(values)
    out = getattr(a, method)()
    np.testing.assert_allclose(out.data, numpy_forward(values))
    upstream = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(grad_of(a, out, upstream), upstream * derivative(values))


def test_builtin_abs_is_the_abs_method():
    a = leaf([-2.0, 3.0])
    np.testing.assert_allclose(abs(a).data, [2.0, 3.0])
    np.testing.assert_allclose(grad_of(a, abs(a)), [-1.0, 1.0])


def test_log_of_zero_is_minus_infinity_without_a_warning():
    with np.errstate(all="raise"):
        out = tt.Tensor([0.0, 1.0]).log()
        root = tt.Tensor([-1.0, 4.0]).sqrt()
    assert out.data[0] == -np.inf and out.data[1] == 0
    assert np.isnan(root.data[0]) and root.data[1] == 2


@pytest.mark.parametrize("low, high", [(-0.5, 0.5), (None, 0.5), (-0.5, None)])
def test_clip_forward_and_gradient_one_and_two_sided(low, high):
    values = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    a = leaf(values)
    out = a.clip(low, high)
    np.testing.assert_allclose(out.data, np.clip(values, low, high))
    inside = np.ones(5, dtype=bool)
    if low is not None:
        inside &= values >= low
    if high is not None:
        inside &= values <= high
    # the gradient passes exactly at the bounds (as PyTorch's clamp does)
    np.testing.assert_allclose(grad_of(a, out, np.arange(1.0, 6.0)), np.arange(1.0, 6.0) * inside)


def test_clip_gradient_at_the_bound_is_one():
    a = leaf([0.5, -0.5])
    np.testing.assert_allclose(grad_of(a, a.clip(-0.5, 0.5)), [1.0, 1.0])
    np.testing.assert_allclose(grad_of(a, a.clip(min=-0.5)), [1.0, 1.0])
    np.testing.assert_allclose(grad_of(a, a.clip(max=0.5)), [1.0, 1.0])


def test_astype_float_keeps_the_graph_and_casts_the_gradient_back():
    a = tt.Tensor(np.array([1.5, -2.0], dtype=np.float32), requires_grad=True)
    out = a.astype(np.float64)
    assert out.dtype == np.float64 and out.requires_grad
    (out * tt.Tensor(np.array([2.0, 3.0]))).sum().backward()
    assert a.grad.dtype == np.float32
    np.testing.assert_allclose(a.grad, [2.0, 3.0])


def test_astype_int_gives_a_constant():
    out = leaf([1.7, -2.2]).astype(np.int64)
    assert out.dtype == np.int64 and not out.requires_grad
    np.testing.assert_array_equal(out.data, [1, -2])


@pytest.mark.parametrize("op, numpy_op", [("__eq__", np.equal), ("__ne__", np.not_equal), ("__lt__", np.less),
                                          ("__le__", np.less_equal), ("__gt__", np.greater),
                                          ("__ge__", np.greater_equal)])
def test_comparison_operators(op, numpy_op):
    a = tt.Tensor([1.0, 2.0, 3.0])
    for other in (tt.Tensor([3.0, 2.0, 1.0]), 2.0, np.array([2.0, 2.0, 2.0])):
        out = getattr(a, op)(other)
        assert isinstance(out, tt.Tensor) and out.dtype == np.bool_
        np.testing.assert_array_equal(out.data, numpy_op(a.data, np.asarray(getattr(other, "data", other))))


def test_comparison_operators_as_written():
    a = tt.Tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal((a == 2).data, [False, True, False])
    np.testing.assert_array_equal((a != 2).data, [True, False, True])
    np.testing.assert_array_equal((a < 2).data, [True, False, False])
    np.testing.assert_array_equal((a <= 2).data, [True, True, False])
    np.testing.assert_array_equal((a > 2).data, [False, False, True])
    np.testing.assert_array_equal((a >= 2).data, [False, True, True])


# ----------------------------------------------------------------- reductions
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (-1, 0)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "max"])
def test_reductions_forward_and_gradient(name, axis, keepdims):
    values = RNG.normal(size=(2, 3, 4))
    a = leaf(values)
    out = getattr(a, name)(axis=axis, keepdims=keepdims)
    axes = axis if axis is None or isinstance(axis, tuple) else (axis,)
    expected = getattr(np, name)(values, axis=axes, keepdims=keepdims)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected)
    upstream = RNG.normal(size=expected.shape)
    kept = upstream if keepdims else np.expand_dims(upstream, tuple(range(3)) if axes is None else axes)
    if name == "sum":
        reference = np.broadcast_to(kept, values.shape)
    elif name == "mean":
        reference = np.broadcast_to(kept, values.shape) / (values.size / expected.size)
    else:
        winners = values == np.max(values, axis=axes, keepdims=True)
        reference = kept * winners
    np.testing.assert_allclose(grad_of(a, out, upstream), reference)


def test_max_over_one_axis_gives_ties_gradient_as_pytorch():
    # torch.max(dim) sends the whole gradient to the first maximum it returns;
    # over all axes (torch.max()/amax) tied maxima share it evenly.
    a = leaf([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    out = a.max(axis=1, keepdims=True)
    np.testing.assert_allclose(out.data, [[3.0], [2.0]])
    np.testing.assert_allclose(grad_of(a, out, np.array([[6.0], [3.0]])), [[0, 6, 0], [3, 0, 0]])
    b = leaf([[1.0, 3.0, 3.0]])
    np.testing.assert_allclose(grad_of(b, b.max(), np.array(4.0)), [[0, 2, 2]])


def test_reductions_by_function_name():
    values = RNG.normal(size=(3, 2))
    a = tt.Tensor(values, dtype=np.float64)
    np.testing.assert_allclose(reductions.sum(a, 0).data, values.sum(0))
    np.testing.assert_allclose(reductions.mean(a, axis=1, keepdims=True).data, values.mean(1, keepdims=True))
    np.testing.assert_allclose(reductions.max(a).data, values.max())


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_argmax(axis):
    values = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.5]])
    out = tt.Tensor(values).argmax(axis=axis) if axis is not None else tt.Tensor(values).argmax()
    np.testing.assert_array_equal(out.data, np.argmax(values, axis=axis))
    assert not out.requires_grad


# ----------------------------------------------------------------- shaping
def test_reshape_forms_and_gradient():
    values = RNG.normal(size=(2, 3, 4))
    a = leaf(values)
    for out in (a.reshape(-1), a.reshape(6, 4), a.reshape((4, -1)), a.reshape([2, 12]), a.view(24)):
        np.testing.assert_allclose(out.data.reshape(-1), values.reshape(-1))
    assert a.reshape(-1).shape == (24,) and a.reshape((4, -1)).shape == (4, 6) and a.view(3, 8).shape == (3, 8)
    upstream = np.arange(24.0)
    np.testing.assert_allclose(grad_of(a, a.reshape(-1), upstream), upstream.reshape(2, 3, 4))


@pytest.mark.parametrize("axes", [(1, 0, 2), (2, 0, 1), (0, 2, 1), (-1, 0, 1), (2, 1, 0)])
def test_permute_forward_and_gradient(axes):
    values = RNG.normal(size=(2, 3, 4))
    a = leaf(values)
    for out in (a.permute(*axes), a.permute(axes), a.permute(list(axes))):
        np.testing.assert_allclose(out.data, np.transpose(values, axes))
    out = a.permute(axes)
    upstream = RNG.normal(size=out.shape)
    np.testing.assert_allclose(grad_of(a, out, upstream), np.transpose(upstream, np.argsort(np.array(axes) % 3)))


def test_permute_of_a_matrix():
    a = leaf(A)
    np.testing.assert_allclose(a.permute((1, 0)).data, A.T)
    upstream = RNG.normal(size=(3, 2))
    np.testing.assert_allclose(grad_of(a, a.permute(1, 0), upstream), upstream.T)


@pytest.mark.parametrize("dims", [(0, 1), (-2, -1), (0, 2), (-1, 0)])
def test_transpose_forward_and_gradient(dims):
    values = RNG.normal(size=(2, 3, 4))
    a = leaf(values)
    out = a.transpose(*dims)
    np.testing.assert_allclose(out.data, np.swapaxes(values, *dims))
    upstream = RNG.normal(size=out.shape)
    np.testing.assert_allclose(grad_of(a, out, upstream), np.swapaxes(upstream, *dims))


def test_T_of_a_matrix_a_vector_and_a_scalar():
    np.testing.assert_allclose(tt.Tensor(A).T.data, A.T)
    vector = tt.Tensor([1.0, 2.0])
    assert vector.T is vector
    scalar = tt.Tensor(3.0)
    assert scalar.T is scalar


@pytest.mark.parametrize("dim, shape", [(0, (1, 2, 3)), (1, (2, 1, 3)), (2, (2, 3, 1)), (-1, (2, 3, 1)),
                                        (-3, (1, 2, 3))])
def test_unsqueeze(dim, shape):
    a = leaf(A)
    out = a.unsqueeze(dim)
    assert out.shape == shape
    np.testing.assert_allclose(out.data, np.expand_dims(A, dim))
    np.testing.assert_allclose(grad_of(a, out, np.full(shape, 2.0)), np.full(A.shape, 2.0))


def test_squeeze_all_one_and_a_dim_that_is_not_one():
    values = RNG.normal(size=(1, 3, 1, 2))
    a = leaf(values)
    assert a.squeeze().shape == (3, 2)
    assert a.squeeze(0).shape == (3, 1, 2)
    assert a.squeeze(2).shape == (1, 3, 2)
    assert a.squeeze(-2).shape == (1, 3, 2)
    assert a.squeeze(1) is a
    np.testing.assert_allclose(a.squeeze().data, values.reshape(3, 2))
    np.testing.assert_allclose(grad_of(a, a.squeeze(0), np.ones((3, 1, 2))), np.ones((1, 3, 1, 2)))


def test_shaping_by_function_name():
    a = tt.Tensor(RNG.normal(size=(2, 3)))
    assert shaping.reshape(a, 3, 2).shape == (3, 2)
    assert shaping.permute(a, 1, 0).shape == (3, 2)
    assert shaping.transpose(a, 0, 1).shape == (3, 2)
    assert shaping.unsqueeze(a, 1).shape == (2, 1, 3)
    assert shaping.squeeze(shaping.unsqueeze(a, 0)).shape == (2, 3)


# ----------------------------------------------------------------- selection
def test_getitem_basic_and_advanced_indexing():
    values = RNG.normal(size=(4, 3))
    a = leaf(values)
    np.testing.assert_allclose(a[1].data, values[1])
    np.testing.assert_allclose(a[1:3, ::2].data, values[1:3, ::2])
    np.testing.assert_allclose(a[:, -1].data, values[:, -1])
    upstream = RNG.normal(size=(2, 2))
    expected = np.zeros_like(values)
    expected[1:3, ::2] = upstream
    np.testing.assert_allclose(grad_of(a, a[1:3, ::2], upstream), expected)
    # repeated indices add up
    out = a[[0, 2, 0]]
    np.testing.assert_allclose(out.data, values[[0, 2, 0]])
    expected = np.zeros_like(values)
    expected[0] = 2
    expected[2] = 1
    np.testing.assert_allclose(grad_of(a, out), expected)
    # an index given as a Tensor, and a tuple with an integer array
    rows = tt.Tensor(np.array([3, 3]))
    np.testing.assert_allclose(grad_of(a, a[rows]), np.eye(4)[3][:, None] * 2 * np.ones((4, 3)))
    np.testing.assert_allclose(grad_of(a, a[np.array([1, 1]), 2]), np.eye(4)[1][:, None] * [0, 0, 2])


def test_getitem_with_a_boolean_mask():
    values = np.array([1.0, -2.0, 3.0])
    a = leaf(values)
    out = a[values > 0]
    np.testing.assert_allclose(out.data, [1.0, 3.0])
    np.testing.assert_allclose(grad_of(a, out, np.array([5.0, 7.0])), [5.0, 0.0, 7.0])


def test_masked_fill_forward_gradient_and_broadcast_mask():
    values = RNG.normal(size=(2, 3))
    a = leaf(values)
    mask = np.array([True, False, True])
    out = a.masked_fill(mask, -9.0)
    np.testing.assert_allclose(out.data, np.where(mask, -9.0, values))
    np.testing.assert_allclose(grad_of(a, out, np.full((2, 3), 4.0)), np.where(mask, 0.0, 4.0) * np.ones((2, 3)))
    out = a.masked_fill(tt.Tensor(np.array([[True], [False]])), 0.5)
    np.testing.assert_allclose(out.data, [[0.5] * 3, values[1]])


def test_where_forward_and_gradients():
    condition = np.array([True, False, True])
    a, b = leaf([1.0, 2.0, 3.0]), leaf([10.0, 20.0, 30.0])
    out = tt.where(condition, a, b)
    np.testing.assert_allclose(out.data, [1.0, 20.0, 3.0])
    out.backward(np.array([2.0, 3.0, 4.0]))
    np.testing.assert_allclose(a.grad, [2.0, 0.0, 4.0])
    np.testing.assert_allclose(b.grad, [0.0, 3.0, 0.0])
    out = tt.where(tt.Tensor(condition), 0.0, a)
    np.testing.assert_allclose(out.data, [0.0, 2.0, 0.0])
    assert tt.where(condition, a, 1.5).dtype == np.float64


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_three_tensors_forward_and_gradients(axis):
    parts = [RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))]
    if axis == 0:
        parts[1] = RNG.normal(size=(1, 3))
    else:
        parts[2] = RNG.normal(size=(2, 1))
    leaves = [leaf(p) for p in parts]
    out = tt.concatenate(leaves, axis=axis)
    np.testing.assert_allclose(out.data, np.concatenate(parts, axis=axis))
    upstream = RNG.normal(size=out.shape)
    out.backward(upstream)
    for piece, tensor in zip(np.split(upstream, np.cumsum([p.shape[axis] for p in parts])[:-1], axis=axis), leaves):
        np.testing.assert_allclose(tensor.grad, piece)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack_three_tensors_forward_and_gradients(axis):
    parts = [RNG.normal(size=(2, 3)) for _ in range(3)]
    leaves = [leaf(p) for p in parts]
    out = tt.stack(leaves, axis=axis)
    np.testing.assert_allclose(out.data, np.stack(parts, axis=axis))
    upstream = RNG.normal(size=out.shape)
    out.backward(upstream)
    for i, tensor in enumerate(leaves):
        np.testing.assert_allclose(tensor.grad, np.take(upstream, i, axis=axis))


def test_concatenate_and_stack_accept_arrays_and_generators():
    out = selection.concatenate((np.ones(2) * i for i in range(3)))
    np.testing.assert_allclose(out.data, [0, 0, 1, 1, 2, 2])
    out = selection.stack([np.ones(2), tt.Tensor([2.0, 3.0])], axis=1)
    np.testing.assert_allclose(out.data, [[1, 2], [1, 3]])


# ----------------------------------------------------------------- the Tensor itself
def test_len_bool_item_numpy_and_array():
    a = tt.Tensor(np.zeros((4, 2)))
    assert len(a) == 4
    assert bool(tt.Tensor([2.0])) is True and bool(tt.Tensor(0.0)) is False
    assert bool(tt.Tensor([[0.5]])) is True
    assert tt.Tensor([[7.0]]).item() == 7.0
    assert a.numpy() is a.data
    assert np.asarray(a) is a.data
    converted = np.asarray(tt.Tensor([1.5, 2.5]), dtype=np.int64)
    assert converted.dtype == np.int64
    np.testing.assert_array_equal(converted, [1, 2])


def test_attributes():
    a = tt.Tensor(np.zeros((2, 3, 4)), requires_grad=True)
    assert (a.shape, a.ndim, a.size, a.dtype) == ((2, 3, 4), 3, 24, np.float32)
    assert a.is_leaf and not (a * 2).is_leaf


def test_float64_input_becomes_float32_unless_a_dtype_is_given():
    assert tt.Tensor(np.zeros(2)).dtype == np.float32
    assert tt.Tensor([1.5]).dtype == np.float32
    assert tt.Tensor(np.zeros(2), dtype=np.float64).dtype == np.float64
    assert tt.Tensor([1, 2]).dtype == np.int64
    assert tt.Tensor(np.zeros(2, dtype=np.float16)).dtype == np.float32
    assert tt.Tensor(tt.Tensor(np.zeros(2, dtype=np.float64), dtype=np.float64)).dtype == np.float32


def test_detach_copies_no_graph():
    a = tt.Tensor([1.0, 2.0], requires_grad=True)
    b = (a * 2).detach()
    assert not b.requires_grad and b.is_leaf and b.dtype == a.dtype
    np.testing.assert_allclose(b.data, [2.0, 4.0])


def test_repr_shows_dtype_and_grad_state():
    assert repr(tt.Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert repr(tt.Tensor([1.0], requires_grad=True)) == "Tensor([1.], requires_grad=True)"
    assert repr(tt.Tensor([1.0], requires_grad=True) * 2) == "Tensor([2.], grad_fn=mul)"
    assert repr(tt.Tensor([1.0], dtype=np.float64)) == "Tensor([1.], dtype=float64)"
    assert repr(tt.Tensor([True])) == "Tensor([ True])"
    assert repr(tt.Tensor([3])) == "Tensor([3])"
    assert repr(tt.Tensor([1], dtype=np.int32)) == "Tensor([1], dtype=int32)"


def test_hash_is_identity():
    a, b = tt.Tensor([1.0]), tt.Tensor([1.0])
    assert len({a, b, a}) == 2


def test_no_grad_as_context_and_decorator_restores_the_previous_state():
    a = tt.Tensor([1.0], requires_grad=True)
    with tt.no_grad():
        assert not tt.is_grad_enabled()
        with tt.no_grad():
            pass
        assert not tt.is_grad_enabled()
        assert not (a * 2).requires_grad
    assert tt.is_grad_enabled()

    @tt.no_grad()
    def double(x):
        """Twice x."""
        assert not tt.is_grad_enabled()
        return x * 2

    assert not double(a).requires_grad
    assert tt.is_grad_enabled()
    assert double.__name__ == "double" and double.__doc__ == "Twice x."
    with pytest.raises(KeyError):
        with tt.no_grad():
            raise KeyError("inside")
    assert tt.is_grad_enabled()


def test_backward_accumulates_into_grad_and_handles_reuse():
    a = leaf([1.0, 2.0])
    (a * a).sum().backward()
    (a * 3).sum().backward()
    np.testing.assert_allclose(a.grad, [2.0 + 3.0, 4.0 + 3.0])
    assert a.grad.dtype == a.dtype


def test_backward_default_gradient_and_given_gradient_dtype():
    a = tt.Tensor(np.array([2.0], dtype=np.float32), requires_grad=True)
    out = a * 3
    out.backward()
    np.testing.assert_allclose(a.grad, [3.0])
    a.grad = None
    out.backward([2])
    np.testing.assert_allclose(a.grad, [6.0])
    assert a.grad.dtype == np.float32


def test_backward_skips_inputs_without_grad_and_reaches_all_paths():
    a, constant = leaf([1.0, 2.0]), tt.Tensor([5.0, 7.0])
    b = a * constant
    c = b + a
    (c * b).sum().backward()
    # d/da of (5a + a)(5a)... per element: c*b = (k+1) k a^2 -> 2 (k+1) k a
    np.testing.assert_allclose(a.grad, 2 * 6 * 5 * np.array([1.0, 0.0]) + 2 * 8 * 7 * np.array([0.0, 2.0]))
    assert constant.grad is None


def test_backward_through_a_diamond_visits_each_node_once():
    a = leaf([3.0])
    b = a * 2
    c = b * b + b  # b used three times
    c.backward()
    np.testing.assert_allclose(a.grad, [(2 * 6 + 1) * 2])


@pytest.mark.parametrize("grad_shape, shape, expected", [
    ((2, 3), (2, 3), None), ((4, 2, 3), (2, 3), None), ((2, 3), (1, 3), None), ((2, 3), (2, 1), None),
    ((5, 2, 3), (2, 1), None), ((2, 3), (), None), ((2, 1), (2, 1), None),
])
def test_unbroadcast_sums_over_stretched_axes(grad_shape, shape, expected):
    grad = RNG.normal(size=grad_shape)
    out = _unbroadcast(grad, shape)
    assert out.shape == shape
    extra = len(grad_shape) - len(shape)
    reference = grad.sum(axis=tuple(range(extra))) if extra else grad
    for axis, n in enumerate(shape):
        if n == 1 and reference.shape[axis] != 1:
            reference = reference.sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(out, reference.reshape(shape))


def test_broadcast_gradients_arrive_summed():
    a, b = leaf(np.ones((2, 3))), leaf([[1.0], [2.0]])
    (a * b).backward(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(b.grad, [[0 + 1 + 2], [3 + 4 + 5]])
    np.testing.assert_allclose(a.grad, np.arange(6.0).reshape(2, 3) * [[1.0], [2.0]])


def test_ops_functions_are_the_methods():
    a, b = tt.Tensor(A, dtype=np.float64), tt.Tensor(B, dtype=np.float64)
    np.testing.assert_allclose(ops.add(a, b).data, A + B)
    np.testing.assert_allclose(ops.sub(a, 1.0).data, A - 1)
    np.testing.assert_allclose(ops.mul(2.0, a).data, 2 * A)
    np.testing.assert_allclose(ops.div(a, b).data, A / B)
    np.testing.assert_allclose(ops.neg(a).data, -A)
    np.testing.assert_allclose(ops.matmul(a, b.T).data, A @ B.T)
    np.testing.assert_allclose(ops.power(b, 2).data, B**2)


# ----------------------------------------------------------------- op names in the graph
def _x(*shape):
    return tt.Tensor(np.full(shape, 0.5), requires_grad=True)


OP_NAMES = [
    ("add", lambda: _x(2) + 1), ("sub", lambda: _x(2) - 1), ("mul", lambda: _x(2) * 2), ("div", lambda: _x(2) / 2),
    ("neg", lambda: -_x(2)), ("pow", lambda: _x(2) ** 2), ("matmul", lambda: _x(2) @ _x(2, 2)),
    ("exp", lambda: _x(2).exp()), ("log", lambda: _x(2).log()), ("sqrt", lambda: _x(2).sqrt()),
    ("abs", lambda: abs(_x(2))), ("clip", lambda: _x(2).clip(0, 1)), ("astype", lambda: _x(2).astype(np.float64)),
    ("sum", lambda: _x(2).sum()), ("mean", lambda: _x(2).mean()), ("max", lambda: _x(2).max()),
    ("reshape", lambda: _x(2).reshape(1, 2)), ("permute", lambda: _x(1, 2).permute(1, 0)),
    ("transpose", lambda: _x(1, 2).transpose(0, 1)), ("getitem", lambda: _x(2)[0]),
    ("masked_fill", lambda: _x(2).masked_fill(np.array([True, False]), 0.0)),
    ("where", lambda: tt.where(np.array([True]), _x(1), 0.0)), ("concatenate", lambda: tt.concatenate([_x(1), _x(1)])),
    ("stack", lambda: tt.stack([_x(1), _x(1)])), ("relu", lambda: tt.relu(_x(2))), ("sigmoid", lambda: tt.sigmoid(_x(2))),
    ("tanh", lambda: tt.tanh(_x(2))), ("gelu", lambda: tt.gelu(_x(2))), ("softmax", lambda: tt.softmax(_x(2))),
    ("log_softmax", lambda: tt.log_softmax(_x(2))),
    ("conv2d", lambda: tt.conv2d(_x(1, 1, 2, 2), _x(1, 1, 1, 1))),
    ("max_pool2d", lambda: tt.max_pool2d(_x(1, 1, 2, 2), 2)), ("avg_pool2d", lambda: tt.avg_pool2d(_x(1, 1, 2, 2), 2)),
    ("embedding", lambda: tt.Embedding(3, 2)(np.array([1]))),
    ("cross_entropy", lambda: tt.cross_entropy(_x(2, 3), np.array([0, 1]), reduction="none")),
    ("bce", lambda: tt.binary_cross_entropy(_x(2), np.ones(2), reduction="none")),
    ("bce_logits", lambda: tt.binary_cross_entropy_with_logits(_x(2), np.ones(2), reduction="none")),
    ("attention_weights", lambda: attention.attention_weights(_x(2, 2), _x(2, 2))),
]


@pytest.mark.parametrize("name, make", OP_NAMES, ids=[name for name, _ in OP_NAMES])
def test_every_op_names_itself_in_the_repr(name, make):
    assert repr(make()).endswith(f"grad_fn={name})")


def test_where_keeps_a_python_scalar_in_the_other_operand_dtype():
    a = tt.Tensor([1.0, 2.0], dtype=np.float64)
    out = tt.where(np.array([True, False]), a, 0.1)
    assert out.data[1] == 0.1  # not float32(0.1)
    out = tt.where(np.array([True, False]), 0.1, a)
    assert out.data[0] == 0.1


def test_no_grad_decorator_passes_keyword_arguments():
    @tt.no_grad()
    def scaled(x, factor=1.0):
        return x * factor

    np.testing.assert_allclose(scaled(tt.Tensor([2.0]), factor=3.0).data, [6.0])


def test_a_python_scalar_takes_a_float64_tensor_dtype_exactly():
    # it used to pass through float32 on the way (0.1 became 0.10000000149...)
    a = tt.Tensor([1.0], dtype=np.float64)
    assert (a * 0.1).data[0] == 0.1
    assert (0.1 + a).data[0] == 1.1
    assert (a - 0.1).dtype == np.float64


def test_edge_arguments_of_shaping_and_reductions():
    vector = leaf([1.0, 2.0, 3.0])
    assert vector.permute(0).shape == (3,)
    assert vector.max().item() == 3.0 and leaf([4.0]).max().item() == 4.0
    matrix = leaf(A)
    np.testing.assert_allclose(matrix.permute(-2, -1).data, A)
    np.testing.assert_allclose(matrix.permute(-1, -2).data, A.T)
    with pytest.raises(ValueError, match=r"^permute: \(2, 1\) is not a permutation of the 2 axes"):
        matrix.permute(2, 1)


def test_log_and_sqrt_of_negative_numbers_are_nan_without_a_warning():
    with np.errstate(all="raise"):
        assert np.isnan(tt.Tensor([-1.0]).log().data[0])
        assert np.isnan(tt.Tensor([-4.0]).sqrt().data[0])


def test_constant_results_are_leaves_and_detach_keeps_the_dtype():
    assert (tt.Tensor([1.0]) * 2).is_leaf
    with tt.no_grad():
        assert (leaf([1.0]) * 2).is_leaf
    assert leaf([1.0]).detach().dtype == np.float64


def test_repr_rounds_to_four_digits_and_aligns_rows():
    assert repr(tt.Tensor([1.23456])) == "Tensor([1.2346])"
    assert repr(tt.Tensor([[1.0, 2.0], [3.0, 4.0]])) == "Tensor([[1., 2.],\n        [3., 4.]])"


def test_gradients_are_not_shared_between_leaves_nor_with_the_caller():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    upstream = np.array([1.0, 1.0])
    (a + b).backward(upstream)
    a.grad += 10
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    upstream[:] = 5
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    c = leaf([1.0])
    given = np.array([2.0])
    c.backward(given)
    given[0] = 7
    np.testing.assert_array_equal(c.grad, [2.0])


def test_backward_visits_each_node_once_even_when_an_input_is_used_twice():
    # y = y + y sixty times: 2^60 paths from the output to x, but only 61 nodes
    x = leaf([1.0])
    y = x
    for _ in range(60):
        y = y + y
    y.backward()
    assert x.grad[0] == 2.0**60
