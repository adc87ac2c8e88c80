"""Sphinx extension: notebook figures get their alt text from the output's ``text/plain``.

myst-nb 1.4 sets an image's ``alt`` only from static cell metadata (``mystnb: image: alt``);
it reads an output's own metadata for ``width``/``height`` only. But a Jupyter display
output is a bundle of alternative representations of one object, and its ``text/plain``
entry is, by definition, the object's textual alternative. ``tinytorch.viz`` figures
put their computed description there (``AltTextFigure._repr_pretty_`` and
``tinytorch.viz.show``), instead of matplotlib's ``<Figure size 640x480 with 1 Axes>``.

myst-nb keeps every representation of a bundle in the doctree until its post-transform
``SelectMimeType`` (priority 4) keeps the best one for the builder. This post-transform
runs just before it (priority 3) and copies the ``text/plain`` text into the ``alt`` of
the bundle's images, unless the cell's metadata already set one (that wins).

A cell whose metadata gives a figure caption but that displays no image fails too: a
figure can vanish silently (for example when an ``rc_context`` switched the inline
backend's interactive mode off), and its caption would then describe nothing.

Configuration (``conf.py``)
    ``tinytorch_figures_require_alt`` (default ``True``): warn about every notebook image
    still without alt text, so a ``-W`` build fails on a figure a screen reader cannot
    describe. The warning names the page and the cell's line.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

# matplotlib's default repr, which says nothing about the figure's content
_DEFAULT_REPR = re.compile(r"^<(?:matplotlib\.figure\.)?\w*Figure(?: size [^>]*)?>$")


def _is_bundle(node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "mime_bundle"


class AltTextFromPlainText(SphinxPostTransform):
    """Copy a display output's ``text/plain`` into the ``alt`` of its image(s)."""

    default_priority = 3  # before myst_nb.sphinx_.SelectMimeType (4) removes text/plain

    def run(self, **kwargs) -> None:
        require = self.config.tinytorch_figures_require_alt
        for bundle in list(self.document.findall(_is_bundle)):
            plain = [c for c in bundle.children if c.get("mime_type") == "text/plain"]
            alt = plain[0].astext().strip() if plain else ""
            usable = bool(alt) and not _DEFAULT_REPR.match(alt)
            for image in bundle.findall(nodes.image):
                if not image.get("alt") and usable:
                    image["alt"] = alt
                if require and not image.get("alt"):
                    logger.warning(
                        "notebook figure without alt text (its text/plain is %r): display it "
                        "with tinytorch.viz (or tinytorch.viz.show(fig, alt=...)), or set the "
                        "cell's mystnb image.alt metadata", alt[:60],
                        location=bundle, type="tinytorch", subtype="alt_text")


class CaptionedCellsShowAFigure(SphinxPostTransform):
    """Warn about a code cell with ``mystnb.figure`` metadata that produced no image."""

    default_priority = 3

    def run(self, **kwargs) -> None:
        for cell in self.document.findall(nodes.container):
            if cell.get("nb_element") != "cell_code":
                continue
            metadata = cell.get("cell_metadata") or {}
            caption = (metadata.get("mystnb") or {}).get("figure", {}).get("caption")
            if caption and not any(True for _ in cell.findall(nodes.image)):
                logger.warning("cell with figure caption %r displayed no figure", caption[:60],
                               location=cell, type="tinytorch", subtype="missing_figure")


def setup(app):
    app.setup_extension("myst_nb")
    app.add_config_value("tinytorch_figures_require_alt", True, "env", bool)
    app.add_post_transform(AltTextFromPlainText)
    app.add_post_transform(CaptionedCellsShowAFigure)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
