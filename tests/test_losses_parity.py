"""cross_entropy (ignore_index, label_smoothing), loss targets that require grad, and Embedding(padding_idx):
values and every gradient against PyTorch where torch is installed, against stated hand values otherwise."""
import numpy as np
import pytest

import tinytorch as tt


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


# ---------------------------------------------------------------- cross_entropy

TARGETS_2D = np.array([0, 3, -100, 2, 1, -100])  # 6 positions, 4 classes, two ignored
TARGETS_3D = np.array([[1, -100, 0], [3, 3, -100]])  # (N=2, L=3)
CE_FORMS = [
    (reduction, targets, smoothing, ignore_index)
    for reduction in ("mean", "sum", "none")
    for targets in ("2-D", "3-D")
    for smoothing in (0.0, 0.1, 1.0)
    for ignore_index in (-100, 3)
]


def ce_case(targets, ignore_index):
    """Logits and targets whose ignored positions (-100 in the tables) hold ``ignore_index``."""
    logits, ids = (rand(6, 4), TARGETS_2D) if targets == "2-D" else (rand(2, 3, 4, seed=1), TARGETS_3D)
    return logits, np.where(ids == -100, ignore_index, ids)


def numpy_cross_entropy(logits, targets, reduction, ignore_index, smoothing):
    """PyTorch's documented formula, in float64 NumPy."""
    log_p = logits - logits.max(-1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(-1, keepdims=True))
    counted = targets != ignore_index
    picked = np.take_along_axis(log_p, np.where(counted, targets, 0)[..., None], -1)[..., 0]
    losses = np.where(counted, -(1 - smoothing) * picked - smoothing * log_p.mean(-1), 0.0)
    return {"none": losses, "sum": losses.sum(), "mean": losses.sum() / counted.sum()}[reduction]


@pytest.mark.parametrize("reduction, targets, smoothing, ignore_index", CE_FORMS)
def test_cross_entropy_matches_pytorch(reduction, targets, smoothing, ignore_index):
    logits, target_ids = ce_case(targets, ignore_index)
    x = tt.Tensor(logits, requires_grad=True, dtype=np.float64)
    loss = tt.cross_entropy(x, target_ids, reduction=reduction, ignore_index=ignore_index,
                            label_smoothing=smoothing)
    module = tt.CrossEntropyLoss(reduction, ignore_index=ignore_index, label_smoothing=smoothing)
    np.testing.assert_array_equal(module(x, target_ids).data, loss.data)
    np.testing.assert_allclose(loss.data, numpy_cross_entropy(logits, target_ids, reduction, ignore_index, smoothing),
                               rtol=1e-12)
    gradient = rand(*loss.shape, seed=2)
    loss.backward(gradient)
    assert (x.grad[target_ids == ignore_index] == 0).all()  # ignored positions get no gradient
    torch = pytest.importorskip("torch")
    t_x = torch.tensor(logits, requires_grad=True)
    classes = logits.shape[-1]  # PyTorch puts classes on axis 1: flatten the positions instead
    t_loss = torch.nn.functional.cross_entropy(
        t_x.reshape(-1, classes), torch.tensor(target_ids.reshape(-1)), reduction=reduction,
        ignore_index=ignore_index, label_smoothing=smoothing)
    t_loss = t_loss.reshape(target_ids.shape) if reduction == "none" else t_loss
    t_loss.backward(torch.tensor(gradient))
    np.testing.assert_allclose(loss.data, t_loss.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad, t_x.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_cross_entropy_hand_values():
    logits = tt.Tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 5.0]], dtype=np.float64)
    # row 0: log p = [-2.4076, -1.4076, -0.4076]; 0.9 * 2.4076 + 0.1 * mean(2.4076, 1.4076, 0.4076) = 2.3076
    smoothed = tt.cross_entropy(logits, [0, -100], label_smoothing=0.1)
    assert round(smoothed.item(), 4) == 2.3076
    assert np.isnan(tt.cross_entropy(logits, [-100, -100]).item())  # 0 / 0, as PyTorch
    # (N, C, L) logits from PyTorch: classes to the last axis
    ported = np.arange(12.0).reshape(1, 3, 4)
    assert tt.cross_entropy(tt.Tensor(np.moveaxis(ported, 1, -1)), np.zeros((1, 4), int)).shape == ()


def test_cross_entropy_errors():
    logits = tt.Tensor(rand(2, 3))
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        tt.cross_entropy(logits, [0, 1], label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"target 3 is out of range for 3 classes \(ignore_index=-100\)"):
        tt.cross_entropy(logits, [0, 3])
    with pytest.raises(ValueError, match="target -1 is out of range"):
        tt.cross_entropy(logits, [0, -1])
    with pytest.raises(TypeError, match="class probabilities are not supported"):
        tt.cross_entropy(logits, np.full((2, 3), 1 / 3))


# ---------------------------------------------------------------- targets that require grad

TARGET_LOSSES = ["mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", TARGET_LOSSES)
def test_a_target_that_requires_grad_gets_its_gradient(name, reduction):
    rng = np.random.default_rng(0)
    first = rng.uniform(0.05, 0.95, size=(3, 4)) if name == "binary_cross_entropy" else rand(3, 4)
    target = rng.uniform(0, 1, size=(3, 4))
    ours = [tt.Tensor(a, requires_grad=True, dtype=np.float64) for a in (first, target)]
    loss = getattr(tt, name)(*ours, reduction=reduction)
    gradient = rand(*loss.shape, seed=3)
    loss.backward(gradient)
    # by hand: d/dt of (p - t)^2 is -2 (p - t); of BCE log(1 - p) - log p; of BCE with logits -x
    by_hand = {"mse_loss": lambda p, t: -2 * (p - t), "binary_cross_entropy": lambda p, t: np.log1p(-p) - np.log(p),
               "binary_cross_entropy_with_logits": lambda x, t: -x}[name]
    per_element = gradient / (12 if reduction == "mean" else 1)
    np.testing.assert_allclose(ours[1].grad, by_hand(first, target) * per_element, rtol=1e-12)
    torch = pytest.importorskip("torch")
    leaves = [torch.tensor(a, requires_grad=True) for a in (first, target)]
    t_loss = getattr(torch.nn.functional, name)(*leaves, reduction=reduction)
    t_loss.backward(torch.tensor(gradient))
    np.testing.assert_allclose(loss.data, t_loss.detach().numpy(), rtol=1e-12)
    for mine, theirs, what in zip(ours, leaves, ("input", "target")):
        np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=what)


# ---------------------------------------------------------------- Embedding(padding_idx)

IDS = np.array([[0, 4, 2, 4], [1, 0, 0, 3]])


@pytest.mark.parametrize("padding_idx", [None, 0, 4, -1, -5])
def test_embedding_padding_idx_matches_pytorch(padding_idx):
    tt.manual_seed(0)
    ours = tt.Embedding(5, 3, padding_idx=padding_idx).astype(np.float64)
    row = None if padding_idx is None else padding_idx % 5
    if row is not None:
        assert ours.padding_idx == row and (ours.weight.data[row] == 0).all()  # initialised to zero
    output = ours(IDS)
    gradient = rand(*output.shape, seed=1)
    output.backward(gradient)
    expected = np.zeros((5, 3))
    np.add.at(expected, IDS.reshape(-1), gradient.reshape(-1, 3))
    if row is not None:
        expected[row] = 0  # the padding row gets no gradient, however often it is looked up
    np.testing.assert_allclose(ours.weight.grad, expected, rtol=1e-12)
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Embedding(5, 3, padding_idx=padding_idx).double()
    if row is not None:
        assert (theirs.weight.detach().numpy()[row] == 0).all()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data))
    t_output = theirs(torch.tensor(IDS))
    t_output.backward(torch.tensor(gradient))
    np.testing.assert_array_equal(output.data, t_output.detach().numpy())
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-12)


def test_embedding_padding_idx_errors_and_repr():
    with pytest.raises(ValueError, match=r"padding_idx must be an integer in \[-5, 5\) for 5 embeddings, got 5"):
        tt.Embedding(5, 3, padding_idx=5)
    assert repr(tt.Embedding(5, 3, padding_idx=-1)) == "Embedding(5, 3, padding_idx=4)"
    torch = pytest.importorskip("torch")
    with pytest.raises(AssertionError):  # PyTorch refuses it too
        torch.nn.Embedding(5, 3, padding_idx=5)
