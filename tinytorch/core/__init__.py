"""The core of tinytorch: tensors, autograd, layers, losses and optimizers."""
from . import tensor  # noqa: F401  (first: it attaches the operators from ops.py to Tensor)
