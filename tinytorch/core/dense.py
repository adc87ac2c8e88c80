"""Containers of layers: :class:`Sequential` and the multi-layer perceptron :class:`MLP`."""
from __future__ import annotations

from .activations import ReLU
from .layers import Linear, Module, ModuleList


class Sequential(ModuleList):
    """Apply modules one after another; indexable and iterable.

    Examples
    --------
    >>> import tinytorch as tt
    >>> _ = tt.manual_seed(0)
    >>> model = tt.Sequential(tt.Linear(2, 3), tt.ReLU(), tt.Linear(3, 1))
    >>> model(tt.Tensor([[1.0, -1.0]])).shape
    (1, 1)
    >>> len(model), type(model[1]).__name__
    (3, 'ReLU')
    """

    def __init__(self, *modules: Module):
        super().__init__(modules)

    def forward(self, x):
        for module in self:
            x = module(x)
        return x

    def __getitem__(self, index):
        item = super().__getitem__(index)
        return Sequential(*item) if isinstance(index, slice) else item


class MLP(Sequential):
    """Linear layers of the given sizes with ``activation`` between them (not after the last).

    Parameters
    ----------
    sizes : sequence of int
        Input size, hidden sizes, output size: ``MLP([2, 8, 1])`` is 2 → 8 → 1.
    activation : Module class, default ReLU
        Instantiated once per hidden layer.

    Examples
    --------
    >>> import tinytorch as tt
    >>> tt.MLP([2, 8, 1])
    MLP(
      (0): Linear(in_features=2, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=1, bias=True)
    )
    """

    def __init__(self, sizes, activation=ReLU):
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP: need at least an input and an output size, got {sizes}")
        layers = []
        for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(n_in, n_out))
            if index < len(sizes) - 2:
                layers.append(activation())
        super().__init__(*layers)
