"""The built site as a web page: orientation, weight and HTML details.

Reads the HTML of the one site build per session (the ``site`` fixture); the
checks in a real browser (phone width, axe-core, keyboard focus, downloads)
are in test_browser.py.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import tinytorch_api  # noqa: E402
import tinytorch_gallery  # noqa: E402
import tinytorch_web  # noqa: E402

pytestmark = pytest.mark.site


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if not p.relative_to(site).parts[0].startswith("_"))


def content_pages(site: Path) -> list[Path]:
    """Pages of the theme's layout (not the root's redirect)."""
    return [p for p in pages(site) if p != site / "index.html"]


class Unbalanced(HTMLParser):
    """Counts ``</p>`` that close no open paragraph (HTML closes a <p> at a list)."""

    BLOCKS = {"ul", "ol", "dl", "div", "pre", "table", "blockquote", "section", "figure",
              "h1", "h2", "h3", "h4", "h5", "h6", "hr", "form", "details", "nav", "header",
              "footer", "main", "article", "aside"}

    def __init__(self, text: str):
        super().__init__()
        self.open_p = 0
        self.stray = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.open_p = 0
        if tag == "p":
            self.open_p = 1

    def handle_endtag(self, tag):
        if tag == "p":
            if self.open_p:
                self.open_p = 0
            else:
                self.stray += 1


def test_no_stray_closing_paragraph_tags(site):
    stray = {p.relative_to(site).as_posix(): n for p in pages(site)
             if (n := Unbalanced(p.read_text(encoding="utf-8")).stray)}
    assert not stray, f"</p> closing no paragraph (a list inside <p>): {stray}"


def test_every_page_has_a_description_favicon_and_viewport(site):
    missing = []
    for path in content_pages(site):
        html = path.read_text(encoding="utf-8")
        description = re.search(r'<meta name="description" content="([^"]*)"', html)
        if not description or len(description.group(1)) < 8:
            missing.append((path.relative_to(site).as_posix(), "description"))
        elif len(description.group(1)) > tinytorch_web.DESCRIPTION_LIMIT:
            missing.append((path.relative_to(site).as_posix(), "description too long"))
        if not re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', html):
            missing.append((path.relative_to(site).as_posix(), "favicon"))
        if 'name="viewport"' not in html:
            missing.append((path.relative_to(site).as_posix(), "viewport"))
    assert not missing, missing


def test_example_description_is_its_first_paragraph(site):
    html = (site / "examples" / "attention.html").read_text(encoding="utf-8")
    description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    assert description.startswith("Attention"), description
    assert not description.endswith(" …"), "cut inside a word or after a space"


def test_search_scripts_and_index_load_on_the_search_page_only(site):
    for path in content_pages(site):
        html = path.read_text(encoding="utf-8")
        loads = "searchindex.js" in html and "searchtools.js" in html
        if path.name == "search.html":
            assert loads and "search-summary.js" in html, "the search page lost its scripts"
        else:
            assert "searchindex.js" not in html, f"{path.name} loads the search index"


def test_published_site_carries_no_source_maps_or_build_paths(site):
    maps = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.map"))
    assert not maps, f"source maps published: {maps}"
    assert not list(site.rglob(".copied-from")), "a stamp with a build-machine path is published"
    build_root = str(ROOT)
    leaks = [p.relative_to(site).as_posix() for p in (site / "_static").rglob("*")
             if p.is_file() and p.suffix in {"", ".txt", ".js", ".css"}
             and build_root.encode() in p.read_bytes()]
    assert not leaks, f"files recording the build machine's path: {leaks}"


def test_fontawesome_script_is_the_stub_and_the_webfont_is_shipped(site):
    script = site / "_static" / "scripts" / "fontawesome.js"
    assert script.stat().st_size < 2000, f"the theme's {script.stat().st_size} B icon script is shipped"
    assert (site / "_static" / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2").is_file()
    css = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text()
    used = set()
    for path in content_pages(site):
        used |= set(re.findall(r'class="fa-solid (fa-[a-z-]+)', path.read_text(encoding="utf-8")))
        used |= set(re.findall(r'class="fas (fa-[a-z-]+)', path.read_text(encoding="utf-8")))
    assert used, "no icon found on any page"
    undrawn = sorted(i for i in used if not re.search(rf"\.{i}(?:,[^{{]*)?{{--fa:", css))
    assert not undrawn, f"icons the theme's web-font stylesheet does not draw: {undrawn}"


def test_landing_page_orients_the_reader(site):
    html = (site / "docs" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    for words in ("Python", "NumPy", "calculus", "linear algebra"):
        assert words in text, f"prerequisite {words!r} not named"
    assert "verification.html" in html, "no link to How we know it is right"
    times = re.findall(r'<span class="tt-reading-time">(\d+) min</span>', html)
    assert len(times) >= len(EXAMPLES), f"{len(times)} reading times for {len(EXAMPLES)} examples"


def test_reading_time_is_computed_from_the_page_words(site):
    """The landing page's time for the attention page is its word count at 200 a minute."""
    import pickle

    env = pickle.loads((site.parent / "doctrees" / "environment.pickle").read_bytes())
    words = env.tt_words["examples/attention"]
    assert words > 500, f"{words} words counted on the attention page"
    expected = tinytorch_web.reading_minutes(words)
    html = (site / "docs" / "index.html").read_text(encoding="utf-8")
    article = html[html.index('<article class="bd-article"'):]
    shown = re.search(r'href="../examples/attention.html".{0,300}?tt-reading-time">(\d+) min',
                      article, re.S)
    assert shown and int(shown.group(1)) == expected, (shown and shown.group(1), expected)


def test_gallery_excerpts_end_at_a_word_boundary(site):
    html = (site / "docs" / "index.html").read_text(encoding="utf-8")
    lines = re.findall(r'<p class="tt-card-line">([^<]*)</p>', html)
    assert len(lines) == len(EXAMPLES)
    assert not [line for line in lines if line.endswith(" …")], lines
    excerpt = tinytorch_gallery._first_sentence("abcdefghij " * 20, limit=50)
    assert excerpt == " ".join(["abcdefghij"] * 4) + "…", excerpt


def test_sidebar_separates_readers_from_contributors_and_ends_with_the_api(site):
    html = (site / "docs" / "index.html").read_text(encoding="utf-8")
    nav = html[html.index('class="bd-links'):]
    captions = re.findall(r'<span class="caption-text">([^<]*)</span>', nav)
    assert captions[-1] == "Reference", captions
    assert any("contributor" in c.lower() for c in captions), captions
    links = re.findall(r'<a class="reference internal" href="([^"]+)"', nav)
    order = [h for h in links if h.endswith(".html")]
    assert order.index("api/index.html") > order.index("contributing.html") > order.index(
        "../examples/language.html"), order
    summaries = re.findall(r"<summary([^>]*)>", nav)
    assert summaries and all("aria-label=" in s for s in summaries), summaries


def test_api_index_lists_every_module_with_one_line(site):
    html = (site / "docs" / "api" / "index.html").read_text(encoding="utf-8")
    for name in tinytorch_api.public_modules():
        item = re.search(rf'href="generated/{re.escape(name)}\.html">.*?</li>', html, re.S)
        assert item, f"{name} missing from the API index"
        assert len(re.sub(r"<[^>]+>", "", item.group(0))) > len(name) + 10, f"{name}: no summary line"


def test_py_download_links_carry_the_download_attribute(site):
    for script in EXAMPLES:
        html = (site / "examples" / f"{script.stem}.html").read_text(encoding="utf-8")
        for suffix in (".py", ".ipynb"):
            href = f"../_sources/examples/{script.stem}{suffix}"
            assert re.search(rf'<a href="{re.escape(href)}" download\b', html), f"{script.stem}{suffix}"
        source = site / "_sources" / "examples" / f"{script.stem}.py"
        assert source.read_bytes() == script.read_bytes()
        source.read_bytes().decode("utf-8")  # UTF-8, as the page declares it


def test_example_figures_load_lazily(site):
    for script in EXAMPLES:
        html = (site / "examples" / f"{script.stem}.html").read_text(encoding="utf-8")
        figures = re.findall(r'<div class="cell_output[^"]*">.*?</div>\s*</div>', html, re.S)
        images = [i for f in figures for i in re.findall(r"<img [^>]*>", f)]
        eager = [i[:80] for i in images if 'loading="lazy"' not in i]
        assert not eager, f"{script.stem}: figures loaded eagerly: {eager}"


def test_every_page_links_the_site_stylesheet(site):
    # Without it the phone-width, focus and caption rules silently vanish.
    for page in (site / "docs" / "index.html", site / "docs" / "contributing.html",
                 site / "examples" / "attention.html"):
        assert "_static/tinytorch.css" in page.read_text(encoding="utf-8"), page.name
