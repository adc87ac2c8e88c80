"""Executing the example pages: the cache key, the kernels' environment.

conf.py reads only the pure functions here (:func:`execution_cache_dir` names
the cache folder); everything that touches the disk or the process happens in
build hooks registered by :func:`setup`:

- ``config-inited``: write the IPython kernel configuration into
  ``_build/.ipython`` and export the variables the kernels inherit.
- ``builder-inited``: remove the caches of other keys, and create the current
  one before ``-j`` workers race to create it.
- ``env-before-read-docs``: spread the executed pages over the ``-j`` readers.
- ``env-get-outdated``: re-read a page whose execution failed last time, so a
  failing page cannot pass a later incremental build unread.

Pages are read by :func:`read_page` (``nb_custom_formats``): jupytext's percent
reader, keeping only the cells meant for this machine (``with-torch`` cells
where PyTorch is installed, ``without-torch`` cells where it is not), so a page
shows either its comparison with PyTorch or one sentence saying it is left
out, never code that did not run.

A failing cell is reported by myst-nb itself (``nb_execution_raise_on_error =
False`` in conf.py): it logs a warning naming the page, with the failing
cell's source and traceback, which ``-W`` turns into a failed build. (Raising
instead loses that log under ``-j``: Sphinx keeps only the exception's text,
the notebook's path.)
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import sys
from pathlib import Path

EXAMPLES_DIR = "examples"
HERE = Path(__file__).resolve().parent

# IPython kernel configuration for every executed page: SVG figures whose ids and
# metadata do not change between runs (fixed hash salt, no date), drawn in the one
# shared style of tinytorch.viz. Text in figures is drawn as outlines
# ("svg.fonttype": "path", matplotlib's default, kept on purpose: see
# docs/contributing_figures.md). The extension tinytorch_kernel (docs/_ext) makes a
# cell that leaves a figure undisplayed write to stderr, which fails the build.
KERNEL_CONFIG = """\
from tinytorch.viz import STYLE
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.rc = {**STYLE, "svg.hashsalt": "tinytorch", "figure.dpi": 100,
                      "svg.fonttype": "path"}
c.InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "metadata": {"Date": None}}
c.InteractiveShellApp.extensions = ["tinytorch_kernel"]
"""
KERNEL_EXTENSION = HERE / "tinytorch_kernel.py"


def _digest_tree(root: Path, digest, skip=lambda path: False) -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.suffix in {".pyc", ".pyo"} or skip(path):
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")


def is_example_page(path: Path, examples: Path) -> bool:
    """``examples/NAME.py`` with no leading ``_``: a page (conf.py's patterns)."""
    return (path.parent == examples and path.suffix == ".py"
            and not path.name.startswith("_"))


def execution_cache_key(root: Path) -> str:
    """Hash of everything a page's outputs depend on besides its own code.

    jupyter-cache keys a notebook on its code cells only; folding this key into
    the cache folder makes any change to the library, the benchmarks, the files
    under ``examples/`` that are not pages (data an example reads, helpers), the
    pinned dependencies, the optional PyTorch, the kernel configuration or the
    Python version start a fresh cache.
    """
    digest = hashlib.sha256()
    _digest_tree(root / "tinytorch", digest)
    if (root / "benchmarks").is_dir():  # the Performance page runs the benchmark suite
        _digest_tree(root / "benchmarks", digest)
    examples = root / EXAMPLES_DIR
    if examples.is_dir():  # pages are keyed by jupyter-cache; everything else here
        digest.update(b"examples\0")
        _digest_tree(examples, digest, skip=lambda p: is_example_page(p, examples))
    digest.update(_optional_torch_version().encode())  # the verification page compares with it
    lock = root / "requirements" / "lock.txt"
    digest.update(lock.read_bytes() if lock.exists() else b"no lock")
    digest.update(KERNEL_CONFIG.encode())
    digest.update(KERNEL_EXTENSION.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def _optional_torch_version() -> str:
    """The installed torch's version, read from its metadata (torch is not imported)."""
    try:
        return "torch " + importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return "no torch"


def read_page(text: str, fmt: str = "py:percent"):
    """A percent script as a notebook, without the cells not meant for this machine."""
    import jupytext

    notebook = jupytext.reads(text, fmt=fmt)
    has_torch = _optional_torch_version() != "no torch"
    drop = "without-torch" if has_torch else "with-torch"
    notebook.cells = [cell for cell in notebook.cells
                      if drop not in cell.metadata.get("tags", [])]
    return notebook


def execution_cache_dir(root: Path) -> Path:
    """``_build/.jupyter_cache/<key>`` (nothing is created or removed here)."""
    return root / "_build" / ".jupyter_cache" / execution_cache_key(root)


def kernel_environment(root: Path) -> dict[str, str]:
    """Environment the page kernels inherit from the Sphinx process.

    tinytorch and this folder's kernel extension importable without
    installation, the kernel configuration, a fixed hash seed and source date,
    one BLAS thread.
    """
    inherited = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    path = [str(root), str(HERE), *inherited]
    return {
        "PYTHONPATH": os.pathsep.join(dict.fromkeys(path)),
        "IPYTHONDIR": str(root / "_build" / ".ipython"),
        "PYTHONHASHSEED": "0",
        "SOURCE_DATE_EPOCH": "0",
        # One BLAS thread per kernel: with -j pages run side by side, and on a
        # small machine multi-threaded BLAS on small matrices is slower and its
        # times swing tenfold under load (training cells went from 2 s to 60 s).
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def prepare_kernels(app, config) -> None:
    """Write the kernel configuration and export the kernels' environment."""
    environment = kernel_environment(Path(app.srcdir))
    kernel_config = (Path(environment["IPYTHONDIR"]) / "profile_default"
                     / "ipython_kernel_config.py")
    kernel_config.parent.mkdir(parents=True, exist_ok=True)
    if not kernel_config.exists() or kernel_config.read_text() != KERNEL_CONFIG:
        kernel_config.write_text(KERNEL_CONFIG)
    # ipykernel picks the inline backend when MPLBACKEND is unset; an inherited
    # MPLBACKEND=Agg (as in headless test runs) would leave pages without figures.
    os.environ.pop("MPLBACKEND", None)
    os.environ.update(environment)


def prepare_cache(app) -> None:
    """Drop caches of other keys; create this key's folder and database.

    Created here, before reading forks, because two ``-j`` workers executing
    their first notebook would race to create them (FileExistsError).
    """
    config = getattr(app.env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache":
        return
    current = Path(config.execution_cache_path)
    if current.parent.is_dir():
        for old in current.parent.iterdir():
            if old != current and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    from jupyter_cache import get_cache

    get_cache(str(current)).db  # creates folder and tables


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


def reread_failed(app, env, added, changed, removed) -> list[str]:
    """Pages whose last execution failed: read (and so run) them again."""
    metadata = getattr(env, "nb_metadata", {})
    return sorted(doc for doc, data in metadata.items()
                  if doc in env.found_docs and doc not in added | changed
                  and not (data.get("exec_data") or {}).get("succeeded", True))


def setup(app):
    app.setup_extension("myst_nb")
    app.connect("config-inited", prepare_kernels)
    app.connect("builder-inited", prepare_cache, priority=900)  # after myst-nb's
    app.connect("env-before-read-docs", spread_examples)
    app.connect("env-get-outdated", reread_failed)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
