"""The Figure class of :mod:`tinytorch.viz` (imports matplotlib; loaded only when plotting)."""

from matplotlib.figure import Figure

from ._base import alt_text


class AltTextFigure(Figure):
    """A matplotlib Figure whose plain-text form in IPython is its computed alt text.

    When a notebook displays the figure (the inline backend at the end of a cell, or the
    figure as a cell's value), the output's ``text/plain`` is :func:`tinytorch.viz.alt_text`
    instead of ``<Figure size ...>``; the documentation build copies it into the image's
    ``alt`` attribute. ``repr()`` is unchanged.
    """

    def _repr_pretty_(self, printer, cycle):
        printer.text(alt_text(self) or repr(self))
