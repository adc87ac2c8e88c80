"""Loss functions (mean over all positions by default) and the accuracy metric.

``cross_entropy`` and ``binary_cross_entropy_with_logits`` are fused primitives: they work from
logits with the log-sum-exp trick, so large logits never overflow, and their gradients are the
familiar ``softmax - onehot`` and ``sigmoid - target``.
"""
from __future__ import annotations

import numpy as np

from .activations import sigmoid
from .layers import Module
from .tensor import Tensor


def _reduce(name: str, losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _same_shape(name: str, prediction: Tensor, target: Tensor) -> None:
    if prediction.shape != target.shape:
        raise ValueError(f"{name}: prediction has shape {prediction.shape}, target has shape {target.shape}; they must match")


def _as_tensor(x, dtype=None) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x, dtype=dtype)


def mse_loss(prediction: Tensor, target, reduction: str = "mean") -> Tensor:
    """Mean squared error :math:`\\frac{1}{N}\\sum (p - t)^2`.

    Examples
    --------
    >>> from tinytorch import Tensor, mse_loss
    >>> mse_loss(Tensor([1.0, 2.0]), Tensor([1.0, 4.0]))
    Tensor(2.)
    """
    target = _as_tensor(target, prediction.dtype)
    _same_shape("mse_loss", prediction, target)
    difference = prediction - target
    return _reduce("mse_loss", difference * difference, reduction)


def binary_cross_entropy(probabilities: Tensor, target, reduction: str = "mean") -> Tensor:
    """:math:`-[t \\log p + (1-t) \\log(1-p)]` for probabilities in [0, 1].

    As in PyTorch, each log is clamped at -100 so that p = 0 or 1 gives a finite loss.

    Examples
    --------
    >>> from tinytorch import Tensor, binary_cross_entropy
    >>> binary_cross_entropy(Tensor([0.5, 0.5]), Tensor([0.0, 1.0]))
    Tensor(0.6931)
    """
    target = _as_tensor(target, probabilities.dtype)
    _same_shape("binary_cross_entropy", probabilities, target)
    p, t = probabilities.data, target.data
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError("binary_cross_entropy: probabilities must lie in [0, 1]; for logits use binary_cross_entropy_with_logits")
    with np.errstate(divide="ignore"):
        losses = -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log1p(-p), -100))
    def backward(grad):  # (p - t) / (p (1 - p)), the denominator kept away from 0 as PyTorch does
        return grad * (p - t) / np.maximum(p * (1 - p), 1e-12), None
    return _reduce("binary_cross_entropy", Tensor._from_op(losses, (probabilities, target), backward, "bce"), reduction)


def binary_cross_entropy_with_logits(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of ``sigmoid(logits)``, computed stably from the logits.

    Examples
    --------
    >>> from tinytorch import Tensor, binary_cross_entropy_with_logits
    >>> binary_cross_entropy_with_logits(Tensor([0.0, 1e4]), Tensor([1.0, 1.0]))
    Tensor(0.3466)
    """
    target = _as_tensor(target, logits.dtype)
    _same_shape("binary_cross_entropy_with_logits", logits, target)
    x, t = logits.data, target.data
    losses = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    def backward(grad):  # sigmoid(x) - t
        return grad * (sigmoid(Tensor(x, dtype=x.dtype)).data - t), None
    return _reduce("binary_cross_entropy_with_logits", Tensor._from_op(losses, (logits, target), backward, "bce_logits"), reduction)


def cross_entropy(logits: Tensor, targets, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy with integer class targets.

    Shape
    -----
    logits (..., C) with classes on the last axis; targets: integers in [0, C) of shape
    ``logits.shape[:-1]``. The mean is over all target positions.

    Examples
    --------
    >>> from tinytorch import Tensor, cross_entropy
    >>> cross_entropy(Tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), [0, 2])
    Tensor(0.6691)
    """
    targets = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: targets must be integer class indices, got dtype {targets.dtype}")
    if logits.ndim == 0 or targets.shape != logits.shape[:-1]:
        raise ValueError(f"cross_entropy: logits of shape {logits.shape} need targets of shape {logits.shape[:-1]}, got {targets.shape}")
    classes = logits.shape[-1]
    if targets.size and (targets.min() < 0 or targets.max() >= classes):
        bad = targets.min() if targets.min() < 0 else targets.max()
        raise ValueError(f"cross_entropy: target {bad} is out of range for {classes} classes")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    # one fused primitive: log-softmax, pick, reduce; gradient (softmax - onehot) * grad
    shifted = logits.data - logits.data.max(axis=-1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    index = targets[..., None]
    losses = -np.take_along_axis(log_probabilities, index, axis=-1)[..., 0]
    scale = 1 / max(losses.size, 1) if reduction == "mean" else 1
    out = losses if reduction == "none" else np.asarray(losses.sum() * scale, dtype=losses.dtype)
    def backward(grad):
        grad_logits = np.exp(log_probabilities)
        np.put_along_axis(grad_logits, index, np.take_along_axis(grad_logits, index, axis=-1) - 1, axis=-1)
        grad_logits *= (grad[..., None] if reduction == "none" else grad) * scale
        return (grad_logits,)
    return Tensor._from_op(out, (logits,), backward, "cross_entropy")


def accuracy(outputs, targets, threshold: float | None = None) -> float:
    """Fraction of correct predictions.

    Parameters
    ----------
    outputs : Tensor or array_like
        Of shape (..., C): scores or probabilities per class; the prediction is the argmax.
        Of shape (...) or (..., 1): one binary score per position.
    targets : Tensor or array_like
        Class indices of shape (...) (binary targets: 0/1).
    threshold : float, optional
        For binary scores, predict 1 above it: 0.5 for probabilities, 0 for logits. When not
        given it is inferred as torchmetrics does: 0.5 if every score lies in [0, 1], else 0.
        Pass it when logits might all fall inside [0, 1].

    Examples
    --------
    >>> from tinytorch import Tensor, accuracy
    >>> accuracy(Tensor([[0.1, 0.9], [0.8, 0.2]]), [1, 1])
    0.5
    >>> round(accuracy([0.2, 0.8, 0.3], [1, 1, 1]), 3)                # read as probabilities
    0.333
    >>> accuracy([0.2, 0.8, 0.3], [1, 1, 1], threshold=0.0)           # the same numbers as logits
    1.0
    >>> accuracy([0.2, 0.8, -0.3], [1, 1, 0])               # a negative score: logits
    1.0
    """
    outputs = outputs.data if isinstance(outputs, Tensor) else np.asarray(outputs)
    targets = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if outputs.shape[-1:] == (1,) and targets.shape == outputs.shape[:-1]:
        outputs = outputs[..., 0]
    if outputs.shape == targets.shape:  # binary
        if threshold is None:
            threshold = 0.5 if outputs.min() >= 0 and outputs.max() <= 1 else 0.0
        return float(np.mean((outputs > threshold) == (targets > 0.5)))
    if outputs.shape[:-1] != targets.shape:
        raise ValueError(f"accuracy: outputs of shape {outputs.shape} do not match targets of shape {targets.shape}")
    return float(np.mean(outputs.argmax(axis=-1) == targets))


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Module form of :func:`mse_loss`: mean squared error between prediction and target.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined: their mean, their sum, or no reduction.

    Shape
    -----
    prediction and target of one shape (...); output a scalar, or (...) with "none".

    Examples
    --------
    >>> import tinytorch as tt
    >>> prediction, target = tt.Tensor([1.0, 2.0]), tt.Tensor([1.0, 4.0])
    >>> tt.MSELoss()(prediction, target)
    Tensor(2.)
    >>> tt.MSELoss(reduction="none")(prediction, target)   # (p - t)**2 per element
    Tensor([0., 4.])
    """

    def forward(self, prediction, target):
        return mse_loss(prediction, target, self.reduction)


class BCELoss(_Loss):
    """Module form of :func:`binary_cross_entropy`: the loss of probabilities against 0/1 targets.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined: their mean, their sum, or no reduction.

    Shape
    -----
    probabilities in [0, 1] and target of one shape (...); output a scalar, or (...) with "none".

    Examples
    --------
    >>> import tinytorch as tt
    >>> probabilities, target = tt.Tensor([0.9, 0.2]), tt.Tensor([1.0, 0.0])
    >>> tt.BCELoss(reduction="none")(probabilities, target)   # -log 0.9 and -log(1 - 0.2)
    Tensor([0.1054, 0.2231])
    >>> tt.BCELoss()(probabilities, target)
    Tensor(0.1643)
    """

    def forward(self, probabilities, target):
        return binary_cross_entropy(probabilities, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Module form of :func:`binary_cross_entropy_with_logits`: binary cross-entropy from logits.

    Numerically safer than :class:`BCELoss` after a sigmoid: large logits never overflow.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-element losses are combined: their mean, their sum, or no reduction.

    Shape
    -----
    logits and target of one shape (...); output a scalar, or (...) with "none".

    Examples
    --------
    >>> import tinytorch as tt
    >>> logits, target = tt.Tensor([2.0, -1.0]), tt.Tensor([1.0, 0.0])
    >>> tt.BCEWithLogitsLoss(reduction="none")(logits, target)
    Tensor([0.1269, 0.3133])
    >>> tt.BCELoss(reduction="none")(tt.sigmoid(logits), target)   # the same, via probabilities
    Tensor([0.1269, 0.3133])
    """

    def forward(self, logits, target):
        return binary_cross_entropy_with_logits(logits, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Module form of :func:`cross_entropy`: softmax cross-entropy with integer class targets.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default "mean"
        How the per-position losses are combined: their mean, their sum, or no reduction.

    Shape
    -----
    logits (..., C) with C classes on the last axis; targets of shape (...), integers in [0, C);
    output a scalar, or (...) with "none".

    Examples
    --------
    >>> import tinytorch as tt
    >>> logits = tt.Tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])    # N = 2 samples, C = 3
    >>> tt.CrossEntropyLoss()(logits, [0, 2])
    Tensor(0.6691)
    >>> tt.CrossEntropyLoss(reduction="none")(logits, [0, 2])     # uniform row: log 3
    Tensor([0.2395, 1.0986])
    """

    def forward(self, logits, targets):
        return cross_entropy(logits, targets, self.reduction)
