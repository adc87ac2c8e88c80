"""Plotting helpers behind every figure on the site (matplotlib is imported only when plotting).

Every function draws with one shared style (:data:`STYLE`, an rc context: font sizes,
colormaps, opaque white background, widths up to :data:`FIGURE_WIDTH` = 7 in, the site's
content width), returns the matplotlib Figure, and computes a descriptive alt text --
what is plotted, which tokens or classes, where the weight or the error lies -- read
back with :func:`alt_text`. In a notebook, :func:`show` displays a figure with that alt
text (the documentation build puts it in the page's ``<img alt>``).

Examples
--------
>>> import numpy as np
>>> from tinytorch import viz
>>> fig = viz.plot_confusion([0, 1, 1, 2], [0, 1, 2, 2], ["a", "b", "c"])
>>> viz.alt_text(fig).split(".")[0]
'Confusion matrix of 4 samples over 3 classes (a, b, c), true class in rows, predicted in columns'
"""

from ._base import (CLASS_COLORS, CLASS_MARKERS, DIVERGING_CMAP, FIGURE_WIDTH, SEQUENTIAL_CMAP, STYLE, alt_text,
                    show)
from .attention import plot_attention, plot_attention_heads
from .images import plot_filters, plot_images
from .confusion import confusion_matrix, plot_confusion
from .training import plot_decision_boundary, plot_history

__all__ = [
    "STYLE", "FIGURE_WIDTH", "SEQUENTIAL_CMAP", "DIVERGING_CMAP", "CLASS_COLORS", "CLASS_MARKERS",
    "alt_text", "show",
    "plot_attention", "plot_attention_heads",
    "plot_history", "plot_decision_boundary", "plot_confusion", "confusion_matrix",
    "plot_images", "plot_filters",
]
