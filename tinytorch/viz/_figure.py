"""Figures of :mod:`tinytorch.viz` and their alt text: the one home of both.

Every helper draws on a figure made here (:func:`new_figure`, :func:`figure_of`, or the
public :func:`subplots`), appends its computed description with :func:`add_alt_text`, and
returns the figure. When a notebook displays it, :func:`display_with_alt` publishes the
kernel's own image (SVG or PNG) with the alt text in two places:

- as the output's ``text/plain`` (the bundle's textual alternative; the site's Sphinx
  extension ``docs/_ext/tinytorch_figures.py`` copies it into ``<img alt>``), and
- as output metadata ``{"image/svg+xml": {"alt": ...}}`` (and the same for ``"image/png"``
  and ``"image/jpeg"``, where nbconvert's HTML templates read an image's ``alt``).

This module imports :mod:`._base` (style and input helpers), never the reverse, and imports
matplotlib only inside functions: importing :mod:`tinytorch.viz` plots nothing.
"""

from __future__ import annotations

import functools

from ._base import FIGURE_WIDTH, styled

_ALT_ATTR = "_tinytorch_alt_text"
#: Image MIME types of a display output that get ``{"alt": text}`` in the output's metadata.
ALT_MIME_TYPES = ("image/svg+xml", "image/png", "image/jpeg")


# --- alt text ------------------------------------------------------------------------------
def add_alt_text(fig, text: str) -> None:
    """Append a description to the figure's alt text (several plots may share a figure)."""
    if not hasattr(fig, "savefig"):  # an Axes
        fig = fig.figure
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


def with_alt_metadata(data: dict, metadata: dict, text: str) -> dict:
    """``metadata`` plus ``{mime: {"alt": text}}`` for every image MIME type in ``data``.

    Examples
    --------
    >>> from tinytorch.viz._figure import with_alt_metadata
    >>> with_alt_metadata({"image/svg+xml": "<svg/>", "text/plain": "x"}, {}, "A line.")
    {'image/svg+xml': {'alt': 'A line.'}}
    """
    metadata = {key: dict(value) if isinstance(value, dict) else value
                for key, value in (metadata or {}).items()}
    for mime in ALT_MIME_TYPES:
        if mime in data and text:
            entry = metadata.get(mime)
            metadata[mime] = {**(entry if isinstance(entry, dict) else {}), "alt": text}
    return metadata


def show(fig, alt: str | None = None) -> None:
    """Display ``fig`` once, with its alt text, in a notebook; outside IPython, ``plt.show()``.

    In IPython/Jupyter the figure is rendered by the kernel's own figure formatters (SVG
    or PNG, as configured), displayed with the alt text (``alt`` or :func:`alt_text`) as
    its ``text/plain`` and in the output's image metadata, and closed, so the inline
    backend does not show it a second time. The documentation build copies that text into
    the page's ``<img alt>`` (see ``docs/contributing_figures.md``). Use it for figures
    drawn with plain matplotlib; the helpers' own figures display this way by themselves.

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
    """Publish ``fig`` as one display output carrying ``text`` as its alt; False if no IPython."""
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
    display(data, raw=True, metadata=with_alt_metadata(data, metadata, text))
    if close:
        import matplotlib.pyplot as plt
        plt.close(fig)
    return True


# --- figures -------------------------------------------------------------------------------
@functools.cache
def _figure_class():
    """The :class:`AltTextFigure` class (defined on first use: it subclasses matplotlib's)."""
    import matplotlib
    from matplotlib.figure import Figure

    class AltTextFigure(Figure):
        """A matplotlib Figure that a notebook displays once, with its alt text.

        However it is displayed -- by the inline backend at the end of a cell, or as the
        cell's last expression -- the output's ``text/plain`` and its image metadata
        ``alt`` are :func:`tinytorch.viz.alt_text` (instead of ``<Figure size ...>``). With
        the inline backend the figure is then closed, so a helper call left as a cell's last
        expression shows one image, not two. ``repr()`` is unchanged.
        """

        def _ipython_display_(self):
            display_with_alt(self, alt_text(self), close="inline" in matplotlib.get_backend())

        def _repr_pretty_(self, printer, cycle):
            printer.text(alt_text(self) or repr(self))

    AltTextFigure.__module__ = __name__
    return AltTextFigure


def __getattr__(name):  # ``_figure.AltTextFigure`` without importing matplotlib at import
    if name == "AltTextFigure":
        return _figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **subplot_kw):
    """A pyplot-managed AltTextFigure with a (nrows, ncols) array of axes (never squeezed)."""
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(min(width, FIGURE_WIDTH), height), FigureClass=_figure_class(),
                     layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def figure_of(ax, width: float, height: float):
    """(fig, ax): a new single-axes figure when ``ax`` is None, else ``ax`` and its figure."""
    if ax is None:
        fig, axes = new_figure(width, height)
        return fig, axes[0, 0]
    return ax.figure, ax


@styled
def subplots(nrows: int = 1, ncols: int = 1, width: float = FIGURE_WIDTH, height: float | None = None,
             **subplot_kw):
    """A figure of panels for the helpers to draw into (``ax=``), shown with their joint alt text.

    Like ``plt.subplots``, but the figure has the site's style (opaque white, constrained
    layout, at most :data:`FIGURE_WIDTH` wide) and displays itself in a notebook with the
    alt texts of every helper that drew on it, in drawing order.

    Parameters
    ----------
    nrows, ncols : int, optional
        Panels down and across. Default: 1, 1.
    width : float, optional
        Inches; at most :data:`FIGURE_WIDTH` (the site's content width, the default).
    height : float, optional
        Inches. Default: 2.8 per row.
    **subplot_kw
        Passed to ``Figure.subplots`` (``sharex``, ``sharey``, ``width_ratios``, ...).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : Axes or ndarray of Axes
        Squeezed as by ``plt.subplots``: one Axes for 1 × 1, a 1-D array for one row or column.

    Examples
    --------
    >>> from tinytorch import viz
    >>> fig, (left, right) = viz.subplots(1, 2)
    >>> _ = viz.plot_lines({"loss": [1.0, 0.5]}, ax=left)
    >>> _ = viz.plot_lines({"accuracy": [0.5, 1.0]}, ax=right)
    >>> print(viz.alt_text(fig))  # doctest: +NORMALIZE_WHITESPACE
    Line plot of values against x from 0 to 1: loss falls steadily from 1 at x = 0 to 0.5 at
    1. Line plot of values against x from 0 to 1: accuracy rises steadily from 0.5 at x = 0
    to 1 at 1.
    """
    fig, axes = new_figure(width, 2.8 * nrows if height is None else height, nrows, ncols,
                           **subplot_kw)
    return fig, axes[0, 0] if axes.size == 1 else axes.squeeze()
