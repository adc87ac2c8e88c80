"""Sphinx machinery of the tinytorch site, kept out of conf.py.

conf.py calls the plain functions below while it is read (cache key, kernel
environment); ``setup`` registers the build-time hooks:

- API stubs: one page per public ``tinytorch`` module, found by walking the
  package, written to ``docs/api/generated/`` before Sphinx looks for sources.
- MathJax 3, offline: the few files a page needs are copied from the
  ``django-static-mathjax`` wheel into ``_static/mathjax/``.
- Notebook downloads: the executed ``.ipynb`` of each example page is offered
  beside its ``.py`` in the theme's download menu.
- The example gallery on the landing page (``{example-gallery}`` directive):
  one card per example page, its first figure as thumbnail, title and one line.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import os
import pkgutil
import re
import shutil
import sys
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

EXAMPLES_DIR = "examples"

# ---------------------------------------------------------------------------
# Execution: cache key and kernel environment (called from conf.py)
# ---------------------------------------------------------------------------

# IPython kernel configuration for every example: SVG figures whose ids and
# metadata do not change between runs (fixed hash salt, no date), drawn in the
# one shared style of tinytorch.viz (so hand-made figures match the helpers').
KERNEL_CONFIG = """\
from tinytorch.viz import STYLE
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.rc = {**STYLE, "svg.hashsalt": "tinytorch", "figure.dpi": 100}
c.InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "metadata": {"Date": None}}
"""


def _digest_tree(root: Path, digest) -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.suffix in {".pyc", ".pyo"}:
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")


def execution_cache_key(root: Path) -> str:
    """Hash of everything an example's outputs depend on besides its own code.

    jupyter-cache keys a notebook on its code cells only; folding this key into
    the cache folder makes any change to the library, the benchmarks, the pinned
    dependencies, the optional PyTorch, the kernel configuration or the Python
    version start a fresh cache.
    """
    digest = hashlib.sha256()
    _digest_tree(root / "tinytorch", digest)
    if (root / "benchmarks").is_dir():  # the Performance page runs the benchmark suite
        _digest_tree(root / "benchmarks", digest)
    digest.update(_optional_torch_version().encode())  # the verification page compares with it
    lock = root / "requirements" / "lock.txt"
    digest.update(lock.read_bytes() if lock.exists() else b"no lock")
    digest.update(KERNEL_CONFIG.encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def _optional_torch_version() -> str:
    """The installed torch's version, read from its metadata (torch is not imported)."""
    try:
        return "torch " + importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return "no torch"


def execution_cache_dir(root: Path) -> Path:
    """``_build/.jupyter_cache/<key>``; caches under other keys are removed."""
    base = root / "_build" / ".jupyter_cache"
    current = base / execution_cache_key(root)
    if base.is_dir():
        for old in base.iterdir():
            if old != current and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    return current


def kernel_environment(root: Path) -> dict[str, str]:
    """Environment the example kernels inherit from the Sphinx process.

    Writes the kernel configuration into ``_build/.ipython`` and returns the
    variables to set: tinytorch importable without installation, SVG figures,
    fixed hash seed and source date, one BLAS thread.
    """
    ipython_dir = root / "_build" / ".ipython"
    config = ipython_dir / "profile_default" / "ipython_kernel_config.py"
    config.parent.mkdir(parents=True, exist_ok=True)
    if not config.exists() or config.read_text() != KERNEL_CONFIG:
        config.write_text(KERNEL_CONFIG)
    path = [str(root)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    # ipykernel picks the inline backend when MPLBACKEND is unset; an inherited
    # MPLBACKEND=Agg (as in headless test runs) would leave pages without figures.
    os.environ.pop("MPLBACKEND", None)
    return {
        "PYTHONPATH": os.pathsep.join(dict.fromkeys(path)),
        "IPYTHONDIR": str(ipython_dir),
        "PYTHONHASHSEED": "0",
        "SOURCE_DATE_EPOCH": "0",
        # One BLAS thread per kernel: with -j examples run side by side, and on a
        # small machine multi-threaded BLAS on small matrices is slower and its
        # times swing tenfold under load (training cells went from 2 s to 60 s).
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


# ---------------------------------------------------------------------------
# API reference stubs
# ---------------------------------------------------------------------------


def public_modules(package: str = "tinytorch", exclude=()) -> list[str]:
    """Every importable module of ``package`` with no ``_``-prefixed part."""
    pkg = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(pkg.__path__, prefix=package + "."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return sorted(n for n in names if n not in set(exclude))


def _module_stub(name: str) -> str:
    module = importlib.import_module(name)
    lines = [name, "=" * len(name), ""]
    if hasattr(module, "__path__"):
        # A package: its docstring, then links to the everyday names it
        # re-exports (documented once, where they are defined).
        lines += [f".. automodule:: {name}", ""]
        exported = [n for n in getattr(module, "__all__", []) if hasattr(module, n)]
        if exported:
            lines += ["Re-exported names:", ""]
            for attr in exported:
                obj = getattr(module, attr)
                home = getattr(obj, "__module__", None)
                qual = getattr(obj, "__qualname__", attr)
                target = f"{home}.{qual}" if home else f"{name}.{attr}"
                lines.append(f"- :py:obj:`{attr} <{target}>`")
            lines.append("")
    else:
        # Each object once, in the module that defines it (``__all__`` may
        # re-export names from elsewhere, which would document them twice).
        lines += [
            f".. automodule:: {name}",
            "   :members:",
            "   :ignore-module-all:",
            "   :show-inheritance:",
            "",
        ]
    return "\n".join(lines)


def write_api_stubs(app, config) -> None:
    root = Path(app.srcdir)
    out = root / "docs" / "api" / "generated"
    out.mkdir(parents=True, exist_ok=True)
    wanted = {}
    for name in public_modules(exclude=config.tinytorch_api_exclude):
        wanted[out / f"{name}.rst"] = _module_stub(name)
    for path, text in wanted.items():
        if not path.exists() or path.read_text() != text:  # keep mtimes: no re-read
            path.write_text(text)
    for path in out.glob("*.rst"):
        if path not in wanted:
            path.unlink()


# ---------------------------------------------------------------------------
# MathJax 3 from the django-static-mathjax wheel, trimmed
# ---------------------------------------------------------------------------

MATHJAX_PARTS = [
    "tex-mml-chtml.js",
    "output/chtml/fonts/woff-v2",
    "input/tex/extensions",
    "ui",
]  # 2.6 MB of the wheel's 24 MB; the speech/a11y parts load only on request


def _mathjax_source() -> Path:
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "MathJax is missing: install the docs extra (django-static-mathjax)"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax"


def copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = _mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    stamp = Path(app.doctreedir) / "mathjax-copied-from"  # not published
    if (stamp.exists() and stamp.read_text() == str(source)
            and (target / "tex-mml-chtml.js").exists()):
        return
    shutil.rmtree(target, ignore_errors=True)
    for part in MATHJAX_PARTS:
        src = source / "es5" / part
        dst = target / part
        if src.is_dir():
            shutil.copytree(src, dst)
        elif src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    shutil.copy2(source / "LICENSE", target / "LICENSE")
    stamp.write_text(str(source))


# ---------------------------------------------------------------------------
# Executed notebook download
# ---------------------------------------------------------------------------


def _executed_notebook(app, pagename: str):
    """The page's notebook with its outputs, or None if it was not executed.

    myst-nb writes ``jupyter_execute/<page>.ipynb``, but in cache mode without
    the outputs it took from the cache; those are merged back in here.
    """
    import nbformat

    path = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not path.exists():
        return None
    notebook = nbformat.read(path, as_version=4)
    if not any(cell.get("outputs") for cell in notebook.cells):
        from jupyter_cache import get_cache

        try:
            cache = get_cache(app.env.mystnb_config.execution_cache_path)
            _, notebook = cache.merge_match_into_notebook(notebook)
        except KeyError:
            return None
    for index, cell in enumerate(notebook.cells):  # jupytext draws random ids
        cell["id"] = f"cell-{index}"
    return notebook


def offer_executed_notebook(app, pagename, templatename, context, doctree) -> None:
    """Put the executed ``.ipynb`` into ``_sources`` and the download menu.

    Runs before the book theme builds its download menu (priority 501).
    """
    if not pagename.startswith(EXAMPLES_DIR + "/"):
        return
    notebook = _executed_notebook(app, pagename)
    if notebook is None:
        return
    import nbformat

    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


# ---------------------------------------------------------------------------
# Example gallery
# ---------------------------------------------------------------------------


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


def collect_example(app, doctree) -> None:
    """Remember each example's title, first line of prose and first figure."""
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
    image = None
    for node in doctree.findall(nodes.image):
        image = {
            "uri": node["uri"],
            "candidates": dict(node.get("candidates", {})),
            "alt": node.get("alt", ""),
        }
        break
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


# ---------------------------------------------------------------------------
# Failing examples under parallel reading
# ---------------------------------------------------------------------------


def _show_failing_cell_in_parallel_builds() -> None:
    """Make myst-nb's ExecutionError carry the failing cell and its traceback.

    With ``-j``, Sphinx drops a worker's log when the worker raises and prints
    only the exception's message, which for myst-nb is just the notebook's
    path. Its cause (nbclient's CellExecutionError) names the cell and holds
    the traceback, so the message now includes it.
    """
    import importlib

    from myst_nb.core.execute import base

    if getattr(base.ExecutionError, "_tinytorch", False):
        return

    class ExecutionError(base.ExecutionError):
        _tinytorch = True

        def __str__(self):
            cause = self.__cause__
            return f"{self.args[0]}\n{cause}" if cause is not None else super().__str__()

    ExecutionError.__module__ = base.ExecutionError.__module__
    ExecutionError.__qualname__ = base.ExecutionError.__qualname__
    # The clients of each execution mode (cache, force, inline) raise it.
    for name in ("cache", "direct", "inline"):
        module = importlib.import_module(f"myst_nb.core.execute.{name}")
        if hasattr(module, "ExecutionError"):
            module.ExecutionError = ExecutionError


def create_execution_cache(app) -> None:
    """Create the jupyter-cache folder and database before reading forks.

    Otherwise two ``-j`` workers executing their first notebook race to create
    them, and one fails with FileExistsError.
    """
    config = getattr(app.env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache":
        return
    from jupyter_cache import get_cache

    get_cache(config.execution_cache_path).db  # creates folder and tables


def spread_examples(app, env, docnames: list[str]) -> None:
    """Spread the example pages evenly through the list of pages to read.

    With ``-j N`` Sphinx reads contiguous slices of this list in N processes;
    sorted, the examples (which execute, and so dominate reading time) would
    all fall into the last slice and run one after the other.
    """
    if app.parallel <= 1:
        return
    examples = [d for d in docnames if d.startswith(EXAMPLES_DIR + "/")]
    others = [d for d in docnames if not d.startswith(EXAMPLES_DIR + "/")]
    if len(examples) < 2:
        return
    total = len(docnames)
    slots = {round(k * total / len(examples)) for k in range(len(examples))}
    merged, ex, ot = [], iter(examples), iter(others)
    for index in range(total):
        merged.append(next(ex) if index in slots else next(ot, None) or next(ex))
    docnames[:] = merged


def setup(app):
    _show_failing_cell_in_parallel_builds()
    app.connect("builder-inited", create_execution_cache, priority=900)
    app.connect("env-before-read-docs", spread_examples)
    app.add_config_value("tinytorch_api_exclude", [], "env")
    app.connect("config-inited", write_api_stubs)
    app.add_node(gallery_placeholder)
    app.add_directive("example-gallery", ExampleGallery)
    app.connect("doctree-read", collect_example)
    app.connect("env-purge-doc", purge_example)
    app.connect("env-merge-info", merge_examples)
    app.connect("env-get-outdated", gallery_outdated)
    app.connect("doctree-resolved", render_gallery)
    app.connect("html-page-context", offer_executed_notebook, priority=400)
    app.connect("build-finished", copy_mathjax)
    app.add_css_file("tinytorch.css")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
