"""tinytorch: a small NumPy deep-learning library with reverse-mode autograd.

The everyday names are available from the package itself::

    import tinytorch as tt
    x = tt.Tensor([[1.0, 2.0]], requires_grad=True)
    model = tt.MLP([2, 8, 1])

Modules follow the TinyTorch layout: :mod:`tinytorch.core.tensor`, :mod:`~tinytorch.core.activations`,
:mod:`~tinytorch.core.layers`, :mod:`~tinytorch.core.dense`, :mod:`~tinytorch.core.losses`,
:mod:`~tinytorch.core.optimizers` and :mod:`~tinytorch.core.autograd`.
"""
from .core.activations import GELU, ReLU, Sigmoid, Softmax, Tanh, gelu, log_softmax, relu, sigmoid, softmax, tanh
from .core.attention import (
    MultiHeadAttention,
    SelfAttention,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)
from .core.autograd import GradcheckError, gradcheck
from .core.dataloader import DataLoader, Dataset, Subset, TensorDataset, random_split
from .core.dense import MLP, Sequential
from .core.layers import Dropout, Embedding, LayerNorm, Linear, Module, ModuleList, Parameter
from .core.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    MSELoss,
    accuracy,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
)
from .core.optimizers import SGD, Adam, AdamW, Optimizer, clip_grad_norm_
from .core.random import default_rng, manual_seed
from .core.serialization import load, save
from .core.spatial import AvgPool2d, Conv2d, Flatten, MaxPool2d, avg_pool2d, conv2d, max_pool2d
from .core.factories import arange, full, ones, ones_like, rand, randn, zeros, zeros_like
from .core.selection import cat, concatenate, stack, where
from .core.tensor import Tensor, is_grad_enabled, no_grad
from .core.callbacks import Callback, Recorder
from .core.training import History, evaluate, fit
from .core.transformer import PositionalEncoding, TransformerBlock, sinusoidal_positional_encoding
from . import datasets, language, models, text  # noqa: E402  (tt.datasets.moons(...), tt.models.TinyGPT)

__version__ = "0.1.0"

__all__ = [
    # tensors and autograd
    "Tensor", "no_grad", "is_grad_enabled", "concatenate", "cat", "stack", "where", "gradcheck",
    "GradcheckError", "manual_seed", "default_rng",
    # factories
    "zeros", "ones", "full", "arange", "rand", "randn", "zeros_like", "ones_like",
    # activations
    "relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax", "ReLU", "Sigmoid", "Tanh", "GELU", "Softmax",
    # layers and containers
    "Module", "Parameter", "ModuleList", "Linear", "Dropout", "Embedding", "LayerNorm", "Sequential", "MLP",
    # losses and metrics
    "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "accuracy",
    "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
    # optimizers
    "Optimizer", "SGD", "Adam", "AdamW", "clip_grad_norm_",
    # convolution and pooling
    "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "conv2d", "max_pool2d", "avg_pool2d",
    # attention
    "scaled_dot_product_attention", "causal_mask", "padding_mask", "SelfAttention", "MultiHeadAttention",
    "sinusoidal_positional_encoding", "PositionalEncoding", "TransformerBlock",
    # data and training
    "Dataset", "TensorDataset", "Subset", "DataLoader", "random_split", "fit", "evaluate", "History",
    "Callback", "Recorder",
    "save", "load", "datasets",
    # language models
    "models", "text", "language",
]
