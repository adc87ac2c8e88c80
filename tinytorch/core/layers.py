"""Modules: the base class and the basic layers (Linear, Dropout, Embedding, LayerNorm).

A :class:`Module` holds :class:`Parameter` tensors and sub-modules as attributes and finds them
itself: ``parameters()``, ``state_dict()``, ``train()`` and ``eval()`` walk that tree.
"""
from __future__ import annotations

import math

import numpy as np

from . import ops
from .random import default_rng
from .tensor import Tensor


class Parameter(Tensor):
    """A tensor that a :class:`Module` owns and trains: float32 and ``requires_grad=True`` by default.

    Examples
    --------
    >>> from tinytorch import Parameter
    >>> Parameter([1.0, 2.0])
    Parameter([1., 2.], requires_grad=True)
    """

    def __init__(self, data, requires_grad: bool = True, dtype=None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self):
        return "Parameter" + super().__repr__()[len("Tensor"):]


class Module:
    """Base class of every layer and model.

    Subclasses call ``super().__init__()``, assign parameters and sub-modules as attributes, and
    define ``forward``. Calling the module calls ``forward``.

    Examples
    --------
    >>> import tinytorch as tt
    >>> class Affine(tt.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = tt.Parameter([2.0])
    ...     def forward(self, x):
    ...         return x * self.scale
    >>> model = Affine()
    >>> [name for name, _ in model.named_parameters()]
    ['scale']
    >>> model(tt.Tensor([1.0, 3.0]))
    Tensor([2., 6.], grad_fn=mul)
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before assigning attributes")
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ----------------------------------------------------------------- the module tree
    def named_children(self):
        """(name, module) for each direct sub-module."""
        return iter(self._modules.items())

    def children(self):
        """Each direct sub-module."""
        return iter(self._modules.values())

    def named_modules(self, prefix: str = ""):
        """(dotted name, module) for this module and every module below it."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        """This module and every module below it."""
        return (module for _, module in self.named_modules())

    def named_parameters(self):
        """(dotted name, parameter) for every parameter, each listed once."""
        seen = set()
        for prefix, module in self.named_modules():
            for name, parameter in module._parameters.items():
                if id(parameter) not in seen:
                    seen.add(id(parameter))
                    yield (f"{prefix}.{name}" if prefix else name), parameter

    def parameters(self):
        """Every parameter, each listed once (a list, so it can be passed to several optimizers)."""
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to None."""
        for parameter in self.parameters():
            parameter.grad = None

    def train(self, mode: bool = True) -> "Module":
        """Set training mode (dropout active) on this module and all below it."""
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> "Module":
        """Set evaluation mode (dropout off)."""
        return self.train(False)

    # ----------------------------------------------------------------- state
    def state_dict(self) -> dict:
        """A dict from dotted parameter names to copies of their arrays."""
        return {name: parameter.data.copy() for name, parameter in self.named_parameters()}

    def load_state_dict(self, state: dict, strict: bool = True) -> None:
        """Copy arrays from ``state`` into the parameters, checking names and shapes."""
        parameters = dict(self.named_parameters())
        missing = [name for name in parameters if name not in state]
        unexpected = [name for name in state if name not in parameters]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}")
        for name, value in state.items():
            if name not in parameters:
                continue
            value, parameter = np.asarray(value), parameters[name]
            if value.shape != parameter.shape:
                raise ValueError(
                    f"load_state_dict: {name} has shape {value.shape} in the state, {parameter.shape} in the model"
                )
            parameter.data = value.astype(parameter.dtype, copy=True)

    def astype(self, dtype) -> "Module":
        """Convert every parameter to ``dtype`` (float64 for gradient checks); returns self."""
        for parameter in self.parameters():
            parameter.data, parameter.grad = parameter.data.astype(dtype), None
        return self

    def num_parameters(self) -> int:
        """Total number of scalar parameters."""
        return int(sum(parameter.size for parameter in self.parameters()))

    # ----------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        """Text shown inside this module's parentheses in its repr."""
        return ""

    def __repr__(self):
        lines = [f"({name}): " + repr(child).replace("\n", "\n  ") for name, child in self._modules.items()]
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        header = f"{type(self).__name__}(" + (self.extra_repr() + "," if self.extra_repr() else "")
        return header + "\n  " + "\n  ".join(lines) + "\n)"


class ModuleList(Module):
    """A list of modules whose parameters the parent module finds.

    Examples
    --------
    >>> import tinytorch as tt
    >>> layers = tt.ModuleList([tt.Linear(2, 2) for _ in range(3)])
    >>> len(layers), len(layers.parameters())
    (3, 6)
    """

    def __init__(self, modules=()):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> "ModuleList":
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}: item {len(self)} is a {type(module).__name__}, not a Module")
        setattr(self, str(len(self._modules)), module)
        return self

    def __getitem__(self, index):
        items = list(self._modules.values())
        return ModuleList(items[index]) if isinstance(index, slice) else items[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


def _uniform(bound: float, shape: tuple) -> Parameter:
    return Parameter(default_rng().uniform(-bound, bound, size=shape).astype(np.float32))


class Linear(Module):
    """Affine map :math:`y = x W + b`.

    ``weight`` has shape (in_features, out_features), so the code reads like the math. This is the
    TinyTorch convention; PyTorch stores the transpose, (out_features, in_features).

    Parameters
    ----------
    in_features, out_features : int
        Sizes of each input and output vector.
    bias : bool, default True
        Learn an additive bias.

    Shape
    -----
    Input (..., in_features); output (..., out_features).

    Attributes
    ----------
    weight : Parameter
        (in_features, out_features), drawn from U(-k, k) with k = 1/sqrt(in_features), as PyTorch does.
    bias : Parameter or None
        (out_features,), drawn from the same distribution.

    Examples
    --------
    >>> import tinytorch as tt
    >>> _ = tt.manual_seed(0)
    >>> layer = tt.Linear(3, 2)
    >>> layer(tt.Tensor([[1.0, 2.0, 3.0]])).shape
    (1, 2)
    >>> layer
    Linear(in_features=3, out_features=2, bias=True)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = _uniform(bound, (in_features, out_features))
        self.bias = _uniform(bound, (out_features,)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(f"Linear: input of shape {x.shape} does not end in in_features={self.in_features}")
        out = x @ self.weight
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Dropout(Module):
    """Zero each entry with probability ``p`` in training and scale the rest by 1/(1-p).

    In eval mode it is the identity. The mask comes from tinytorch's global generator
    (:func:`tinytorch.manual_seed`).

    Examples
    --------
    >>> import tinytorch as tt
    >>> drop = tt.Dropout(0.5).eval()
    >>> drop(tt.Tensor([1.0, 2.0]))
    Tensor([1., 2.])
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0:
            return x
        keep = default_rng().random(x.shape) >= self.p
        scale = 0.0 if self.p == 1 else 1 / (1 - self.p)
        return x * Tensor(keep * scale, dtype=x.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p}"


def embedding(ids, weight: Tensor) -> Tensor:
    """Rows of ``weight`` picked by integer ``ids``; the gradient adds up over repeated ids.

    The function behind :class:`Embedding`: a differentiable table lookup.

    Parameters
    ----------
    ids : array_like of int or Tensor
        Row indices in ``[0, num_embeddings)``, any shape.
    weight : Tensor
        The table, one row per id.

    Returns
    -------
    Tensor
        ``weight[ids]``. Its gradient is scattered into the rows of ``weight``; a row looked up
        several times receives the sum of those gradients.

    Raises
    ------
    TypeError
        If ``ids`` are not integers.
    IndexError
        If an id is out of range.

    Shape
    -----
    ids (...), weight (V, D) -> output (..., D), where V = num_embeddings and D = embedding_dim.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> from tinytorch.core.layers import embedding
    >>> weight = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)   # V = 3, D = 2
    >>> embedding(np.array([[2, 0, 2]]), weight)      # ids (1, 3) -> (1, 3, 2)
    Tensor([[[4., 5.],
             [0., 1.],
             [4., 5.]]], grad_fn=embedding)
    >>> embedding(np.array([[2, 0, 2]]), weight).sum().backward(); weight.grad   # id 2: twice
    array([[1., 1.],
           [0., 0.],
           [2., 2.]], dtype=float32)
    """
    ids = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"embedding: ids must be integers, got dtype {ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= weight.shape[0]):
        bad = ids.min() if ids.min() < 0 else ids.max()
        raise IndexError(f"embedding: id {bad} is out of range for {weight.shape[0]} embeddings")
    def backward(grad):
        full = np.zeros_like(weight.data)
        np.add.at(full, ids.reshape(-1), grad.reshape(-1, weight.shape[1]))
        return (full,)
    return Tensor._from_op(weight.data[ids], (weight,), backward, "embedding")


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors of size ``embedding_dim``.

    Shape
    -----
    Input: integer ids of any shape (...); output (..., embedding_dim).

    Attributes
    ----------
    weight : Parameter
        (num_embeddings, embedding_dim), drawn from N(0, 1) as in PyTorch.

    Examples
    --------
    >>> import tinytorch as tt
    >>> table = tt.Embedding(10, 4)
    >>> table([[1, 2, 3]]).shape
    (1, 3, 4)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter(default_rng().normal(size=(num_embeddings, embedding_dim)).astype(np.float32))

    def forward(self, ids) -> Tensor:
        return embedding(ids, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"


class LayerNorm(Module):
    """Normalise over the last ``len(normalized_shape)`` axes, then scale and shift.

    :math:`y = (x - \\mathrm{mean}) / \\sqrt{\\mathrm{var} + \\epsilon} \\cdot w + b`, with the biased
    variance, as in PyTorch.

    Shape
    -----
    Input (..., *normalized_shape); output the same.

    Examples
    --------
    >>> import tinytorch as tt
    >>> norm = tt.LayerNorm(4)
    >>> y = norm(tt.Tensor([[1.0, 2.0, 3.0, 4.0]]))
    >>> round(float(y.data.mean()), 6), round(float(y.data.std()), 3)
    (0.0, 1.0)
    """

    def __init__(self, normalized_shape, eps: float = 1e-5):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        self.weight = Parameter(np.ones(shape, dtype=np.float32))
        self.bias = Parameter(np.zeros(shape, dtype=np.float32))

    def forward(self, x: Tensor) -> Tensor:
        n = len(self.normalized_shape)
        if x.shape[x.ndim - n:] != self.normalized_shape:
            raise ValueError(f"LayerNorm: input of shape {x.shape} does not end in {self.normalized_shape}")
        axes = tuple(range(x.ndim - n, x.ndim))
        centred = x - x.mean(axis=axes, keepdims=True)
        variance = (centred * centred).mean(axis=axes, keepdims=True)
        return centred / ops.sqrt(variance + self.eps) * self.weight + self.bias

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}"
