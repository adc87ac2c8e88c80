"""Plotting helpers behind every figure on the site (matplotlib is imported only when plotting).

Every function draws with one shared style (:data:`STYLE`, an rc context: font sizes,
colormaps, opaque white background, widths up to :data:`FIGURE_WIDTH` = 7 in, the site's
content width), returns the matplotlib Figure, and computes a descriptive alt text --
what is plotted, which tokens or classes, where the weight or the error lies -- read
back with :func:`alt_text`. In a notebook the figure displays itself once with that alt
text (the documentation build puts it in the page's ``<img alt>``); :func:`show` does the
same for a figure drawn with plain matplotlib. :class:`Table` shows rows of numbers as an
HTML table in a page and as aligned text elsewhere.

Which helper for which figure:

- curves, several series, log axes, reference lines: :func:`plot_lines`
- bars, grouped: :func:`plot_bars`; points by class: :func:`plot_points`
- several panels in one figure: :func:`subplots`, then the helpers with ``ax=``
- training curves: :func:`plot_history`; decision regions: :func:`plot_decision_boundary`
- attention: :func:`plot_attention`, :func:`plot_attention_heads`
- images and filters: :func:`plot_images`, :func:`plot_filters`; :func:`plot_confusion`
- a row of 2-D maps (feature maps, responses), own or shared scale: :func:`plot_maps`
- a transformer block drawn from the module: :func:`plot_transformer_block`
- the autograd graph of a tensor: :func:`plot_graph`

Examples
--------
>>> import numpy as np
>>> from tinytorch import viz
>>> fig = viz.plot_confusion([0, 1, 1, 2], [0, 1, 2, 2], ["a", "b", "c"])
>>> viz.alt_text(fig).split(".")[0]
'Confusion matrix of 4 samples over 3 classes (a, b, c), true class in rows, predicted in columns'
"""

from ._base import CLASS_COLORS, CLASS_MARKERS, DIVERGING_CMAP, FIGURE_WIDTH, SEQUENTIAL_CMAP, STYLE
from ._figure import alt_text, show, subplots
from .attention import plot_attention, plot_attention_heads
from .charts import plot_bars, plot_lines, plot_points
from .diagrams import plot_transformer_block
from .graph import plot_graph
from .confusion import confusion_matrix, plot_confusion
from .images import plot_filters, plot_images, plot_maps
from .table import Table
from .training import plot_decision_boundary, plot_history

__all__ = [
    "STYLE", "FIGURE_WIDTH", "SEQUENTIAL_CMAP", "DIVERGING_CMAP", "CLASS_COLORS", "CLASS_MARKERS",
    "alt_text", "show", "subplots", "Table",
    "plot_lines", "plot_bars", "plot_points",
    "plot_attention", "plot_attention_heads",
    "plot_history", "plot_decision_boundary", "plot_confusion", "confusion_matrix",
    "plot_images", "plot_filters", "plot_maps", "plot_transformer_block",
    "plot_graph",
]
