"""The example gallery on the landing page (``{example-gallery}`` directive).

One card per page under ``examples/``, in the order of the page's toctree: a
thumbnail, the title and the first sentence of prose. A page chooses its
thumbnail by tagging one code cell ``thumbnail`` (``# %% tags=["thumbnail"]``,
as sphinx-gallery's ``thumbnail_number``): the first figure that cell shows.
Without a tag, the page's first figure is used.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

EXAMPLES_DIR = "examples"
THUMBNAIL_TAG = "thumbnail"


class gallery_placeholder(nodes.General, nodes.Element):
    """Replaced by the cards once every example has been read."""


class ExampleGallery(SphinxDirective):
    """``{example-gallery}``: a card per page under ``examples/``."""

    has_content = False

    def run(self):
        self.env.tt_gallery_docs = getattr(self.env, "tt_gallery_docs", set())
        self.env.tt_gallery_docs.add(self.env.docname)
        return [gallery_placeholder()]


def _first_sentence(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    line = match.group(1) if match else text
    if len(line) <= limit:
        return line
    return line[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"  # at a word boundary


def _is_code_cell(node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"


def _thumbnail(doctree):
    """The first image of the cell tagged ``thumbnail``, else of the page."""
    tagged = [cell for cell in doctree.findall(_is_code_cell)
              if f"tag_{THUMBNAIL_TAG}" in cell["classes"]]
    if len(tagged) > 1:
        logger.warning("%d cells are tagged %r; the first one is used",
                       len(tagged), THUMBNAIL_TAG, location=tagged[1],
                       type="tinytorch", subtype="thumbnail")
    for node in (tagged[0] if tagged else doctree).findall(nodes.image):
        return node
    if tagged:
        logger.warning("the cell tagged %r shows no figure", THUMBNAIL_TAG,
                       location=tagged[0], type="tinytorch", subtype="thumbnail")
    return None


def collect_example(app, doctree) -> None:
    """Remember each example's title, first line of prose and thumbnail."""
    env = app.env
    docname = env.docname
    if not docname.startswith(EXAMPLES_DIR + "/"):
        return
    title = env.titles[docname].astext() if docname in env.titles else docname
    line = ""
    for para in doctree.findall(nodes.paragraph):
        text = para.astext().strip()
        if text:
            line = _first_sentence(text)
            break
    node = _thumbnail(doctree)
    image = None if node is None else {
        "uri": node["uri"],
        "candidates": dict(node.get("candidates", {})),
        "alt": node.get("alt", ""),
    }
    if not hasattr(env, "tt_examples"):
        env.tt_examples = {}
    env.tt_examples[docname] = {"title": title, "line": line, "image": image}


def purge_example(app, env, docname) -> None:
    getattr(env, "tt_examples", {}).pop(docname, None)
    getattr(env, "tt_gallery_docs", set()).discard(docname)


def merge_examples(app, env, docnames, other) -> None:
    env.tt_examples = {**getattr(env, "tt_examples", {}), **getattr(other, "tt_examples", {})}
    env.tt_gallery_docs = getattr(env, "tt_gallery_docs", set()) | getattr(
        other, "tt_gallery_docs", set()
    )


def gallery_outdated(app, env, added, changed, removed):
    """Re-read the gallery page whenever an example appears, changes or goes."""
    touched = added | changed | removed
    if any(d.startswith(EXAMPLES_DIR + "/") for d in touched):
        return sorted(getattr(env, "tt_gallery_docs", set()))
    return []


def render_gallery(app, doctree, fromdocname) -> None:
    examples = getattr(app.env, "tt_examples", {})
    for placeholder in list(doctree.findall(gallery_placeholder)):
        grid = nodes.container(classes=["tt-gallery"])
        # The order of the page's own toctree (the reading order), then any others by name.
        listed = [d for d in app.env.toctree_includes.get(fromdocname, []) if d in examples]
        for docname in listed + sorted(set(examples) - set(listed)):
            info = examples[docname]
            uri = app.builder.get_relative_uri(fromdocname, docname)
            card = nodes.container(classes=["tt-card"])
            if info["image"]:
                thumb = nodes.image(
                    uri=info["image"]["uri"],
                    candidates=info["image"]["candidates"],
                    alt=f"Thumbnail of “{info['title']}”: {info['image']['alt']}",
                    classes=["tt-card-thumb"],
                )
                link = nodes.reference("", "", internal=True, refuri=uri)
                link += thumb
                card += nodes.paragraph("", "", link, classes=["tt-card-image"])
            else:
                card += nodes.paragraph("", "", classes=["tt-card-noimage"])
            title = nodes.reference("", info["title"], internal=True, refuri=uri)
            card += nodes.paragraph("", "", nodes.strong("", "", title), classes=["tt-card-title"])
            card += nodes.paragraph("", info["line"], classes=["tt-card-line"])
            grid += card
        placeholder.replace_self(grid)


def setup(app):
    app.add_node(gallery_placeholder)
    app.add_directive("example-gallery", ExampleGallery)
    app.connect("doctree-read", collect_example)
    app.connect("env-purge-doc", purge_example)
    app.connect("env-merge-info", merge_examples)
    app.connect("env-get-outdated", gallery_outdated)
    app.connect("doctree-resolved", render_gallery)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
