"""A small image set of shapes for convolutional networks."""
from typing import NamedTuple

import numpy as np

from ._checks import check_positive

__all__ = ["ImageData", "SHAPE_CLASSES", "shapes"]


class ImageData(NamedTuple):
    """Images with integer labels and the name of each class (what :func:`shapes` returns).

    A named tuple: read the fields by name or unpack it as ``images, labels, class_names``.

    Shape
    -----
    images (N, 1, H, W), N images of H x W pixels with one channel; labels (N,).

    Examples
    --------
    >>> from tinytorch.datasets import shapes
    >>> data = shapes(10, size=8, seed=0)
    >>> data.images.shape, data.labels.shape
    ((10, 1, 8, 8), (10,))
    >>> images, labels, class_names = data
    >>> [class_names[i] for i in labels[:3]]          # a label indexes class_names
    ['ring', 'vertical bar', 'cross']
    """

    images: np.ndarray    #: float32, shape (N, 1, H, W)
    labels: np.ndarray    #: int64, shape (N,), index into ``class_names``
    class_names: tuple    #: str per class


SHAPE_CLASSES = ("horizontal bar", "vertical bar", "cross", "square", "ring")


def shapes(n, size=16, noise=0.1, seed=0):
    """Small grayscale images of five shapes at random positions and sizes.

    The classes (see ``SHAPE_CLASSES``) are a horizontal bar, a vertical bar, a cross (both bars),
    a square outline and a ring. Each shape has a random centre, a random half-width ``r`` between 3
    and ``size // 2 - 1`` pixels and a thin or thick stroke (bars 1 or 3 pixels wide, outlines 1 or 2),
    always fully inside the image; shape pixels are 1, background 0, then Gaussian noise of standard
    deviation ``noise`` is added.

    Parameters
    ----------
    n : int
        Number of images; the classes are balanced (counts differ by at most one).
    size : int, default 16
        Image height and width, at least 8.
    noise : float, default 0.1
        Standard deviation of the additive pixel noise.
    seed : int, default 0
        Seed of the generator.

    Returns
    -------
    ImageData
        ``images`` float32 (N, 1, H, W) with N = n and H = W = size (NCHW, one channel);
        ``labels`` int64 (N,); ``class_names`` the tuple ``SHAPE_CLASSES``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch.datasets import shapes
    >>> images, labels, class_names = shapes(50, size=16, seed=0)
    >>> images.shape, images.dtype, labels.dtype
    ((50, 1, 16, 16), dtype('float32'), dtype('int64'))
    >>> np.bincount(labels).tolist(), class_names[4]
    ([10, 10, 10, 10, 10], 'ring')
    """
    check_positive("shapes", n=n, size=size)
    if size < 8:
        raise ValueError(f"shapes: size must be at least 8 pixels, got {size}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(SHAPE_CLASSES)).astype(np.int64)
    # One parameter per image, shaped (N, 1, 1) to broadcast against the pixel grid (H, W).
    radius = rng.integers(3, size // 2, size=n)[:, None, None]            # half-width r
    stroke = rng.integers(1, 3, size=n)[:, None, None]                    # thin or thick
    cy = radius + (rng.random((n, 1, 1)) * (size - 2 * radius)).astype(int)
    cx = radius + (rng.random((n, 1, 1)) * (size - 2 * radius)).astype(int)
    rows, cols = np.mgrid[0:size, 0:size]
    dy, dx = np.abs(rows - cy), np.abs(cols - cx)                          # (N, H, W)
    half = stroke - 1                     # a stroke of 1 covers |d| <= 0, of 2 covers |d| <= 1
    horizontal = (dy <= half) & (dx <= radius)
    vertical = (dx <= half) & (dy <= radius)
    chebyshev, euclid = np.maximum(dy, dx), np.hypot(dy, dx)
    square = (chebyshev <= radius) & (chebyshev > radius - stroke)
    ring = (euclid <= radius + 0.5) & (euclid > radius - stroke + 0.5)
    masks = np.stack([horizontal, vertical, horizontal | vertical, square, ring])  # (C, N, H, W)
    pixels = masks[labels, np.arange(n)].astype(np.float32)
    pixels += noise * rng.normal(size=pixels.shape).astype(np.float32)
    return ImageData(pixels[:, None], labels, SHAPE_CLASSES)
