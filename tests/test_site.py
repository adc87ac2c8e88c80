"""The built site: pages, figures, math, offline resources, downloads, reports.

One build per session (the ``site`` fixture in conftest.py); the checks below
read its HTML. Two more builds, of small copies of the project, check that a
failing example and a wrong docstring example fail the build.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import shutil
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import DOC_PAGES, EXAMPLES, ROOT, sphinx

sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import tinytorch_site  # noqa: E402

pytestmark = pytest.mark.site


class Page(HTMLParser):
    """Tags of interest in one HTML page, with their attributes."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._skip = 0
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag
                and all(v in (a.get(k) or "").split() for k, v in attrs.items())]

    def resolve(self, url: str) -> Path:
        return (self.path.parent / urlparse(url).path).resolve()


def example_page(site: Path, script: Path) -> Path:
    return site / "examples" / f"{script.stem}.html"


def all_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def executed_notebook(site: Path, script: Path) -> dict:
    return json.loads((site / "_sources" / "examples" / f"{script.stem}.ipynb").read_text())


def image_outputs(nb: dict) -> int:
    return sum(1 for cell in nb["cells"] for out in cell.get("outputs", [])
               if any(k.startswith("image/") for k in out.get("data", {})))


# -- pages -------------------------------------------------------------------------


def test_landing_page_and_root_redirect(site):
    assert (site / "docs" / "index.html").exists()
    root = (site / "index.html").read_text()
    assert 'url=docs/index.html' in root, "index.html does not lead to the landing page"


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_page_present_with_outputs(site, script):
    page = example_page(site, script)
    assert page.exists(), f"no page for {script.name}"
    html = page.read_text()
    assert "cell_output" in html, f"{page.name} shows no executed output"
    assert "Traceback" not in html, f"{page.name} shows a traceback"


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_figures_have_alt_text(site, script):
    page = Page(example_page(site, script))
    imgs = page.find("img")
    expected = image_outputs(executed_notebook(site, script))
    assert len(imgs) >= expected, f"{expected} figure outputs but {len(imgs)} <img> on the page"
    for img in imgs:
        assert page.resolve(img["src"]).is_file(), f"missing image {img['src']}"


def test_every_image_on_every_page_has_real_alt_text(site):
    bad = []
    for path in all_pages(site):
        for img in Page(path).find("img"):
            alt = (img.get("alt") or "").strip()
            if (not alt or alt.startswith("<Figure size") or "_images/" in alt
                    or re.fullmatch(r"\S+\.(png|svg|jpe?g|gif)", alt)):
                bad.append((path.relative_to(site).as_posix(), img.get("src"), alt))
    assert not bad, f"images without a real description: {bad}"


def test_math_is_present_and_served_locally(site):
    math_pages = [p for p in all_pages(site) if Page(p).find("span", **{"class": "math"})
                  or Page(p).find("div", **{"class": "math"})]
    assert math_pages, "no page contains math"
    for path in math_pages:
        scripts = [s.get("src", "") for s in Page(path).find("script")]
        mathjax = [s for s in scripts if "tex-mml-chtml.js" in s]
        assert mathjax, f"{path.name} has math but loads no MathJax"
        assert Page(path).resolve(mathjax[0]).is_file(), f"MathJax missing for {path.name}"
    fonts = site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert any(fonts.glob("*.woff")), "MathJax fonts not copied"


def test_no_resource_from_another_host(site):
    remote = []
    for path in all_pages(site):
        page = Page(path)
        for tag, attr in [("script", "src"), ("link", "href"), ("img", "src"),
                          ("iframe", "src"), ("source", "src"), ("video", "src"),
                          ("audio", "src"), ("object", "data")]:
            for a in page.find(tag):
                url = a.get(attr) or ""
                if tag == "link" and not set((a.get("rel") or "").split()) & {
                        "stylesheet", "preload", "icon", "modulepreload", "manifest"}:
                    continue
                if urlparse(url).netloc or url.startswith("//"):
                    remote.append((path.relative_to(site).as_posix(), tag, url))
    for css in (site / "_static").rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", css.read_text(errors="replace")):
            remote.append((css.relative_to(site).as_posix(), "css", url))
    assert not remote, f"resources from other hosts: {remote}"


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_offers_py_and_executed_ipynb(site, script):
    page = example_page(site, script)
    links = {a.get("href") for a in Page(page).find("a")}
    for suffix in (".py", ".ipynb"):
        href = f"../_sources/examples/{script.stem}{suffix}"
        assert href in links, f"{page.name} offers no {suffix} download"
        assert (page.parent / href).resolve().is_file()
    nb = executed_notebook(site, script)
    assert any(cell.get("outputs") for cell in nb["cells"]), "the .ipynb has no outputs"


def test_copy_buttons_on_example_pages(site):
    for script in EXAMPLES:
        scripts = [s.get("src", "") for s in Page(example_page(site, script)).find("script")]
        assert any("copybutton.js" in s for s in scripts), script.name


def test_execution_report_lists_every_example(site):
    page = site / "docs" / "execution.html"
    text = " ".join(Page(page).text)
    for script in EXAMPLES:
        row = re.search(rf"examples/{re.escape(script.stem)}\b(.*?)(?=examples/|$)", text, re.S)
        assert row, f"{script.stem} missing from the execution report"
        assert "✅" in row.group(1) and "❌" not in row.group(1), f"{script.stem}: {row.group(1)[:200]}"


def test_landing_page_gallery(site):
    page = Page(site / "docs" / "index.html")
    cards = page.find("div", **{"class": "tt-card"})
    assert len(cards) == len(EXAMPLES), f"{len(cards)} cards for {len(EXAMPLES)} examples"
    hrefs = {a.get("href") for a in page.find("a")}
    thumbs = page.find("img", **{"class": "tt-card-thumb"})
    for script in EXAMPLES:
        assert f"../examples/{script.stem}.html" in hrefs, f"no card links to {script.stem}"
    with_figures = [s for s in EXAMPLES if image_outputs(executed_notebook(site, s))]
    assert len(thumbs) == len(with_figures), "a card lacks its thumbnail"
    for img in thumbs:
        assert page.resolve(img["src"]).is_file()


# -- API reference ------------------------------------------------------------------


def test_api_reference_documents_every_public_module(site):
    for name in tinytorch_site.public_modules():
        path = site / "docs" / "api" / "generated" / f"{name}.html"
        assert path.exists(), f"no API page for {name}"
        html = path.read_text()
        assert f'id="module-{name}"' in html, f"{name} not documented"
        module = importlib.import_module(name)
        if hasattr(module, "__path__"):
            continue
        for attr, obj in vars(module).items():
            if (attr.startswith("_") or not (inspect.isclass(obj) or inspect.isfunction(obj))
                    or obj.__module__ != name or not inspect.getdoc(obj)):
                continue
            assert f'id="{name}.{attr}"' in html, f"{name}.{attr} missing from the API reference"


def test_api_links_on_example_pages_and_package_page_resolve(site):
    """A ``{py:...}`` role whose target is missing renders as plain code: catch it."""
    pages = [example_page(site, s) for s in EXAMPLES]
    pages += [site / "docs" / f"{p.stem}.html" for p in DOC_PAGES]
    pages.append(site / "docs" / "api" / "generated" / "tinytorch.html")
    for page in pages:
        html = page.read_text()
        refs = len(re.findall(r'<code class="xref py', html))
        linked = len(re.findall(r'<a class="reference internal"[^>]*>\s*<code class="xref py', html))
        assert refs == linked, f"{page.name}: {refs - linked} API references do not resolve"


def test_api_reference_is_linked_from_navigation(site):
    hrefs = {a.get("href") for a in Page(site / "docs" / "index.html").find("a")}
    assert "api/index.html" in hrefs


def test_search_index_covers_example_pages(site):
    index = (site / "searchindex.js").read_text()
    for script in EXAMPLES:
        assert f'"examples/{script.stem}"' in index, f"{script.stem} not in the search index"
    assert (site / "search.html").exists()


def test_doctest_builder_passes_on_the_same_doctrees(site):
    done = sphinx("doctest", ROOT, site.parent / "doctest", site.parent / "doctrees")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]


# -- failures fail the build ---------------------------------------------------------


def small_copy(tmp_path: Path) -> Path:
    """The project without its examples: conf.py, docs (and the benchmarks its pages run), tinytorch, lock file."""
    dst = tmp_path / "proj"
    ignore = shutil.ignore_patterns("__pycache__", "generated")
    for name in ("docs", "tinytorch", "requirements", "benchmarks"):
        shutil.copytree(ROOT / name, dst / name, ignore=ignore)
    shutil.copy2(ROOT / "conf.py", dst / "conf.py")
    (dst / "examples").mkdir()
    # The landing page names the real examples (reading path, toctree); here a plain
    # index lists whatever examples the test writes and every other page.
    (dst / "docs" / "index.md").write_text(
        "# tinytorch\n\n```{toctree}\n:glob:\n\n../examples/*\n*\napi/index\n```\n")
    return dst


def test_a_failing_example_fails_the_build_naming_cell_and_error(tmp_path):
    proj = small_copy(tmp_path)
    (proj / "examples" / "broken.py").write_text(
        "# %% [markdown]\n# # Broken\n#\n# Fails on purpose.\n\n"
        "# %%\nvalue = 1\n\n# %%\nassert value == 2, 'the claim is wrong'\n")
    done = sphinx("html", proj, proj / "_build" / "html", proj / "_build" / "doctrees",
                  "-j", "2", env={"NB_EXECUTION_MODE": "force"})
    log = done.stdout + done.stderr
    assert done.returncode != 0, "a failing example did not fail the build"
    assert "broken.py" in log, "the failing example is not named"
    assert "assert value == 2" in log and "AssertionError" in log, log[-3000:]


def test_a_wrong_docstring_example_fails_the_doctest_build(tmp_path):
    proj = small_copy(tmp_path)
    (proj / "tinytorch" / "wrongdoc.py").write_text(
        '"""A module whose example is wrong."""\n\n\ndef one():\n'
        '    """Return 1.\n\n    Examples\n    --------\n    >>> from tinytorch.wrongdoc import one\n'
        '    >>> one()\n    2\n    """\n    return 1\n')
    (proj / "examples" / "ok.py").write_text("# %% [markdown]\n# # OK\n#\n# Fine.\n\n# %%\nx = 1\n")
    doctrees = proj / "_build" / "doctrees"
    html = sphinx("html", proj, proj / "_build" / "html", doctrees)
    assert html.returncode == 0, html.stdout[-2000:] + html.stderr[-3000:]
    done = sphinx("doctest", proj, proj / "_build" / "doctest", doctrees)
    assert done.returncode != 0, "a wrong docstring example passed the doctest build"
    assert "one()" in done.stdout + done.stderr + (proj / "_build" / "doctest" / "output.txt").read_text()


# -- packaging ------------------------------------------------------------------------


def test_lock_file_pins_every_declared_dependency():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            lock[re.sub(r"[-_.]+", "-", name).lower()] = version
    declared = list(meta["dependencies"])
    for extra in meta["optional-dependencies"].values():
        declared += extra
    for requirement in declared:
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement).group()).lower()
        assert name in lock, f"{requirement} is not pinned in requirements/lock.txt"
    assert "torch" not in lock, "torch must stay optional"


# -- pieces of the machinery ----------------------------------------------------------


def test_execution_cache_key_follows_library_lock_and_benchmarks(tmp_path):
    for name in ("tinytorch", "requirements"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    key = tinytorch_site.execution_cache_key
    first = key(tmp_path)
    assert key(tmp_path) == first, "the key is not a pure function of the files"
    (tmp_path / "tinytorch" / "__pycache__").mkdir(exist_ok=True)
    (tmp_path / "tinytorch" / "__pycache__" / "x.pyc").write_bytes(b"junk")
    assert key(tmp_path) == first, "bytecode changed the key"
    module = tmp_path / "tinytorch" / "core" / "tensor.py"
    module.write_text(module.read_text() + "\n# an edit\n")
    after_library = key(tmp_path)
    assert after_library != first, "a library edit kept the cache key"
    lock = tmp_path / "requirements" / "lock.txt"
    lock.write_text(lock.read_text() + "extra==1.0\n")
    after_lock = key(tmp_path)
    assert after_lock not in (first, after_library), "a lock edit kept the cache key"
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "cases.py").write_text("# a benchmark the Performance page runs\n")
    assert key(tmp_path) not in (first, after_library, after_lock), "a benchmark edit kept the cache key"


def test_execution_cache_key_follows_the_optional_torch(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "tinytorch", tmp_path / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(tinytorch_site, "_optional_torch_version", lambda: "no torch")
    without = tinytorch_site.execution_cache_key(tmp_path)
    monkeypatch.setattr(tinytorch_site, "_optional_torch_version", lambda: "torch 2.13.0+cpu")
    assert tinytorch_site.execution_cache_key(tmp_path) != without


@pytest.mark.parametrize("n_docs,n_examples", [(17, 4), (5, 5), (10, 1), (30, 9), (3, 2)])
def test_examples_are_spread_over_parallel_readers(n_docs, n_examples):
    docs = [f"docs/{i}" for i in range(n_docs - n_examples)]
    docs += [f"examples/{i}" for i in range(n_examples)]
    app = type("App", (), {"parallel": 2})()
    spread = list(docs)
    tinytorch_site.spread_examples(app, None, spread)
    assert sorted(spread) == sorted(docs)
    if n_examples >= 2:
        half = len(spread) // 2
        first = sum(d.startswith("examples/") for d in spread[:half])
        assert abs(first - (n_examples - first)) <= 1, spread
