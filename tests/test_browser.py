"""Every page in a real headless Chromium, served from a loopback HTTP server.

Checks per page: MathJax typeset every formula (an ``mjx-container`` in each
math element, no ``mjx-merror``, no raw ``\\(`` or ``$$`` left in the prose),
every image decoded (``naturalWidth > 0``), no console error, no request to a
host other than the loopback server, no formula in the tab order. A
screenshot of each page is saved under ``_build/screenshots/``. At phone
width (390 x 844), per page: nothing wider than the screen, and axe-core
(bundled by the axe-playwright-python package) finds no serious or critical
violation.

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


# MathJax typesets lazily (as formulas scroll into view); the checks typeset all.
TYPESET_ALL = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    if (MathJax.startup.document.lazyTypesetAll) await MathJax.startup.document.lazyTypesetAll();
  }
}"""

PAGE_STATE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    if (MathJax.startup.document.lazyTypesetAll) await MathJax.startup.document.lazyTypesetAll();
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
    // Formulas in the tab order, except the wide ones that scroll (math-scroll.js).
    mathTabStops: [...document.querySelectorAll("mjx-container[tabindex]")]
      .filter(e => e.getAttribute("role") !== "region" || e.scrollWidth <= e.clientWidth + 1).length,
  };
}"""


@pytest.mark.parametrize("path", PAGES)
def test_page_in_browser(browser, server, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors, foreign, missing = [], [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Any request the site cannot answer (a /favicon.ico, a MathJax part not shipped).
    page.on("response", lambda r: missing.append(f"{r.status} {r.url}") if r.status >= 400 else None)

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
    assert not missing, f"{path} requested files the site does not serve: {missing}"
    assert not errors, f"{path} console errors: {errors}"
    assert not state["untypeset"], f"{path}: formulas left untypeset: {state['untypeset']}"
    assert state["merrors"] == 0, f"{path}: {state['merrors']} MathJax errors"
    assert not state["rawTex"], f"{path}: raw TeX delimiters in the text: {state['rawTex']}"
    assert not state["badImages"], f"{path}: images not decoded: {state['badImages']}"
    assert state["mathTabStops"] == 0, f"{path}: {state['mathTabStops']} formulas in the tab order"


# Anything wider than the screen: the page's own width, and the elements that
# stick out of it without an ancestor that scrolls or clips them.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const e of document.querySelectorAll("body *")) {
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let p = e.parentElement, contained = false;
    for (; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)
          || style.position === "fixed") { contained = true; break; }
    }
    if (!contained && getComputedStyle(e).position !== "fixed")
      out.push(`${e.tagName.toLowerCase()}.${e.className} (right edge ${Math.round(box.right)} px)`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, out: out.slice(0, 5)};
}"""


def axe_checker():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        no_browser("axe-playwright-python is not installed (make test installs it)")
    return Axe()


@pytest.mark.parametrize("path", PAGES)
def test_page_at_phone_width_fits_and_passes_axe(browser, server, path):
    """390 x 844: no sideways panning; axe-core: no serious or critical violation."""
    axe = axe_checker()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{server}/{path}", wait_until="load")
        if path == "index.html":
            page.wait_for_url("**/docs/index.html", wait_until="load")
        page.evaluate(TYPESET_ALL)
        # The theme gives scrolling tables and code a tab stop 300 ms after the
        # page changes (here: the formulas just typeset); let it.
        page.wait_for_timeout(500)
        overflow = page.evaluate(OVERFLOW)
        results = axe.run(page).response
    finally:
        context.close()
    assert overflow["scrollWidth"] <= overflow["width"], (
        f"{path} pans sideways at 390 px ({overflow['scrollWidth']} px wide): {overflow['out']}")
    bad = [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"], v["help"])
           for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{path}: axe-core violations: {bad}"


def test_keyboard_focus_is_visible_on_the_header_buttons(browser, server):
    """WCAG 2.4.7: tabbing to the download menu and the sidebar toggle shows a ring."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/examples/attention.html", wait_until="load")
    rings = {}
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
          const s = getComputedStyle(e);
          return {name: e.getAttribute('aria-label') || e.getAttribute('title') || e.textContent.trim(),
                  header: !!e.closest('.bd-header-article'),
                  ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
                        || (s.boxShadow !== 'none' && s.boxShadow !== '')}; }""")
        if focused["header"]:
            rings[focused["name"]] = focused["ring"]
    context.close()
    wanted = {"Download this page", "Toggle primary sidebar"}
    assert wanted <= set(rings), f"header buttons reached by Tab: {sorted(rings)}"
    assert all(rings[name] for name in wanted), f"no visible focus ring: {rings}"


def test_icons_are_drawn_by_the_web_font(browser, server):
    """The theme's icon script is replaced by a stub: its web font draws every icon."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{server}/examples/attention.html", wait_until="load")
    page.evaluate("document.fonts.ready")
    icons = page.evaluate("""() => [...document.querySelectorAll('.bd-header-article i.fa-solid,'
        + ' .bd-header-article span.fa-solid')].filter(e => e.offsetParent !== null).map(e => {
          const before = getComputedStyle(e, '::before');
          return {cls: e.className, glyph: before.content, font: before.fontFamily,
                  width: e.getBoundingClientRect().width}; })""")
    loaded = page.evaluate("document.fonts.check('900 16px \"Font Awesome 7 Free\"')")
    context.close()
    assert icons, "no visible icon in the article header"
    blank = [i for i in icons if i["glyph"] in ("none", "normal", '""') or i["width"] < 8]
    assert not blank, f"icons drawn as nothing: {blank}"
    assert loaded, "the Font Awesome web font did not load"


def test_py_download_saves_the_utf8_source(browser, server, tmp_path):
    """The .py link downloads (not a tab with mojibake); the file is the UTF-8 source."""
    script = next((p for p in EXAMPLES if not p.read_text(encoding="utf-8").isascii()), None)
    assert script is not None, "no example has a non-ASCII character to check"
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/examples/{script.stem}.html", wait_until="load")
    link = page.locator("a.btn-download-source-button")
    assert link.get_attribute("download") is not None, "the .py link has no download attribute"
    page.click(".dropdown-download-buttons button.dropdown-toggle")
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    context.close()
    assert saved.name == script.name, saved.name
    assert saved.read_bytes() == script.read_bytes()
    assert saved.read_text(encoding="utf-8") == script.read_text(encoding="utf-8")


def test_search_results_summarise_page_text(browser, server):
    """Result summaries come from the article, not the header's button labels."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/search.html?q=softmax", wait_until="load")
    page.wait_for_selector("ul.search li p.context", timeout=20000)
    page.wait_for_timeout(500)
    summaries = page.eval_on_selector_all("ul.search li p.context", "els => els.map(e => e.textContent)")
    context.close()
    theme = [s for s in summaries if "System Settings" in s or "Light Dark" in s]
    assert summaries and not theme, f"summaries with theme text: {theme[:2]}"
    assert any("softmax" in s.lower() for s in summaries), summaries[:3]


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
            " await MathJax.startup.document.lazyTypesetAll();"
            " return document.querySelectorAll('mjx-container mjx-math').length; }"
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


FIGURE_PIXELS = """async () => {
  const images = Array.from(document.querySelectorAll('.cell_output img')).slice(0, 5);
  await Promise.all(images.map(img => {  // figures load lazily: load these now
    img.loading = "eager";
    return img.decode().catch(() => null);
  }));
  return images.map(img => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    return Array.from(context.getImageData(2, 2, 1, 1).data);  // a corner: the figure's own background
})}"""


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


def test_captions_are_legible_body_text(browser, server):
    """Figure captions in the body's colour and weight, at about 0.9 em."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/examples/attention.html", wait_until="load")
    style = page.evaluate("""() => {
      const caption = getComputedStyle(document.querySelector('figcaption .caption-text'));
      const body = getComputedStyle(document.querySelector('article.bd-article p'));
      return {color: caption.color, bodyColor: body.color, weight: caption.fontWeight,
              size: parseFloat(caption.fontSize), bodySize: parseFloat(body.fontSize)}; }""")
    context.close()
    assert style["color"] == style["bodyColor"], style
    assert int(style["weight"]) >= 400, style
    assert 0.85 <= style["size"] / style["bodySize"] <= 0.95, style


def test_phone_sidebar_buttons_open_their_drawers(browser, server):
    """390 x 844, touch: the visible menu and contents buttons open the drawers.

    Both themes' scripts bind only the first ``.primary-toggle`` on the page;
    a hidden twin in the top navbar left the visible buttons dead.
    """
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server}/examples/attention.html", wait_until="load")
    blank_strip = page.evaluate("document.querySelector('#pst-header').getBoundingClientRect().height")
    opened = {}
    for side in ("primary", "secondary"):
        page.locator(f".bd-header-article button.{side}-toggle").tap()
        dialog = page.locator(f"#pst-{side}-sidebar-modal")
        dialog.locator("a").first.wait_for(state="visible", timeout=5000)
        opened[side] = dialog.evaluate("d => d.open")
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)
    context.close()
    assert opened == {"primary": True, "secondary": True}, opened
    assert blank_strip == 0, f"an empty {blank_strip} px navbar strip above the article header"


def test_phone_search_results_fit_and_icon_clears_the_text(browser, server):
    """390 px, results for "softmax": no sideways panning; the magnifying glass
    sits left of the input, not on the letters typed."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{server}/search.html?q=softmax", wait_until="load")
    page.wait_for_selector("ul.search li p.context", timeout=20000)
    page.wait_for_timeout(500)
    state = page.evaluate("""() => { const f = document.querySelector('.bd-search-container form.bd-search')
        || document.querySelector('article form.bd-search');
      const icon = f.querySelector('i').getBoundingClientRect(), input = f.querySelector('input');
      const text = input.getBoundingClientRect().left + parseFloat(getComputedStyle(input).paddingLeft);
      return {width: document.documentElement.scrollWidth, iconRight: icon.right, textLeft: text}; }""")
    context.close()
    assert state["width"] <= 390, f"search results pan sideways: {state['width']} px wide"
    assert state["iconRight"] <= state["textLeft"], f"search icon overlaps the typed text: {state}"
