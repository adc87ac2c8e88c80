"""Tensor semantics: dtypes, the graph, accumulation, no_grad, and clear errors on bad input."""
import numpy as np
import pytest

import tinytorch as tt
from tinytorch import Tensor


def test_float_input_is_float32_unless_a_dtype_is_given():
    assert Tensor([[1.0, 2.0]]).dtype == np.float32
    assert Tensor(np.zeros(3)).dtype == np.float32
    assert Tensor(np.zeros(3), dtype=np.float64).dtype == np.float64
    assert Tensor([1, 2]).dtype == np.int64


def test_attributes():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert (x.shape, x.ndim, x.size) == ((2, 3), 2, 6)
    assert x.T.shape == (3, 2)
    assert Tensor([[3.5]]).item() == 3.5
    assert x.numpy() is x.data
    assert np.asarray(x) is x.data
    assert x.astype(np.float64).dtype == np.float64


def test_python_scalars_keep_float32():
    x = Tensor([1.0, 2.0])
    for y in (x * 2.5, 2.5 * x, x + 1, 1 - x, x / 3, 3 / x, x ** 2):
        assert y.dtype == np.float32


def test_ndarray_on_the_left_defers_to_tensor():
    y = np.ones(2) + Tensor([1.0, 2.0], requires_grad=True)
    assert isinstance(y, Tensor) and y.requires_grad


def test_gradients_accumulate_over_reuse_and_over_backward_calls():
    x = Tensor([2.0, 3.0], requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + 1)
    (x * 1.0).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + 2)
    x.grad = None
    x.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0, 1.0])


def test_diamond_graph():
    x = Tensor([1.5], requires_grad=True)
    a = x * 2
    b = x.exp()
    (a * b + a).sum().backward()
    # d/dx (2x e^x + 2x) = 2 e^x + 2x e^x + 2
    np.testing.assert_allclose(x.grad, 2 * np.exp(1.5) + 3 * np.exp(1.5) + 2, rtol=1e-6)


def test_broadcast_gradient_has_the_leaf_shape():
    bias = Tensor(np.zeros((1, 3)), requires_grad=True)
    (Tensor(np.ones((4, 3))) + bias).sum().backward()
    assert bias.grad.shape == (1, 3)
    np.testing.assert_allclose(bias.grad, 4.0)


def test_backward_of_a_long_chain_is_iterative():
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0 + 0.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0])


def test_no_grad_records_nothing_and_restores_state():
    x = Tensor([1.0], requires_grad=True)
    with tt.no_grad():
        y = x * 2
        assert not tt.is_grad_enabled()
    assert tt.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf

    @tt.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad


def test_detach_cuts_the_graph():
    x = Tensor([1.0], requires_grad=True)
    assert not (x * 2).detach().requires_grad


def test_argmax_and_comparisons_have_no_grad():
    x = Tensor([[1.0, 5.0, 2.0]], requires_grad=True)
    assert x.argmax(axis=1).data.tolist() == [1]
    assert (x > 1.5).data.tolist() == [[False, True, True]]
    assert not (x == x).requires_grad


def test_repr_is_readable():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert repr(Tensor([1.0], requires_grad=True)) == "Tensor([1.], requires_grad=True)"
    assert "grad_fn=mul" in repr(Tensor([1.0], requires_grad=True) * 2)
    assert "dtype=float64" in repr(Tensor([1.0], dtype=np.float64))


def test_nan_and_inf_propagate():
    x = Tensor([np.nan, np.inf, 1.0])
    y = (x * 2).exp()
    assert np.isnan(y.data[0]) and np.isinf(y.data[1])


def test_softmax_is_finite_for_huge_logits():
    logits = Tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], requires_grad=True)
    probabilities = tt.softmax(logits)
    log_probabilities = tt.log_softmax(logits)
    assert np.isfinite(probabilities.data).all() and np.isfinite(log_probabilities.data).all()
    np.testing.assert_allclose(probabilities.data.sum(axis=-1), 1.0, rtol=1e-6)
    (probabilities * Tensor([[1.0, 2.0, 3.0]])).sum().backward()
    assert np.isfinite(logits.grad).all()
    assert np.isfinite(tt.cross_entropy(logits, [1, 0]).data)


# ------------------------------------------------------------------ clear errors at the user's call
def test_matmul_error_names_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3\).*\(4, 5\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))


def test_broadcast_error_names_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"add.*\(2, 3\).*\(4,\)"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"mul.*\(2, 3\).*\(2,\)"):
        Tensor(np.ones((2, 3))) * Tensor(np.ones(2))


def test_shape_errors():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\).*\(4, 2\)"):
        x.reshape(4, 2)
    with pytest.raises(ValueError, match=r"permute.*\(2, 3\)"):
        x.permute(0, 0)
    with pytest.raises(ValueError, match=r"transpose.*\(2, 3\)"):
        x.transpose(0, 2)
    with pytest.raises(ValueError, match=r"sum.*axis 2.*\(2, 3\)"):
        x.sum(axis=2)
    with pytest.raises(IndexError, match=r"\(2, 3\)"):
        x[5]
    with pytest.raises(ValueError, match=r"concatenate.*\(2, 3\).*\(3, 2\)"):
        tt.concatenate([x, Tensor(np.ones((3, 2)))], axis=0)


def test_masked_fill_checks_its_mask():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="boolean"):
        x.masked_fill(np.ones((2, 3)), 0.0)
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        x.masked_fill(np.ones((3, 2), dtype=bool), 0.0)
    with pytest.raises(ValueError, match=r"\(2, 2, 3\).*\(2, 3\)"):  # a mask may not enlarge the tensor
        x.masked_fill(np.ones((2, 2, 3), dtype=bool), 0.0)


def test_backward_errors():
    with pytest.raises(RuntimeError, match=r"one-element.*\(2,\)"):
        (Tensor([1.0, 2.0], requires_grad=True) * 2).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).backward()
    with pytest.raises(TypeError, match="floating-point"):
        Tensor([1, 2], requires_grad=True)


def test_cross_entropy_errors():
    logits = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="target 3 is out of range for 3 classes"):
        tt.cross_entropy(logits, [0, 3])
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2,\).*\(3,\)"):
        tt.cross_entropy(logits, [0, 1, 2])
    with pytest.raises(TypeError, match="integer"):
        tt.cross_entropy(logits, [0.0, 1.0])


def test_loss_shape_mismatch_is_an_error_not_a_broadcast():
    with pytest.raises(ValueError, match=r"mse_loss.*\(4, 1\).*\(4,\)"):
        tt.mse_loss(Tensor(np.zeros((4, 1))), Tensor(np.zeros(4)))


def test_detach_keeps_the_dtype():
    assert Tensor([1.0], dtype=np.float64).detach().dtype == np.float64


def test_accuracy_takes_an_explicit_threshold_for_binary_scores():
    logits_inside_unit_interval = [0.2, 0.8, 0.3]
    assert tt.accuracy(logits_inside_unit_interval, [1, 1, 1], threshold=0.0) == 1.0
    assert tt.accuracy(logits_inside_unit_interval, [1, 1, 1]) == pytest.approx(1 / 3)  # inferred: probabilities
    assert tt.accuracy([[0.1, 0.9], [0.8, 0.2]], [1, 0]) == 1.0
    with pytest.raises(ValueError, match=r"accuracy.*\(2, 2\).*\(3,\)"):
        tt.accuracy([[0.1, 0.9], [0.8, 0.2]], [1, 0, 1])


@pytest.mark.parametrize("dtype", [None, np.float32])
def test_a_tensor_never_shares_memory_with_the_array_it_was_made_from(dtype):
    # torch.tensor copies; an in-place update must not reach the caller's array.
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    for made in (tt.Tensor(array, dtype=dtype), tt.Parameter(array), tt.Tensor(array[:, 1:]),
                 tt.Tensor(tt.Tensor(array))):
        made.data += 1
    np.testing.assert_array_equal(array, np.arange(6, dtype=np.float32).reshape(2, 3))
    weight = tt.Parameter(array)
    weight.grad = np.ones_like(array)
    tt.SGD([weight], lr=0.5).step()
    np.testing.assert_array_equal(array, np.arange(6, dtype=np.float32).reshape(2, 3))


def test_detach_shares_memory_as_in_pytorch():
    x = tt.Tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert d.data is x.data and not d.requires_grad and d._parents == ()


def test_masked_fill_with_a_tensor_value_gives_the_value_its_gradient():
    # As torch.Tensor.masked_fill with a 0-d tensor value: the value's gradient is the
    # upstream gradient summed over the masked entries (here 2 + 3 = 5).
    a = tt.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    value = tt.Tensor(0.5, requires_grad=True)
    mask = np.array([[False, True], [True, False]])
    out = a.masked_fill(mask, value)
    np.testing.assert_allclose(out.data, [[1.0, 0.5], [0.5, 4.0]])
    (out * tt.Tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert value.grad == pytest.approx(5.0)
    np.testing.assert_allclose(a.grad, [[1.0, 0.0], [0.0, 4.0]])
    with pytest.raises(ValueError, match=r"masked_fill: value must be a number or a 0-d tensor, got shape \(2,\)"):
        a.masked_fill(mask, tt.Tensor([1.0, 2.0]))
