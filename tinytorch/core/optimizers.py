"""Optimizers with PyTorch's update rules, and gradient-norm clipping.

Each optimizer keeps its state per parameter (``optimizer.state[i]`` for ``params[i]``, a dict),
created the first time that parameter has a gradient, as PyTorch does: a parameter whose
``.grad`` is None is skipped entirely (no decay, no step counted), so a parameter that joins the
training late starts its own step count and moments then. Parameters are updated in place; the
gradients are read, never changed.
"""
from __future__ import annotations

import numpy as np

from .tensor import Tensor


class Optimizer:
    """Base class: holds the parameter list; ``zero_grad()`` resets their gradients.

    A subclass defines ``step()``, which reads each ``parameter.grad`` and updates
    ``parameter.data`` in place.

    Parameters
    ----------
    params : iterable of Tensor
        The tensors to train (e.g. ``model.parameters()``), each with ``requires_grad=True``.
    lr : float
        The learning rate, positive.

    Raises
    ------
    ValueError
        If ``params`` is empty or ``lr`` is not positive.
    TypeError
        If a parameter is not a Tensor that requires gradients.

    Examples
    --------
    >>> import numpy as np, tinytorch as tt
    >>> class SignSGD(tt.Optimizer):                  # step by lr against the gradient's sign
    ...     def step(self):
    ...         for p in self.params:
    ...             p.data -= self.lr * np.sign(p.grad)
    >>> w = tt.Parameter([1.0, -2.0])
    >>> opt = SignSGD([w], lr=0.5)
    >>> (w * w).sum().backward(); opt.step(); opt.zero_grad()
    >>> w, w.grad
    (Parameter([ 0.5, -1.5], requires_grad=True), None)
    """

    def __init__(self, params, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not all(isinstance(p, Tensor) and p.requires_grad for p in self.params):
            raise TypeError(f"{type(self).__name__}: every parameter must be a Tensor with requires_grad=True")
        if lr <= 0:
            raise ValueError(f"{type(self).__name__}: learning rate must be positive, got {lr}")
        self.lr = lr
        self.state = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to None (before the next backward pass)."""
        for parameter in self.params:
            parameter.grad = None

    def step(self) -> None:
        """Update every parameter from its gradient; each optimizer defines its rule."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum (plain or Nesterov) and L2 weight decay.

    PyTorch's rule (``torch.optim.SGD``): ``g = grad + weight_decay * p``; with momentum,
    ``buf = momentum * buf + (1 - dampening) * g`` (``buf = g`` at the parameter's first step),
    then ``g = g + momentum * buf`` if ``nesterov`` else ``g = buf``; finally ``p -= lr * g``.

    Parameters
    ----------
    params : iterable of Tensor
        The tensors to train, each with ``requires_grad=True``.
    lr : float
        The learning rate.
    momentum, dampening, weight_decay : float, default 0
        As in PyTorch.
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).

    Raises
    ------
    ValueError
        If ``nesterov`` is set without momentum or with dampening.

    Examples
    --------
    >>> import tinytorch as tt
    >>> w = tt.Parameter([1.0])
    >>> opt = tt.SGD([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    Parameter([0.8], requires_grad=True)
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(params, lr)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        self.momentum, self.dampening, self.weight_decay = momentum, dampening, weight_decay
        self.nesterov = nesterov

    def step(self) -> None:
        for parameter, state in zip(self.params, self.state):
            if parameter.grad is None:
                continue
            grad = parameter.grad + self.weight_decay * parameter.data if self.weight_decay else parameter.grad
            if self.momentum:
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = state["momentum_buffer"] = grad.copy()
                else:
                    buffer *= self.momentum
                    buffer += (1 - self.dampening) * grad
                grad = grad + self.momentum * buffer if self.nesterov else buffer
            parameter.data -= self.lr * grad


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction, as ``torch.optim.Adam``.

    Per parameter: ``step`` counts its own updates, ``m`` and ``v`` (the running means of the
    gradient and of its square) start at 0 when the parameter first has a gradient;
    ``p -= lr / (1 - beta1**step) * m / (sqrt(v) / sqrt(1 - beta2**step) + eps)``.
    ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2, PyTorch's Adam); for decoupled
    decay use :class:`AdamW`.

    Examples
    --------
    >>> import tinytorch as tt
    >>> w = tt.Parameter([1.0])
    >>> opt = tt.Adam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w   # the first Adam step moves each weight by about lr
    Parameter([0.9], requires_grad=True)
    >>> opt.state[0]["step"]
    1
    """

    decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr)
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"{type(self).__name__}: betas must lie in [0, 1), got {betas}")
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay

    def step(self) -> None:
        beta1, beta2 = self.betas
        for parameter, state in zip(self.params, self.state):
            if parameter.grad is None:
                continue
            if not state:
                state.update(step=0, exp_avg=np.zeros_like(parameter.data),
                             exp_avg_sq=np.zeros_like(parameter.data))
            state["step"] += 1
            first, second, step = state["exp_avg"], state["exp_avg_sq"], state["step"]
            grad = parameter.grad
            if self.weight_decay and self.decoupled:
                parameter.data *= 1 - self.lr * self.weight_decay
            elif self.weight_decay:
                grad = grad + self.weight_decay * parameter.data
            first *= beta1
            first += (1 - beta1) * grad
            second *= beta2
            second += (1 - beta2) * grad * grad
            denominator = np.sqrt(second) / np.sqrt(1 - beta2 ** step) + self.eps
            parameter.data -= (self.lr / (1 - beta1 ** step)) * first / denominator


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW`` (default ``weight_decay=0.01``).

    Before the Adam step each parameter shrinks, ``p *= 1 - lr * weight_decay``, instead of
    :class:`Adam`'s L2 term ``weight_decay * p`` being added to the gradient (and then rescaled
    by Adam's per-parameter step size).

    Parameters
    ----------
    params : iterable of Tensor
        The tensors to train, each with ``requires_grad=True``.
    lr : float, default 1e-3
        The learning rate.
    betas : (float, float), default (0.9, 0.999)
        Decay rates of the running means of the gradient and of its square, each in [0, 1).
    eps : float, default 1e-8
        Added to the denominator for stability.
    weight_decay : float, default 0.01
        The decoupled decay rate.

    Examples
    --------
    >>> import numpy as np, tinytorch as tt
    >>> w = tt.Parameter([1.0]); w.grad = np.zeros(1, dtype=np.float32)
    >>> tt.AdamW([w], lr=0.1, weight_decay=0.5).step()
    >>> w     # a zero gradient, yet w shrank: 1 * (1 - 0.1 * 0.5)
    Parameter([0.95], requires_grad=True)
    """

    decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.01):
        super().__init__(params, lr, betas, eps, weight_decay)


def clip_grad_norm_(params, max_norm: float) -> float:
    """Scale all gradients together so that their joint L2 norm is at most ``max_norm``.

    Returns the norm before clipping, as ``torch.nn.utils.clip_grad_norm_`` does.

    Examples
    --------
    >>> import numpy as np, tinytorch as tt
    >>> w = tt.Parameter([0.0, 0.0]); w.grad = np.array([3.0, 4.0], dtype=np.float32)
    >>> tt.clip_grad_norm_([w], 1.0)
    5.0
    >>> w.grad.round(4)
    array([0.6, 0.8], dtype=float32)
    """
    params = list(params)
    grads = [p.grad for p in params if p.grad is not None]
    total = float(np.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads)))
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for p in params:
            if p.grad is not None:
                p.grad = (p.grad * scale).astype(p.grad.dtype)
    return total
