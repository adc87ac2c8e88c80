"""The site as a web page: what the reader's browser gets, beyond the content.

- ``{reading-time}`docname``` renders a page's reading time, computed from
  its word count when the site is built (prose and code, not outputs).
- ``{api-modules}`` lists every public module of tinytorch, one line each:
  a link to its page and the first line of its docstring.
- A ``<meta name="description">`` per page: its first paragraph.
- The sidebar's expand/collapse toggles get an accessible name.
- A bullet list that Sphinx wraps in a paragraph (napoleon's "Returns" with
  several values) is unwrapped: ``<p><ul>`` is invalid HTML.
- Figures in cell outputs load lazily, as they scroll near.
- Display equations too wide for the column (they scroll) get a tab stop.
- The theme's source maps (3.4 MB that no reader's browser requests) are
  not published.
"""

from __future__ import annotations

import importlib
import math
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

logger = logging.getLogger(__name__)

WORDS_PER_MINUTE = 200
DESCRIPTION_LIMIT = 160  # characters; search engines show about this many
GENERATED_PAGES = {
    "genindex": "index of every documented class, function and attribute",
    "py-modindex": "index of the Python modules",
    "search": "search the documentation",
}


def _words(doctree) -> int:
    """Words a reader reads on the page: prose and code, not cell outputs."""
    count = 0
    for node in doctree.findall(nodes.Text):
        parent, output = node.parent, False
        while parent is not None:
            if "cell_output" in parent.get("classes", ()) or isinstance(
                    parent, (nodes.comment, nodes.raw, nodes.system_message)):
                output = True
                break
            parent = parent.parent
        if not output:
            count += len(node.astext().split())
    return count


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


class reading_time(nodes.Inline, nodes.Element):
    """Placeholder for a page's reading time, filled in once every page is read."""


class ReadingTime(SphinxRole):
    """``{reading-time}`../examples/attention```: "12 min" for that page."""

    def run(self):
        from sphinx.util import docname_join

        target = docname_join(self.env.docname, self.text.strip())
        node = reading_time(target=target)
        docs = self.env.__dict__.setdefault("tt_reading_docs", set())
        docs.add(self.env.docname)
        return [node], []


def count_words(app, doctree) -> None:
    app.env.__dict__.setdefault("tt_words", {})[app.env.docname] = _words(doctree)


def fill_reading_times(app, doctree, fromdocname) -> None:
    words = getattr(app.env, "tt_words", {})
    for node in list(doctree.findall(reading_time)):
        target = node["target"]
        if target not in words:
            logger.warning("reading-time: no page %r", target, location=node)
            node.replace_self(nodes.Text("?"))
            continue
        minutes = reading_minutes(words[target])
        text = nodes.inline("", f"{minutes} min", classes=["tt-reading-time"])
        node.replace_self(text)


def purge_doc(app, env, docname) -> None:
    getattr(env, "tt_words", {}).pop(docname, None)
    getattr(env, "tt_reading_docs", set()).discard(docname)


def merge_info(app, env, docnames, other) -> None:
    env.tt_words = {**getattr(env, "tt_words", {}), **getattr(other, "tt_words", {})}
    env.tt_reading_docs = getattr(env, "tt_reading_docs", set()) | getattr(
        other, "tt_reading_docs", set())


def reading_times_outdated(app, env, added, changed, removed):
    """Pages that show reading times are re-read when any page changes."""
    if added | changed | removed:
        return sorted(getattr(env, "tt_reading_docs", set()) - set(removed))
    return []


# ---------------------------------------------------------------------------
# The API index: one line per module
# ---------------------------------------------------------------------------

_INLINE = re.compile(r"``(.+?)``|(?::[\w:]+:)?`~?([^`]+)`")


def _summary_nodes(text: str) -> list[nodes.Node]:
    """The docstring's first line, with its ``code`` and :role:`x` as code."""
    out, last = [], 0
    for match in _INLINE.finditer(text):
        out.append(nodes.Text(text[last:match.start()]))
        code = match.group(1) or match.group(2).split(".")[-1]
        out.append(nodes.literal(code, code))
        last = match.end()
    out.append(nodes.Text(text[last:]))
    return out


def module_summary(name: str) -> str:
    doc = (importlib.import_module(name).__doc__ or "").strip()
    return " ".join(doc.split("\n\n")[0].split())


class ApiModules(SphinxDirective):
    """``{api-modules}``: a list of the public modules with their first line."""

    has_content = False

    def run(self):
        import tinytorch_api

        items = nodes.bullet_list(classes=["tt-api-modules"])
        for name in tinytorch_api.public_modules():
            ref = addnodes.pending_xref(
                "", nodes.literal(name, name), refdomain="std", reftype="doc",
                reftarget=f"/docs/api/generated/{name}", refexplicit=True,
                refdoc=self.env.docname)
            para = nodes.paragraph("", "", ref, nodes.Text(": "),
                                   *_summary_nodes(module_summary(name)))
            items += nodes.list_item("", para)
        return [items]


# ---------------------------------------------------------------------------
# HTML details
# ---------------------------------------------------------------------------


def _first_paragraph(doctree) -> str:
    for para in doctree.findall(nodes.paragraph):
        parent, skip = para.parent, False
        while parent is not None:  # not a caption, an output or a note box
            if isinstance(parent, (nodes.Admonition, nodes.figure, nodes.table)) or (
                    "cell_output" in parent.get("classes", ())):
                skip = True
                break
            parent = parent.parent
        text = " ".join(para.astext().split())
        if not skip and len(text) > 40:
            return text
    return ""


def describe(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def page_description(app, pagename, templatename, context, doctree) -> None:
    text = _first_paragraph(doctree) if doctree is not None else ""
    if not text:  # the index, module index and search pages have no text of their own
        what = GENERATED_PAGES.get(pagename) or context.get("title") or pagename
        text = f"{app.config.html_title}: {what}"
    context["tt_description"] = describe(text)


def name_sidebar_toggles(app, pagename, templatename, context, doctree) -> None:
    """Give each sidebar expand/collapse toggle a name (WCAG 4.1.2).

    The theme draws the toggle as a ``<summary>`` holding only an icon, so
    a screen reader announced an unnamed control.
    """
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "_tt_named", False):
        return

    def named(*args, **kwargs):
        return _name_summaries(generate(*args, **kwargs))

    named._tt_named = True
    context["generate_toctree_html"] = named


def _name_summaries(html):
    """``html`` (a string or the theme's BeautifulSoup) with named summaries."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser") if isinstance(html, str) else html
    for summary in soup.select("details > summary"):
        if summary.get("aria-label") or summary.get_text(strip=True):
            continue
        item = summary.find_parent("li")
        link = item.find("a", recursive=False) if item else None
        label = link.get_text(" ", strip=True) if link else "this section"
        summary["aria-label"] = f"Show or hide the pages under {label}"
    return str(soup) if isinstance(html, str) else soup


def unwrap_block_paragraphs(app, doctree, fromdocname) -> None:
    """A paragraph holding a list becomes the list (``<p><ul>`` is invalid)."""
    for para in list(doctree.findall(nodes.paragraph)):
        if any(isinstance(child, (nodes.bullet_list, nodes.enumerated_list))
               for child in para.children):
            if all(isinstance(child, (nodes.bullet_list, nodes.enumerated_list))
                   or not child.astext().strip() for child in para.children):
                para.replace_self([c for c in para.children if c.astext().strip()])


def scrolling_equations(app, pagename, templatename, context, doctree) -> None:
    """Pages with math get the script that makes wide equations focusable."""
    math = app.env.get_domain("math")
    if doctree is not None and math.has_equations(pagename):
        app.add_js_file("math-scroll.js", priority=600, defer="defer")


def lazy_figures(app, doctree, fromdocname) -> None:
    """Figures of cell outputs load when scrolled near (``loading="lazy"``).

    A long example page has a dozen SVG figures (0.5 MB); loaded at once, they
    compete with the text and styles a phone needs first.
    """
    for image in doctree.findall(nodes.image):
        parent = image.parent
        while parent is not None and "cell_output" not in parent.get("classes", ()):
            parent = parent.parent
        if parent is not None:
            image["loading"] = "lazy"


def drop_source_maps(app, exception) -> None:
    """Source maps of the theme's bundles serve only a developer's debugger."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    for path in static.rglob("*.map"):
        path.unlink()


def setup(app):
    app.add_node(reading_time)
    app.add_role("reading-time", ReadingTime())
    app.add_directive("api-modules", ApiModules)
    app.connect("doctree-read", count_words)
    app.connect("doctree-resolved", fill_reading_times)
    app.connect("doctree-resolved", unwrap_block_paragraphs)
    app.connect("doctree-resolved", lazy_figures)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("env-get-outdated", reading_times_outdated)
    app.connect("html-page-context", page_description)
    app.connect("html-page-context", name_sidebar_toggles, priority=600)
    app.connect("html-page-context", scrolling_equations)
    app.connect("build-finished", drop_source_maps)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
