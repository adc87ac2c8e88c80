"""Convolution and pooling on images in (N, C, H, W) layout, and Flatten.

All three primitives see their input through a window view: ``sliding_window_view`` gives, without
copying, every kH x kW patch of the (padded) input. Convolution copies those patches once into a
column matrix (im2col) and multiplies it by the flattened weight in ONE matrix product. Pooling
keeps a running maximum or sum over the kH x kW kernel offsets, each offset a whole strided slab of
the input. Input gradients are folded back (col2im) by the same loop over kernel offsets. No loop
ever runs over pixels or batch items.

Letters used throughout: N batch, C input channels, O output channels, H x W input height and
width, kH x kW kernel, Ho x Wo output height and width.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .layers import Module, _uniform  # U(-k, k) float32 Parameters, as Linear draws them
from .tensor import Tensor


# ---------------------------------------------------------------- shared helpers
def _pair(op: str, name: str, value, minimum: int) -> tuple:
    """``value`` as a pair of ints, each at least ``minimum``."""
    pair = (value, value) if not isinstance(value, (tuple, list)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pair):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_input(op: str, x: Tensor) -> Tensor:
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.ndim != 4:
        raise ValueError(f"{op}: input must be 4-D (N, C, H, W), got shape {x.shape}")
    return x


def _windows(op: str, x: np.ndarray, kernel: tuple, stride: tuple, padding: tuple, fill=0.0):
    """Pad ``x`` with ``fill`` and view its windows: (N, C, Ho, Wo, kH, kW), no copy."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    height, width = x.shape[2] + 2 * ph, x.shape[3] + 2 * pw
    if kh > height or kw > width:
        raise ValueError(
            f"{op}: kernel {kernel} is larger than the padded input ({height}, {width}) "
            f"(input shape {x.shape}, padding {padding})"
        )
    if ph or pw:
        if x.dtype.kind != "f" and fill == -np.inf:  # integer images: pad with their smallest value
            fill = np.iinfo(x.dtype).min
        padded = np.full(x.shape[:2] + (height, width), fill, dtype=x.dtype)
        padded[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]] = x
        x = padded
    return sliding_window_view(x, kernel, axis=(2, 3))[:, :, ::sh, ::sw]


def _fold(shape: tuple, kernel: tuple, stride: tuple, padding: tuple, out_hw: tuple, dtype, slab,
          channels_first: bool = False) -> np.ndarray:
    """col2im: the input gradient of ``shape`` (N, C, H, W) from per-offset gradients.

    ``slab(i, j)`` is the gradient reaching kernel offset (i, j) of every window, shaped
    (N, C, Ho, Wo), or (C, N, Ho, Wo) with ``channels_first`` (then the result is an (N, C, H, W)
    view of a (C, N, H, W) array); it is added to the input pixels that offset touched. The loop
    runs over the kH x kW offsets only.
    """
    (kh, kw), (sh, sw), (ph, pw), (ho, wo) = kernel, stride, padding, out_hw
    n, c, h, w = shape
    grad = np.zeros(((c, n) if channels_first else (n, c)) + (h + 2 * ph, w + 2 * pw), dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            grad[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw] += slab(i, j)
    grad = grad[:, :, ph:ph + h, pw:pw + w]
    return grad.transpose(1, 0, 2, 3) if channels_first else grad


# ---------------------------------------------------------------- convolution
def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0) -> Tensor:
    """2-D cross-correlation (what deep learning calls convolution), as ``torch.nn.functional.conv2d``.

    .. math:: y_{n,o,h,w} = b_o + \\sum_{c,i,j} W_{o,c,i,j}\\, x_{n,c,\\,s_H h + i,\\,s_W w + j}

    on the zero-padded input. Computed as im2col and one matrix product; the backward pass uses
    one matrix product per gradient and a col2im loop over the kernel offsets.

    Parameters
    ----------
    x : Tensor
        The images.
    weight : Tensor
        The filters.
    bias : Tensor, optional
        One value per output channel.
    stride, padding : int or (int, int)
        Step between windows (at least 1) and zeros added on each side (at least 0), as
        (height, width) or one int for both.

    Shape
    -----
    x (N, C, H, W), weight (O, C, kH, kW), bias (O,); output (N, O, Ho, Wo) with
    Ho = (H + 2 padH - kH) // strideH + 1 and likewise Wo. N is the batch, C and O the input and
    output channels, H x W the image, kH x kW the kernel.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> from tinytorch.core.spatial import conv2d
    >>> x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    >>> conv2d(x, Tensor(np.ones((1, 1, 2, 2))), stride=2)      # sums of 2x2 blocks
    Tensor([[[[10., 18.],
              [42., 50.]]]])
    >>> conv2d(x, Tensor(np.ones((3, 1, 3, 3))), padding=1).shape
    (1, 3, 4, 4)
    """
    x, weight = _check_input("conv2d", x), weight if isinstance(weight, Tensor) else Tensor(weight)
    bias = bias if bias is None or isinstance(bias, Tensor) else Tensor(bias)
    if weight.ndim != 4:
        raise ValueError(f"conv2d: weight must be 4-D (O, C, kH, kW), got shape {weight.shape}")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(
            f"conv2d: input has {x.shape[1]} channels (shape {x.shape}) "
            f"but weight {weight.shape} expects {weight.shape[1]}"
        )
    if bias is not None and bias.shape != weight.shape[:1]:
        raise ValueError(f"conv2d: bias must have shape {weight.shape[:1]} for weight {weight.shape}, got {bias.shape}")
    stride, padding = _pair("conv2d", "stride", stride, 1), _pair("conv2d", "padding", padding, 0)
    out_channels, kernel = weight.shape[0], weight.shape[2:]
    windows = _windows("conv2d", x.data, kernel, stride, padding)        # (N, C, Ho, Wo, kH, kW)
    n, _, ho, wo = windows.shape[:4]
    # im2col: rows (C, kH, kW) match the flattened weight, columns (N, Ho, Wo) every output pixel
    columns = np.ascontiguousarray(windows.transpose(1, 4, 5, 0, 2, 3)).reshape(-1, n * ho * wo)
    filters = weight.data.reshape(out_channels, -1)                         # (O, C kH kW)
    out = filters @ columns                                                 # (O, N Ho Wo)
    if bias is not None:
        out += bias.data[:, None]
    out = out.reshape(out_channels, n, ho, wo).transpose(1, 0, 2, 3)       # (N, O, Ho, Wo) view

    def backward(grad):
        grad = np.ascontiguousarray(grad.transpose(1, 0, 2, 3)).reshape(out_channels, -1)  # (O, N Ho Wo)
        grad_weight = (grad @ columns.T).reshape(weight.shape) if weight.requires_grad else None
        grad_x = None
        if x.requires_grad:
            grad_columns = (filters.T @ grad).reshape(x.shape[1], *kernel, n, ho, wo)
            grad_x = _fold(x.shape, kernel, stride, padding, (ho, wo), grad.dtype,
                           lambda i, j: grad_columns[:, i, j], channels_first=True)
        return (grad_x, grad_weight) + (() if bias is None else (grad.sum(axis=1),))
    parents = (x, weight) if bias is None else (x, weight, bias)
    return Tensor._from_op(out, parents, backward, "conv2d")


class Conv2d(Module):
    """A 2-D convolution layer over (N, C, H, W) images, as ``torch.nn.Conv2d``.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and of the output.
    kernel_size : int or (int, int)
        Filter height and width.
    stride : int or (int, int), default 1
        Step between windows.
    padding : int or (int, int), default 0
        Zeros added on each side of the height and width.
    bias : bool, default True
        Learn one additive bias per output channel.

    Shape
    -----
    Input (N, C, H, W) with C = ``in_channels``; output (N, O, Ho, Wo) with O = ``out_channels``,
    Ho = (H + 2 padH - kH) // strideH + 1 and likewise Wo. N is the batch, H x W the image.

    Attributes
    ----------
    weight : Parameter
        (O, C, kH, kW), drawn from U(-k, k) with k = 1/sqrt(C kH kW), as PyTorch does.
    bias : Parameter or None
        (O,), drawn from the same distribution.

    Examples
    --------
    >>> import numpy as np
    >>> import tinytorch as tt
    >>> from tinytorch.core.spatial import Conv2d
    >>> _ = tt.manual_seed(0)
    >>> conv = Conv2d(3, 8, kernel_size=3, padding=1)
    >>> conv(tt.Tensor(np.zeros((2, 3, 16, 16)))).shape
    (2, 8, 16, 16)
    >>> conv
    Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, bias: bool = True):
        super().__init__()
        if min(in_channels, out_channels) < 1:
            raise ValueError(
                f"Conv2d: channels must be positive, got in_channels={in_channels}, out_channels={out_channels}"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair("Conv2d", "kernel_size", kernel_size, 1)
        self.stride, self.padding = _pair("Conv2d", "stride", stride, 1), _pair("Conv2d", "padding", padding, 0)
        bound = 1 / math.sqrt(in_channels * self.kernel_size[0] * self.kernel_size[1])
        shape = (out_channels, in_channels) + self.kernel_size
        self.weight = _uniform(bound, shape)
        self.bias = _uniform(bound, (out_channels,)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        x = _check_input("Conv2d", x)
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2d: input of shape {x.shape} has {x.shape[1]} channels, expected in_channels={self.in_channels}"
            )
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        text += f", padding={self.padding}" if any(self.padding) else ""
        return text + ("" if self.bias is not None else ", bias=False")


# ---------------------------------------------------------------- pooling
def _pool_arguments(op: str, x, kernel_size, stride, padding):
    x = _check_input(op, x)
    kernel = _pair(op, "kernel_size", kernel_size, 1)
    stride = kernel if stride is None else _pair(op, "stride", stride, 1)
    padding = _pair(op, "padding", padding, 0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel {kernel}")
    return x, kernel, stride, padding


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """The maximum of each window, as ``torch.nn.functional.max_pool2d``.

    The gradient goes to the first maximum of each window in row-major order (where PyTorch sends
    it); windows overlap when ``stride < kernel_size``, and then gradients add up.

    Parameters
    ----------
    x : Tensor
        The images.
    kernel_size : int or (int, int)
        Window height and width.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int), default 0
        Implicit -inf added on each side; at most half the kernel.

    Shape
    -----
    Input (N, C, H, W); output (N, C, Ho, Wo) with Ho = (H + 2 padH - kH) // strideH + 1 and
    likewise Wo (N batch, C channels, kH x kW the window).

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> from tinytorch.core.spatial import max_pool2d
    >>> max_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2)
    Tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    x, kernel, stride, padding = _pool_arguments("max_pool2d", x, kernel_size, stride, padding)
    windows = _windows("max_pool2d", x.data, kernel, stride, padding, fill=-np.inf)  # (N, C, Ho, Wo, kH, kW)
    out = windows[..., 0, 0].copy()
    winner = np.zeros(out.shape, dtype=np.min_scalar_type(kernel[0] * kernel[1]))  # offset i kW + j of the max
    for offset in range(1, kernel[0] * kernel[1]):   # a running maximum over the kernel offsets
        candidate = windows[..., offset // kernel[1], offset % kernel[1]]
        better = candidate > out                     # strictly: ties keep the first maximum
        np.maximum(out, candidate, out=out)
        winner = np.where(better, winner.dtype.type(offset), winner)

    def backward(grad):
        return (_fold(x.shape, kernel, stride, padding, out.shape[2:], grad.dtype,
                      lambda i, j: np.where(winner == i * kernel[1] + j, grad, 0)),)
    return Tensor._from_op(out, (x,), backward, "max_pool2d")


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """The mean of each window, as ``torch.nn.functional.avg_pool2d``.

    Padding zeros count in the mean (PyTorch's default ``count_include_pad=True``).

    Parameters
    ----------
    x : Tensor
        The images.
    kernel_size : int or (int, int)
        Window height and width.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int or (int, int), default 0
        Zeros added on each side; at most half the kernel.

    Shape
    -----
    Input (N, C, H, W); output (N, C, Ho, Wo) with Ho = (H + 2 padH - kH) // strideH + 1 and
    likewise Wo (N batch, C channels, kH x kW the window).

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> from tinytorch.core.spatial import avg_pool2d
    >>> avg_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2)
    Tensor([[[[ 2.5,  4.5],
              [10.5, 12.5]]]])
    """
    x, kernel, stride, padding = _pool_arguments("avg_pool2d", x, kernel_size, stride, padding)
    windows = _windows("avg_pool2d", x.data, kernel, stride, padding)  # (N, C, Ho, Wo, kH, kW)
    area = np.asarray(kernel[0] * kernel[1], dtype=x.dtype if x.dtype.kind == "f" else np.float32)
    out = windows[..., 0, 0].astype(area.dtype)      # a copy
    for offset in range(1, kernel[0] * kernel[1]):   # a running sum over the kernel offsets
        out += windows[..., offset // kernel[1], offset % kernel[1]]
    out /= area

    def backward(grad):
        share = grad / area
        return (_fold(x.shape, kernel, stride, padding, out.shape[2:], grad.dtype, lambda i, j: share),)
    return Tensor._from_op(out, (x,), backward, "avg_pool2d")


class _Pool2d(Module):
    function = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _pair(name, "kernel_size", kernel_size, 1)
        self.stride = self.kernel_size if stride is None else _pair(name, "stride", stride, 1)
        self.padding = _pair(name, "padding", padding, 0)

    def forward(self, x: Tensor) -> Tensor:
        return type(self).function(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """Max pooling over (N, C, H, W) images, as ``torch.nn.MaxPool2d``; see :func:`max_pool2d`.

    Parameters
    ----------
    kernel_size : int or (int, int)
        Window height and width.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int or (int, int), default 0
        Implicit -inf on each side; at most half the kernel.

    Shape
    -----
    Input (N, C, H, W); output (N, C, Ho, Wo) with Ho = (H + 2 padH - kH) // strideH + 1 and
    likewise Wo (N batch, C channels, kH x kW the window).

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> from tinytorch.core.spatial import MaxPool2d
    >>> MaxPool2d(2)(Tensor(np.zeros((8, 3, 16, 16)))).shape
    (8, 3, 8, 8)
    """

    function = staticmethod(max_pool2d)


class AvgPool2d(_Pool2d):
    """Average pooling over (N, C, H, W) images, as ``torch.nn.AvgPool2d``; see :func:`avg_pool2d`.

    Parameters and shapes as in :class:`MaxPool2d`; padding adds zeros, which count in the mean.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> from tinytorch.core.spatial import AvgPool2d
    >>> AvgPool2d(3, stride=1, padding=1)(Tensor(np.zeros((8, 3, 16, 16)))).shape
    (8, 3, 16, 16)
    """

    function = staticmethod(avg_pool2d)


class Flatten(Module):
    """Merge the axes from ``start_dim`` to ``end_dim`` into one, as ``torch.nn.Flatten``.

    The default keeps the batch axis: (N, C, H, W) becomes (N, C H W), ready for a ``Linear``.
    A composite of ``reshape``, so it needs no backward of its own.

    Parameters
    ----------
    start_dim, end_dim : int, default 1 and -1
        First and last axis to merge.

    Shape
    -----
    Input (N, ...) with any trailing axes; by default output (N, P) where P is the product of the
    trailing sizes, e.g. C H W for (N, C, H, W) images.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> from tinytorch.core.spatial import Flatten
    >>> Flatten()(Tensor(np.zeros((8, 3, 4, 4)))).shape
    (8, 48)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        start, end = self.start_dim % max(x.ndim, 1), self.end_dim % max(x.ndim, 1)
        if not (-x.ndim <= self.start_dim < x.ndim and -x.ndim <= self.end_dim < x.ndim) or start > end:
            raise ValueError(f"Flatten: dims ({self.start_dim}, {self.end_dim}) do not fit a tensor of shape {x.shape}")
        merged = int(np.prod(x.shape[start:end + 1]))
        return x.reshape(x.shape[:start] + (merged,) + x.shape[end + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


__all__ = ["conv2d", "max_pool2d", "avg_pool2d", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten"]
