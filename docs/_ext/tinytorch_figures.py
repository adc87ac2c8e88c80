"""Sphinx extension: notebook figures get their alt text from their output (metadata or text).

myst-nb 1.4 sets an image's ``alt`` only from static cell metadata (``mystnb: image: alt``);
it reads an output's own metadata for ``width``/``height`` only. But a Jupyter display
output is a bundle of alternative representations of one object, and its ``text/plain``
entry is, by definition, the object's textual alternative. ``tinytorch.viz`` figures
put their computed description there (``AltTextFigure._repr_pretty_`` and
``tinytorch.viz.show``), instead of matplotlib's ``<Figure size 640x480 with 1 Axes>``.

The output's metadata may also carry it, ``{"image/svg+xml": {"alt": ...}}`` (the key
nbconvert's HTML templates read for PNG images; ``tinytorch.viz`` writes both routes),
but myst-nb drops that key when it builds the image node. It names the image file by the
SHA-256 of its bytes, so the metadata is found again by reading the executed notebook (in
myst-nb's ``jupyter_execute`` folder) and hashing its image outputs the same way.

myst-nb keeps every representation of a bundle in the doctree until its post-transform
``SelectMimeType`` (priority 4) keeps the best one for the builder. This post-transform
runs just before it (priority 3) and sets the ``alt`` of the bundle's images: the cell's
metadata wins (``image.alt``), then the output's metadata ``alt``, then the ``text/plain``.

A cell whose metadata gives a figure caption but that displays no image fails too: a
figure can vanish silently (for example when an ``rc_context`` switched the inline
backend's interactive mode off), and its caption would then describe nothing.

Configuration (``conf.py``)
    ``tinytorch_figures_require_alt`` (default ``True``): warn about every notebook image
    still without alt text, so a ``-W`` build fails on a figure a screen reader cannot
    describe. The warning names the page and the cell's line.
"""

from __future__ import annotations

import hashlib
import os
import re
from binascii import a2b_base64
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

# matplotlib's default repr, which says nothing about the figure's content
_DEFAULT_REPR = re.compile(r"^<(?:matplotlib\.figure\.)?\w*Figure(?: size [^>]*)?>$")


def _is_bundle(node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "mime_bundle"


def output_metadata_alts(notebook_path) -> dict:
    """``{image file stem: alt}`` from the ``alt`` in the image outputs' metadata of a notebook.

    The stem is myst-nb's file name for the image: the SHA-256 of its bytes (base64-decoded
    for binary types, lines joined with ``os.linesep`` for text types, as myst-nb does).
    """
    import nbformat
    try:
        notebook = nbformat.read(str(notebook_path), as_version=4)
    except (OSError, ValueError):
        return {}
    alts = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for mime, meta in (output.get("metadata") or {}).items():
                content = (output.get("data") or {}).get(mime)
                if not isinstance(meta, dict) or not meta.get("alt") or content is None:
                    continue
                if mime in {"image/png", "image/jpeg", "image/gif"}:
                    data = a2b_base64(content)
                else:
                    data = os.linesep.join(str(content).splitlines()).encode("utf-8")
                alts[hashlib.sha256(data).hexdigest()] = str(meta["alt"])
    return alts


class AltTextFromPlainText(SphinxPostTransform):
    """Set a display output's image ``alt`` from the output's metadata, else its ``text/plain``."""

    default_priority = 3  # before myst_nb.sphinx_.SelectMimeType (4) removes text/plain

    def run(self, **kwargs) -> None:
        require = self.config.tinytorch_figures_require_alt
        bundles = list(self.document.findall(_is_bundle))
        folder = getattr(getattr(self.env, "mystnb_config", None), "output_folder", None)
        docname = getattr(self.env, "docname", None)
        metadata_alts = output_metadata_alts(Path(folder, *f"{docname}.ipynb".split("/"))) \
            if bundles and folder and docname else {}
        for bundle in bundles:
            plain = [c for c in bundle.children if c.get("mime_type") == "text/plain"]
            alt = plain[0].astext().strip() if plain else ""
            usable = bool(alt) and not _DEFAULT_REPR.match(alt)
            for image in bundle.findall(nodes.image):
                from_metadata = metadata_alts.get(Path(image.get("uri", "")).stem)
                if not image.get("alt") and (from_metadata or usable):
                    image["alt"] = from_metadata or alt
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
