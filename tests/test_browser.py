"""Every page in a real headless Chromium, served from a loopback HTTP server.

Checks per page: MathJax typeset every formula (an ``mjx-container`` in each
math element, no ``mjx-merror``, no raw ``\\(`` or ``$$`` left in the prose),
every image decoded (``naturalWidth > 0``), no console error, no request to a
host other than the loopback server. A screenshot of each page is saved under
``_build/screenshots/``.

Uses Debian's ``chromium`` (or the executable named by ``$CHROMIUM``) through
playwright's Python API; playwright never downloads a browser of its own here.
Without a browser these tests skip, loudly, unless ``REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import functools
import http.server
import ipaddress
import os
import re
import shutil
import sys
import threading
import warnings
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import EXAMPLES, ROOT

sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import tinytorch_api  # noqa: E402

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]

DOCS_PAGES = sorted(p.relative_to(ROOT).with_suffix(".html").as_posix()
                    for pattern in ("docs/*.md", "docs/*.py", "docs/api/*.md") for p in ROOT.glob(pattern))
PAGES = (
    ["index.html", "genindex.html", "py-modindex.html", "search.html"]
    + DOCS_PAGES
    + [f"examples/{p.stem}.html" for p in EXAMPLES]
    + [f"docs/api/generated/{m}.html" for m in tinytorch_api.public_modules()]
)


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"),
                      "/usr/bin/chromium", shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def no_browser(reason: str):
    message = f"BROWSER TESTS NOT RUN: {reason}"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} (REQUIRE_BROWSER=1)")
    warnings.warn(message)
    pytest.skip(message)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        no_browser("no Chromium found (install Debian's `chromium` or set CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser("the playwright package is not installed (make test installs it)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def is_loopback(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True
    host = parsed.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


PAGE_STATE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await Promise.all([...document.images].map(img => {
    img.loading = "eager";
    return img.decode().catch(() => null);
  }));
  const prose = document.body.cloneNode(true);
  prose.querySelectorAll("pre, code, script, style, .highlight, mjx-container")
       .forEach(e => e.remove());
  const maths = [...document.querySelectorAll("span.math, div.math")];
  return {
    maths: maths.length,
    untypeset: maths.filter(e => !e.querySelector("mjx-container")).map(e => e.textContent.slice(0, 80)),
    merrors: document.querySelectorAll("mjx-merror").length,
    rawTex: ["\\\\(", "\\\\[", "$$"].filter(s => prose.textContent.includes(s)),
    badImages: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
    images: document.images.length,
  };
}"""


@pytest.mark.parametrize("path", PAGES)
def test_page_in_browser(browser, server, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors, foreign = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def guard(route):
        if is_loopback(route.request.url):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    try:
        response = page.goto(f"{server}/{path}", wait_until="load")
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        if path == "index.html":  # the root redirects to the landing page
            page.wait_for_url("**/docs/index.html", wait_until="load")
        state = page.evaluate(PAGE_STATE)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / (path.replace("/", "__") + ".png")), full_page=True)
    finally:
        context.close()
    assert not foreign, f"{path} requested other hosts: {foreign}"
    assert not errors, f"{path} console errors: {errors}"
    assert not state["untypeset"], f"{path}: formulas left untypeset: {state['untypeset']}"
    assert state["merrors"] == 0, f"{path}: {state['merrors']} MathJax errors"
    assert not state["rawTex"], f"{path}: raw TeX delimiters in the text: {state['rawTex']}"
    assert not state["badImages"], f"{path}: images not decoded: {state['badImages']}"


def test_every_built_page_is_checked(site):
    built = {p.relative_to(site).as_posix() for p in site.rglob("*.html")
             if not p.relative_to(site).parts[0].startswith("_")}  # theme template fragments
    assert built <= set(PAGES), f"pages the browser test does not load: {sorted(built - set(PAGES))}"


def test_example_pages_show_typeset_math(browser, server):
    """At least one example has math, and it is typeset (guards the checks above)."""
    context = browser.new_context()
    page = context.new_page()
    counts = {}
    for script in EXAMPLES:
        page.goto(f"{server}/examples/{script.stem}.html", wait_until="load")
        counts[script.stem] = page.evaluate(
            "async () => { await MathJax.startup.promise;"
            " return document.querySelectorAll('mjx-container').length; }"
            if page.evaluate("() => !!window.MathJax") else "() => 0")
    context.close()
    assert any(counts.values()), f"no typeset formula on any example page: {counts}"


def test_offline_search_finds_example(browser, server, site):
    """Sphinx's search (a local index, no server) finds each example by a title word."""
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    for script in EXAMPLES:
        html = (site / "examples" / f"{script.stem}.html").read_text()
        title = re.search(r"<h1>([^<]*)", html).group(1)
        word = max(re.findall(r"[A-Za-z]+", title), key=len).lower()
        page.goto(f"{server}/search.html?q={word}", wait_until="load")
        page.wait_for_selector("ul.search li a", timeout=20000)
        hits = page.eval_on_selector_all("ul.search li a", "els => els.map(e => e.getAttribute('href'))")
        assert any(f"examples/{script.stem}" in h for h in hits), f"search {word!r}: {hits}"
    context.close()
    assert not errors, errors


FIGURE_PIXELS = """() => Array.from(document.querySelectorAll('.cell_output img')).slice(0, 5).map(img => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    return Array.from(context.getImageData(2, 2, 1, 1).data);  // a corner: the figure's own background
})"""


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_figures_are_light_cards_in_both_theme_modes(browser, server, mode):
    """In dark mode too, figures keep their opaque white background (legible as light cards)."""
    context = browser.new_context()
    context.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
    page = context.new_page()
    page.goto(f"{server}/examples/attention.html", wait_until="load")
    theme = page.evaluate("document.documentElement.dataset.theme")
    page_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    corners = page.evaluate(FIGURE_PIXELS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"theme-{mode}__examples__attention.png"), full_page=True)
    context.close()
    assert theme == mode, f"the theme did not switch to {mode}: {theme}"
    channels = [int(c) for c in re.findall(r"\d+", page_background)[:3]]
    assert (sum(channels) < 200) == (mode == "dark"), f"{mode} page background is {page_background}"
    assert corners, "no figure on the attention page"
    for rgba in corners:
        assert rgba[3] == 255 and min(rgba[:3]) >= 240, f"figure corner {rgba} is not opaque white in {mode} mode"
