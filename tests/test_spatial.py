"""Convolution, pooling and Flatten: gradients, a loop-based reference, PyTorch, and bad input."""
import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core.autograd import gradcheck
from tinytorch.core.spatial import AvgPool2d, Conv2d, Flatten, MaxPool2d, avg_pool2d, conv2d, max_pool2d


def rand(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape)


def reference_conv2d(x, weight, bias=None, stride=(1, 1), padding=(0, 0)):
    """A direct, slow convolution: one dot product per output pixel (tests only)."""
    (sh, sw), (ph, pw) = stride, padding
    x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, _, h, w = x.shape
    o, _, kh, kw = weight.shape
    out = np.zeros((n, o, (h - kh) // sh + 1, (w - kw) // sw + 1))
    for b in range(n):
        for f in range(o):
            for r in range(out.shape[2]):
                for c in range(out.shape[3]):
                    patch = x[b, :, r * sh:r * sh + kh, c * sw:c * sw + kw]
                    out[b, f, r, c] = (patch * weight[f]).sum() + (0 if bias is None else bias[f])
    return out


# (x shape, weight shape, stride, padding, bias)
CONV_CASES = {
    "3x3": ((2, 3, 5, 5), (4, 3, 3, 3), 1, 0, True),
    "padding": ((2, 2, 4, 5), (3, 2, 3, 3), 1, 1, True),
    "stride2_padding1": ((2, 2, 6, 7), (3, 2, 3, 3), 2, 1, True),
    "nonsquare_kernel_no_bias": ((1, 3, 5, 6), (2, 3, 2, 3), 1, 0, False),
    "pair_stride_padding": ((2, 2, 7, 6), (2, 2, 3, 2), (2, 1), (1, 2), True),
    "stride_leaves_a_border": ((1, 2, 6, 6), (2, 2, 3, 3), 2, 0, False),
    "1x1": ((2, 4, 3, 3), (5, 4, 1, 1), 1, 0, True),
    "stride_larger_than_kernel": ((1, 2, 7, 8), (2, 2, 2, 2), 3, 0, True),
}


def conv_inputs(name):
    x_shape, w_shape, stride, padding, bias = CONV_CASES[name]
    inputs = [rand(*x_shape, seed=1), rand(*w_shape, seed=2)] + ([rand(w_shape[0], seed=3)] if bias else [])
    return inputs, stride, padding


@pytest.mark.parametrize("name", sorted(CONV_CASES))
def test_conv2d_gradients(name):
    inputs, stride, padding = conv_inputs(name)
    assert gradcheck(lambda *t: conv2d(*t, stride=stride, padding=padding), inputs) < 1e-5


@pytest.mark.parametrize("name", sorted(CONV_CASES))
def test_conv2d_matches_a_loop_reference(name):
    inputs, stride, padding = conv_inputs(name)
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    expected = reference_conv2d(*inputs, stride=pair(stride), padding=pair(padding))
    out = conv2d(*(tt.Tensor(a, dtype=np.float64) for a in inputs), stride=stride, padding=padding)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


def test_conv2d_only_weight_requires_grad():
    x, w = tt.Tensor(rand(2, 3, 5, 5)), tt.Tensor(rand(4, 3, 3, 3, seed=1), requires_grad=True)
    conv2d(x, w, padding=1).sum().backward()
    full = tt.Tensor(rand(2, 3, 5, 5), requires_grad=True)
    w_full = tt.Tensor(w.data, requires_grad=True)
    conv2d(full, w_full, padding=1).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(w.grad, w_full.grad)


POOL_CASES = {  # name -> (function, input shape, kwargs)
    "max_2x2": (max_pool2d, (2, 3, 4, 6), dict(kernel_size=2)),
    "max_overlapping": (max_pool2d, (2, 2, 5, 5), dict(kernel_size=3, stride=1)),
    "max_stride_padding": (max_pool2d, (1, 2, 7, 6), dict(kernel_size=(3, 2), stride=(2, 1), padding=1)),
    "max_stride_larger_than_kernel": (max_pool2d, (1, 2, 7, 7), dict(kernel_size=2, stride=3)),
    "avg_2x2": (avg_pool2d, (2, 3, 4, 6), dict(kernel_size=2)),
    "avg_overlapping": (avg_pool2d, (2, 2, 5, 5), dict(kernel_size=3, stride=1)),
    "avg_stride_padding": (avg_pool2d, (1, 2, 7, 6), dict(kernel_size=(3, 2), stride=(2, 1), padding=1)),
}


@pytest.mark.parametrize("name", sorted(POOL_CASES))
def test_pool_gradients(name):
    function, shape, kwargs = POOL_CASES[name]
    # a permutation keeps every value distinct, so no window has a tie a finite difference could cross
    x = np.random.default_rng(4).permutation(np.prod(shape)).reshape(shape) / 10.0
    assert gradcheck(lambda t: function(t, **kwargs), [x]) < 1e-5


def test_max_pool_gradient_goes_to_the_first_maximum_only():
    x = tt.Tensor(np.zeros((1, 1, 4, 4)), requires_grad=True)  # every window is a 4-way tie
    max_pool2d(x, 2).sum().backward()
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1.0
    np.testing.assert_array_equal(x.grad[0, 0], expected)


def test_max_pool_on_integer_images_with_padding():
    x = tt.Tensor(np.arange(-8, 8).reshape(1, 1, 4, 4))
    np.testing.assert_array_equal(max_pool2d(x, 3, stride=2, padding=1).data[0, 0], [[-3, -1], [5, 7]])


def test_pool_modules_match_functions_and_default_stride():
    x = tt.Tensor(rand(2, 3, 6, 6))
    np.testing.assert_array_equal(MaxPool2d(3)(x).data, max_pool2d(x, 3, stride=3).data)
    np.testing.assert_array_equal(AvgPool2d((2, 3), stride=1)(x).data, avg_pool2d(x, (2, 3), stride=1).data)
    assert MaxPool2d(3)(x).shape == (2, 3, 2, 2)
    assert repr(MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"


def test_flatten_keeps_the_batch_axis_and_passes_gradients():
    x = rand(2, 3, 2, 2)
    assert Flatten()(tt.Tensor(x)).shape == (2, 12)
    assert Flatten(0, 1)(tt.Tensor(x)).shape == (6, 2, 2)
    np.testing.assert_array_equal(Flatten()(tt.Tensor(x)).data, x.reshape(2, 12).astype(np.float32))
    assert gradcheck(lambda t: Flatten()(t) * rand(2, 12, seed=5), [x]) < 1e-5


def test_conv2d_module_parameters_and_init():
    tt.manual_seed(0)
    conv = Conv2d(3, 4, kernel_size=(3, 2), padding=1)
    assert conv.weight.shape == (4, 3, 3, 2) and conv.bias.shape == (4,)
    assert conv.weight.dtype == np.float32
    bound = 1 / np.sqrt(3 * 3 * 2)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.weight.data).max() > 0.8 * bound
    tt.manual_seed(0)
    np.testing.assert_array_equal(Conv2d(3, 4, kernel_size=(3, 2), padding=1).weight.data, conv.weight.data)
    assert repr(conv) == "Conv2d(3, 4, kernel_size=(3, 2), stride=(1, 1), padding=(1, 1))"
    assert repr(Conv2d(1, 2, 3, stride=2, bias=False)) == "Conv2d(1, 2, kernel_size=(3, 3), stride=(2, 2), bias=False)"
    assert Conv2d(1, 2, 3, bias=False).parameters()[0].shape == (2, 1, 3, 3)


def test_conv2d_module_parameter_gradients():
    tt.manual_seed(0)
    conv = Conv2d(2, 3, kernel_size=3, stride=2, padding=1).astype(np.float64)
    assert gradcheck(conv, [rand(2, 2, 5, 5)], params=conv.parameters()) < 1e-5


def test_small_cnn_gradients():
    tt.manual_seed(0)
    model = tt.Sequential(Conv2d(1, 2, 3, padding=1), tt.Tanh(), MaxPool2d(2), Flatten(), tt.Linear(8, 3))
    model.astype(np.float64)
    x = np.random.default_rng(0).permutation(32).reshape(2, 1, 4, 4) / 10.0
    assert gradcheck(model, [x], params=model.parameters()) < 1e-5


# ---------------------------------------------------------------- against PyTorch
@pytest.mark.parametrize("name", sorted(CONV_CASES))
def test_conv2d_matches_torch(name):
    torch = pytest.importorskip("torch")
    inputs, stride, padding = conv_inputs(name)
    ours = [tt.Tensor(a, requires_grad=True, dtype=np.float64) for a in inputs]
    out = conv2d(*ours, stride=stride, padding=padding)
    grad_out = rand(*out.shape, seed=9)
    out.backward(grad_out)
    theirs = [torch.tensor(a, requires_grad=True) for a in inputs]
    expected = torch.nn.functional.conv2d(*theirs, stride=stride, padding=padding)
    expected.backward(torch.tensor(grad_out))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(POOL_CASES))
@pytest.mark.parametrize("ties", [False, True])
def test_pool_matches_torch(name, ties):
    torch = pytest.importorskip("torch")
    function, shape, kwargs = POOL_CASES[name]
    x = rand(*shape, seed=6)
    if ties:  # what ReLU leaves behind: many equal zeros
        x = np.round(np.maximum(x, 0), 1)
    ours = tt.Tensor(x, requires_grad=True, dtype=np.float64)
    out = function(ours, **kwargs)
    grad_out = rand(*out.shape, seed=7)
    out.backward(grad_out)
    theirs = torch.tensor(x, requires_grad=True)
    expected = getattr(torch.nn.functional, function.__name__)(theirs, **kwargs)
    expected.backward(torch.tensor(grad_out))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- bad input
def test_conv2d_errors_name_the_shapes():
    x, w = tt.Tensor(rand(2, 3, 5, 5)), tt.Tensor(rand(4, 3, 3, 3))
    with pytest.raises(ValueError, match=r"conv2d: input must be 4-D \(N, C, H, W\), got shape \(3, 5, 5\)"):
        conv2d(tt.Tensor(rand(3, 5, 5)), w)
    match = r"input has 2 channels \(shape \(2, 2, 5, 5\)\) but weight \(4, 3, 3, 3\) expects 3"
    with pytest.raises(ValueError, match=match):
        conv2d(tt.Tensor(rand(2, 2, 5, 5)), w)
    with pytest.raises(ValueError, match=r"kernel \(9, 9\) is larger than the padded input \(7, 7\)"):
        conv2d(x, tt.Tensor(rand(4, 3, 9, 9)), padding=1)
    with pytest.raises(ValueError, match=r"weight must be 4-D"):
        conv2d(x, tt.Tensor(rand(4, 3, 3)))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
        conv2d(x, w, tt.Tensor(rand(3)))
    with pytest.raises(ValueError, match=r"stride must be at least 1, got 0"):
        conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match=r"padding must be at least 0, got \(1, -1\)"):
        conv2d(x, w, padding=(1, -1))
    with pytest.raises(TypeError, match=r"stride must be an int or a pair of ints, got 1.5"):
        conv2d(x, w, stride=1.5)
    with pytest.raises(TypeError, match=r"padding must be an int or a pair of ints, got \(1, 1, 1\)"):
        conv2d(x, w, padding=(1, 1, 1))


def test_conv2d_module_errors():
    conv = Conv2d(3, 4, 3)
    match = r"Conv2d: input of shape \(2, 5, 8, 8\) has 5 channels, expected in_channels=3"
    with pytest.raises(ValueError, match=match):
        conv(tt.Tensor(np.zeros((2, 5, 8, 8))))
    with pytest.raises(ValueError, match=r"Conv2d: input must be 4-D \(N, C, H, W\), got shape \(5, 8, 8\)"):
        conv(tt.Tensor(np.zeros((5, 8, 8))))
    with pytest.raises(ValueError, match=r"kernel \(3, 3\) is larger than the padded input \(2, 8\)"):
        conv(tt.Tensor(np.zeros((1, 3, 2, 8))))
    with pytest.raises(ValueError, match="kernel_size must be at least 1"):
        Conv2d(3, 4, 0)
    with pytest.raises(ValueError, match="channels must be positive"):
        Conv2d(0, 4, 3)


def test_pool_errors():
    x = tt.Tensor(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"max_pool2d: input must be 4-D \(N, C, H, W\), got shape \(4, 4\)"):
        max_pool2d(tt.Tensor(np.zeros((4, 4))), 2)
    with pytest.raises(ValueError, match=r"avg_pool2d: kernel \(5, 5\) is larger than the padded input \(4, 4\)"):
        avg_pool2d(x, 5)
    with pytest.raises(ValueError, match=r"max_pool2d: padding \(2, 2\) must be at most half the kernel \(3, 3\)"):
        max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match=r"MaxPool2d: stride must be at least 1, got 0"):
        MaxPool2d(2, stride=0)
    with pytest.raises(ValueError, match=r"Flatten: dims \(2, 1\) do not fit a tensor of shape \(2, 3, 4\)"):
        Flatten(2, 1)(tt.Tensor(np.zeros((2, 3, 4))))
