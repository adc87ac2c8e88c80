"""Optimizer steps against their update formulas (and against PyTorch when it is installed)."""
import numpy as np
import pytest

import tinytorch as tt


def quadratic_grads(w):
    """Gradient of sum(w^2 * c) for a fixed c, so each step sees a different gradient."""
    return 2 * w * np.array([1.0, 3.0, 0.5])


def run(optimizer_factory, steps=5):
    w = tt.Parameter(np.array([1.0, -2.0, 0.5]), dtype=np.float64)
    optimizer = optimizer_factory([w])
    for _ in range(steps):
        optimizer.zero_grad()
        (w * w * tt.Tensor([1.0, 3.0, 0.5], dtype=np.float64)).sum().backward()
        optimizer.step()
    return w.data


def reference_sgd(lr, momentum, weight_decay, steps=5):
    w, buffer = np.array([1.0, -2.0, 0.5]), None
    for _ in range(steps):
        g = quadratic_grads(w) + weight_decay * w
        if momentum:
            buffer = g if buffer is None else momentum * buffer + g
            g = buffer
        w = w - lr * g
    return w


def reference_adam(lr, betas, eps, weight_decay, decoupled, steps=5):
    w, m, v = np.array([1.0, -2.0, 0.5]), 0.0, 0.0
    for t in range(1, steps + 1):
        g = quadratic_grads(w)
        if decoupled:
            w = w * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * w
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        w = w - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    return w


@pytest.mark.parametrize("momentum,weight_decay", [(0.0, 0.0), (0.9, 0.0), (0.9, 0.1), (0.0, 0.1)])
def test_sgd_matches_its_update_rule(momentum, weight_decay):
    got = run(lambda p: tt.SGD(p, lr=0.05, momentum=momentum, weight_decay=weight_decay))
    np.testing.assert_allclose(got, reference_sgd(0.05, momentum, weight_decay), rtol=1e-12)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_adam_matches_its_update_rule(weight_decay):
    got = run(lambda p: tt.Adam(p, lr=0.1, weight_decay=weight_decay))
    np.testing.assert_allclose(got, reference_adam(0.1, (0.9, 0.999), 1e-8, weight_decay, False), rtol=1e-12)


def test_adamw_decouples_weight_decay():
    got = run(lambda p: tt.AdamW(p, lr=0.1, weight_decay=0.1))
    np.testing.assert_allclose(got, reference_adam(0.1, (0.9, 0.999), 1e-8, 0.1, True), rtol=1e-12)


def test_against_pytorch_when_installed():
    torch = pytest.importorskip("torch")
    for ours, theirs in [
        (lambda p: tt.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.1),
         lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.1)),
        (lambda p: tt.Adam(p, lr=0.1, weight_decay=0.1), lambda p: torch.optim.Adam(p, lr=0.1, weight_decay=0.1)),
        (lambda p: tt.AdamW(p, lr=0.1), lambda p: torch.optim.AdamW(p, lr=0.1)),
    ]:
        w = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
        optimizer = theirs([w])
        for _ in range(5):
            optimizer.zero_grad()
            (w * w * torch.tensor([1.0, 3.0, 0.5], dtype=torch.float64)).sum().backward()
            optimizer.step()
        np.testing.assert_allclose(run(ours), w.detach().numpy(), rtol=1e-10)


def test_clip_grad_norm_scales_all_gradients_together():
    a, b = tt.Parameter([3.0]), tt.Parameter([4.0])
    a.grad, b.grad = np.array([3.0], np.float32), np.array([4.0], np.float32)
    assert tt.clip_grad_norm_([a, b], max_norm=1.0) == pytest.approx(5.0)
    np.testing.assert_allclose([a.grad[0], b.grad[0]], [0.6, 0.8], rtol=1e-5)
    assert tt.clip_grad_norm_([a, b], max_norm=10.0) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose([a.grad[0], b.grad[0]], [0.6, 0.8], rtol=1e-5)  # unchanged below the limit


def test_optimizer_errors():
    with pytest.raises(ValueError, match="empty parameter list"):
        tt.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        tt.SGD([tt.Parameter([1.0])], lr=-1)


def test_training_a_linear_fit_converges():
    tt.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 1))
    y = tt.Tensor(3 * x + 1)
    model = tt.Linear(1, 1)
    optimizer = tt.SGD(model.parameters(), lr=0.1)
    for _ in range(200):
        loss = tt.mse_loss(model(tt.Tensor(x)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 1e-6
    np.testing.assert_allclose([model.weight.data[0, 0], model.bias.data[0]], [3.0, 1.0], atol=1e-3)
