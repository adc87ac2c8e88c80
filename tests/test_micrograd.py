"""micrograd's engine tests (karpathy/micrograd, ``test/test_engine.py``), retold for tinytorch.

micrograd checks two small scalar expressions against PyTorch: the forward value and the gradient
of every input. The same expressions run here on 0-d float64 tensors; each check is made against
values worked out by hand (or stated in micrograd's README) and, where torch is installed,
against PyTorch in float64.
"""
import numpy as np
import pytest

import tinytorch as tt


def scalar(value, library=tt):
    if library is tt:
        return tt.Tensor(value, requires_grad=True, dtype=np.float64)
    return library.tensor(value, requires_grad=True, dtype=library.float64)


def relu(t):
    return t.relu()


def chain_of_relus(library=tt):
    """micrograd's sanity check: x reused along several paths, through two ReLUs."""
    x = scalar(-4.0, library)
    z = 2 * x + 2 + x
    q = relu(z) + z * x
    h = relu(z * z)
    y = h + q + q * x
    y.backward()
    return y.item(), {"x": x.grad.item()}


def many_operators(library=tt):
    """micrograd's 'more ops': + - * / ** with numbers on either side, reused results, ReLU."""
    a, b = scalar(-4.0, library), scalar(2.0, library)
    c = a + b
    d = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + relu(b + a)
    d = d + 3 * d + relu(b - a)
    e = c - d
    f = e ** 2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    return g.item(), {"a": a.grad.item(), "b": b.grad.item()}


def test_chain_of_relus_by_hand():
    # z = 3x + 2 = -10; q = relu(z) + zx = 40; h = relu(z^2) = 100; y = h + q + qx = -20.
    # dy/dx = dh + dq (1 + x) + q = 6z + (3x + z)(1 + x) + q = -60 + 66 + 40 = 46.
    value, grads = chain_of_relus()
    assert value == pytest.approx(-20.0)
    assert grads["x"] == pytest.approx(46.0)


def test_many_operators_by_hand():
    # micrograd's README: g = 24.7041, dg/da = 138.8338, dg/db = 645.5773
    value, grads = many_operators()
    assert value == pytest.approx(24.7041, abs=1e-4)
    assert grads["a"] == pytest.approx(138.8338, abs=1e-4)
    assert grads["b"] == pytest.approx(645.5773, abs=1e-4)


@pytest.mark.parametrize("expression", [chain_of_relus, many_operators])
def test_matches_torch(expression):
    torch = pytest.importorskip("torch")
    value, grads = expression()
    torch_value, torch_grads = expression(torch)
    assert value == pytest.approx(torch_value, rel=1e-12)
    for name, grad in grads.items():
        assert grad == pytest.approx(torch_grads[name], rel=1e-12), name


def test_long_chain_backward_needs_no_recursion():
    # micrograd's recursive topological sort fails on a 2,000-op chain; tinytorch's is iterative.
    x = scalar(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad.item() == 1.0
