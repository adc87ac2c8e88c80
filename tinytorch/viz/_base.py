"""Shared machinery of :mod:`tinytorch.viz`: the style, input checks, figures, alt text, ``show``.

matplotlib is imported inside functions only, so importing this module never imports it.
"""

from __future__ import annotations

import functools

import numpy as np

from ..core.attention import attention_mask

# --- the one shared style ------------------------------------------------------------------
#: matplotlib rc settings applied (as an rc context) by every plotting function.
#: Opaque white backgrounds keep figures legible on the site's dark theme.
STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 11,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "image.cmap": "viridis",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
}
#: Full content width of the site's book theme, in inches; figures are at most this wide.
FIGURE_WIDTH = 7.0
#: Colour-blind-safe sequential colormap (weights, counts).
SEQUENTIAL_CMAP = "viridis"
#: Diverging colormap for signed values (filters), centred at 0.
DIVERGING_CMAP = "RdBu_r"
#: Okabe-Ito colour-blind-safe palette for classes, with one marker per class as a second cue.
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
CLASS_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: How masked (not attended) cells look: light grey with dark hatching.
MASK_COLOR, MASK_HATCH, MASK_EDGE = "#d9d9d9", "///", "#595959"

_ALT_ATTR = "_tinytorch_alt_text"


def styled(func):
    """Run a plotting function inside the shared rc context.

    The session's first figure can resolve pyplot's backend, and IPython's inline backend
    then turns interactive mode on; the context must not undo that when it restores the
    other settings, or later figures would no longer show in notebooks.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import matplotlib
        interactive = None
        try:
            with matplotlib.rc_context(STYLE):
                try:
                    return func(*args, **kwargs)
                finally:
                    interactive = matplotlib.is_interactive()
        finally:
            if interactive is not None:
                matplotlib.interactive(interactive)
    return wrapper


def new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **subplot_kw):
    """A pyplot-managed :class:`AltTextFigure` with a (nrows, ncols) array of axes."""
    import matplotlib.pyplot as plt

    from ._figure import AltTextFigure
    fig = plt.figure(figsize=(min(width, FIGURE_WIDTH), height), FigureClass=AltTextFigure,
                     layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def figure_of(ax, width: float, height: float):
    """(fig, ax): a new single-axes figure when ``ax`` is None, else ``ax`` and its figure."""
    if ax is None:
        fig, axes = new_figure(width, height)
        return fig, axes[0, 0]
    return ax.figure, ax


# --- alt text ------------------------------------------------------------------------------
def add_alt_text(fig, text: str) -> None:
    """Append a description to the figure's alt text (several plots may share a figure)."""
    parts = getattr(fig, _ALT_ATTR, None)
    if parts is None:
        parts = []
        setattr(fig, _ALT_ATTR, parts)
    parts.append(text)


def alt_text(fig) -> str:
    """The descriptive alt text computed by the ``tinytorch.viz`` functions that drew ``fig``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.axes.Axes
        A figure, or one of its Axes (which stands for its figure).

    Returns
    -------
    str
        The descriptions of every ``tinytorch.viz`` plot on the figure, joined by spaces;
        ``""`` for a figure no ``tinytorch.viz`` function drew on.

    Examples
    --------
    >>> from tinytorch import viz
    >>> fig = viz.plot_history({"train_loss": [1.0, 0.5, 0.25]})
    >>> viz.alt_text(fig).split(": ")[1]              # computed from the plotted values
    'training loss goes from 1 to 0.25 (lowest 0.25 at epoch 3).'
    >>> viz.alt_text(fig.axes[0]) == viz.alt_text(fig)
    True
    """
    if not hasattr(fig, "savefig"):  # an Axes
        fig = fig.figure
    return " ".join(getattr(fig, _ALT_ATTR, None) or [])


def show(fig, alt: str | None = None) -> None:
    """Display ``fig`` once, with its alt text, in a notebook; outside IPython, ``plt.show()``.

    In IPython/Jupyter the figure is rendered by the kernel's own figure formatters (SVG
    or PNG, as configured), displayed with ``text/plain`` set to the alt text (``alt`` or
    :func:`alt_text`), and closed, so the inline backend does not show it a second time.
    The documentation build copies that ``text/plain`` into the page's ``<img alt>``
    (see ``docs/contributing_figures.md``). Use it for figures you composed yourself; the
    helpers' own figures display this way by themselves.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to display.
    alt : str, optional
        The alt text; by default ``alt_text(fig)``.

    Examples
    --------
    In a notebook cell, for a figure drawn with plain matplotlib. The last line is not run
    here: outside IPython, ``plt.show()`` opens a window, or does nothing with a
    non-interactive backend.

    >>> import matplotlib.pyplot as plt
    >>> from tinytorch import viz
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([3.0, 1.0, 2.0])
    >>> viz.show(fig, alt="A line that falls from 3 to 1, then rises to 2.")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    if not display_with_alt(fig, alt if alt is not None else alt_text(fig), close=True):
        plt.show()


def display_with_alt(fig, text: str, close: bool) -> bool:
    """Publish ``fig`` as one display output whose ``text/plain`` is ``text``; False if no IPython."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter
    hook = formatter.ipython_display_formatter  # off while formatting: it would call us again
    enabled, hook.enabled = hook.enabled, False
    try:
        data, metadata = formatter.format(fig)
    finally:
        hook.enabled = enabled
    if text:
        data["text/plain"] = text
    display(data, raw=True, metadata=metadata)
    if close:
        import matplotlib.pyplot as plt
        plt.close(fig)
    return True


# --- inputs --------------------------------------------------------------------------------
def to_numpy(x, op: str, name: str) -> np.ndarray:
    """An ndarray from an ndarray, a Tensor (anything with ``.numpy()``) or a nested list."""
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "numpy") and callable(x.numpy):
        detach = getattr(x, "detach", None)
        return np.asarray((detach() if callable(detach) else x).numpy())
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{op}: {name} must be an array or a Tensor, got {type(x).__name__}") from exc


def check_labels(labels, n: int, op: str, name: str, what: str, shape) -> list[str]:
    """Labels as strings; default 0..n-1; ValueError naming both lengths and the shape."""
    if labels is None:
        return [str(i) for i in range(n)]
    if isinstance(labels, str):
        raise TypeError(f"{op}: {name} must be a sequence of labels, not a single str")
    labels = [str(s) for s in labels]
    if len(labels) != n:
        raise ValueError(f"{op}: {name} has {len(labels)} labels but weights has {n} {what} "
                         f"(weights shape {tuple(shape)})")
    return labels


def allowed_cells(mask, shape, op: str) -> np.ndarray | None:
    """Boolean array of ``shape``: True where attention may go.

    The mask rules are :func:`tinytorch.core.attention.attention_mask`'s (boolean: True = may
    attend; additive float: 0 keeps), checked by it; a float entry of -1e4 or below counts as
    blocked. Leading length-1 axes beyond ``shape`` are dropped first, so a (1, 1, L, L) mask
    works for (L, L) weights.
    """
    if mask is None:
        return None
    m = to_numpy(mask, op, "mask")
    while m.ndim > len(shape) and m.shape[0] == 1:
        m = m[0]
    m = attention_mask(m, tuple(shape), op=op)
    return np.broadcast_to(m if m.dtype == bool else m > -1e4, shape)


# --- small helpers -------------------------------------------------------------------------
def text_colors(rgba: np.ndarray) -> np.ndarray:
    """'black' or 'white' per colour, whichever contrasts more (WCAG relative luminance)."""
    rgb = rgba[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    # contrast with black (L+.05)/.05 beats contrast with white 1.05/(L+.05) when L > ~0.179
    return np.where(luminance > 0.179, "black", "white")


def listing(items, limit: int = 12) -> str:
    """'a, b, c' -- at most ``limit`` items, then '… (N more)'."""
    items = [str(s) for s in items]
    head = ", ".join(items[:limit])
    return head if len(items) <= limit else f"{head}, … ({len(items) - limit} more)"


def class_color(i: int) -> str:
    return CLASS_COLORS[i % len(CLASS_COLORS)]


def class_marker(i: int) -> str:
    return CLASS_MARKERS[i % len(CLASS_MARKERS)]
