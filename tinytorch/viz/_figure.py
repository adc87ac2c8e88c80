"""The Figure class of :mod:`tinytorch.viz` (imports matplotlib; loaded only when plotting)."""

import matplotlib
from matplotlib.figure import Figure

from ._base import alt_text, display_with_alt


class AltTextFigure(Figure):
    """A matplotlib Figure that a notebook displays once, with its alt text as ``text/plain``.

    However it is displayed -- by the inline backend at the end of a cell, or as the
    cell's last expression -- the output's ``text/plain`` is
    :func:`tinytorch.viz.alt_text` instead of ``<Figure size ...>`` (the documentation
    build copies it into the image's ``alt``). With the inline backend the figure is then
    closed, so a helper call left as a cell's last expression shows one image, not two.
    ``repr()`` is unchanged.
    """

    def _ipython_display_(self):
        display_with_alt(self, alt_text(self), close="inline" in matplotlib.get_backend())

    def _repr_pretty_(self, printer, cycle):
        printer.text(alt_text(self) or repr(self))
