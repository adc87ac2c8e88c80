"""Sphinx configuration of the tinytorch site.

The repository root is Sphinx's source folder: prose pages live in ``docs/``,
the executed examples (jupytext ``py:percent`` scripts) in ``examples/``.
Machinery beyond plain settings lives in ``docs/_ext/``, one concern per file:
``tinytorch_execution`` (cache key, kernel environment), ``tinytorch_kernel``
(loaded into each kernel), ``tinytorch_streams`` (printed output in order),
``tinytorch_api`` (re-exported names, API page context), ``tinytorch_outputs``
(removed pages leave no output), ``tinytorch_mathjax`` (offline MathJax),
``tinytorch_downloads`` (executed notebooks), ``tinytorch_gallery`` (the
example gallery) and ``tinytorch_figures`` (figure alt text).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT / "docs" / "_ext")]  # tinytorch without install

import tinytorch_execution  # noqa: E402

project = "tinytorch"
author = "The tinytorch authors"
copyright = "2026, The tinytorch authors"

# -- Sources ------------------------------------------------------------------
root_doc = "docs/index"
include_patterns = ["docs/**", "examples/*.py"]
# Excluding the big folders also keeps Sphinx from walking them (1.4 s of .venv).
exclude_patterns = [
    "_build", ".*", "tinytorch", "tests", "benchmarks", "requirements",
    "conf.py", "docs/_ext/**", "docs/_templates/**", "examples/_*",
]
templates_path = ["docs/_templates"]

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
    "tinytorch_execution",
    "tinytorch_streams",
    "tinytorch_api",
    "tinytorch_outputs",
    "tinytorch_mathjax",
    "tinytorch_downloads",
    "tinytorch_gallery",
    "tinytorch_figures",  # computed alt text of tinytorch.viz figures -> <img alt>
    "tinytorch_web",  # reading times, API index, meta descriptions, a11y and weight fixes
]

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# -- Executing the examples -----------------------------------------------------
# Each examples/*.py is read as a notebook and run in a kernel. A failing cell
# is a warning naming the page, with the cell and its traceback (-W fails the
# build; myst-nb's raise_on_error would lose that log under -j). The cache
# folder's name is a hash of tinytorch/, benchmarks/, the files under examples/
# that are not pages, the lock file, torch's version and the kernel
# configuration, so outputs of an older library or data are never shown.
# NB_EXECUTION_MODE=force re-runs everything.
# Pages are jupytext percent scripts; cells tagged with-torch / without-torch
# are kept only where PyTorch is / is not installed (tinytorch_execution).
nb_custom_formats = {".py": ["tinytorch_execution.read_page", {"fmt": "py:percent"}]}
nb_execution_mode = os.environ.get("NB_EXECUTION_MODE", "cache")
nb_execution_cache_path = str(tinytorch_execution.execution_cache_dir(ROOT))
nb_execution_timeout = 120  # seconds per cell
nb_execution_raise_on_error = False
nb_execution_show_tb = True

# -- What the executed cells show ---------------------------------------------------
# Anything on stderr (a Python warning, a figure left undisplayed: see
# docs/_ext/tinytorch_kernel.py) is an error naming page and cell; a cell that
# means to show it sets `# %% mystnb={"output_stderr": "show"}`.
nb_output_stderr = "error"
# Streams are not merged across a figure: tinytorch_streams merges only adjacent
# chunks and applies carriage returns, as a terminal shows them.
nb_merge_streams = False
nb_scroll_outputs = True  # long outputs scroll inside a bounded box (24em)

# -- API reference ----------------------------------------------------------------
# One page per public module of tinytorch (docs/api/index.md, autosummary
# :recursive:, template docs/_templates/autosummary/module.rst), generated
# into docs/api/generated/.
autosummary_generate = True
autosummary_ignore_module_all = True  # each object once, where it is defined
autodoc_default_options = {"show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"  # no lists of undocumented params
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_param = False  # types are prose ("Tensor of shape (N, C)"), not references
napoleon_custom_sections = [("Shape", "params_style")]

# -- Every reference resolves -----------------------------------------------------
# nitpicky: a reference whose target is missing fails the build instead of
# rendering as plain code. Re-exported names (tinytorch.Tensor) resolve through
# tinytorch_api. Ignored, and why:
nitpicky = True
nitpick_ignore_regex = [
    # Other libraries: the site is built offline, without intersphinx inventories.
    (r"py:.*", r"(numpy|np|matplotlib|os|collections|typing|pathlib)(\..*)?"),
    # Words of the NumPy docstring convention for types, not Python objects, and
    # type descriptions in prose ("dict of str to list"): a name with a space
    # is never an object.
    (r"py:class", r"array|array_like|array-like|ndarray|sequence|iterable|"
                  r"callable|number|scalar|dtype|.*\s.*"),
    # Private names (a part starting with "_") have no page by design.
    (r"py:.*", r"(.+\.)?_[^.]+(\..+)?"),
]
nitpick_ignore = [
    # tinytorch.text's tokenizers inherit fit() from the private _Tokenizer, so
    # it has no entry of its own; remove once the library documents it.
    ("py:meth", "fit"),
]

# -- Doctests (make html runs the doctest builder on the same doctrees) -----------
doctest_test_doctest_blocks = "default"

# -- HTML output ------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "tinytorch"
html_static_path = ["docs/_static"]
html_favicon = "docs/_static/favicon.svg"  # else browsers ask for /favicon.ico
html_additional_pages = {"index": "redirect.html"}  # _build/html/index.html
html_last_updated_fmt = None
html_context = {"default_mode": "light"}  # an empty mode logs a console error
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
    # The theme's header buttons, with `download` on the .py/.ipynb links.
    "article_header_end": ["tt-header-buttons.html"],
}
# MathJax 3 served from _static (copied from the django-static-mathjax wheel).
mathjax_path = "mathjax/tex-mml-chtml.js"
# No MathJax menu: it put every formula in the tab order (116 tab stops on the
# attention page) and its accessibility items load files the site does not
# ship. Formulas keep their hidden MathML for screen readers. Lazy typesetting
# (MathJax's ui/lazy, shipped): a formula is typeset when it scrolls into
# view, so a long page does not spend seconds on formulas nobody sees yet.
mathjax3_config = {  # myst-parser adds the classes to process
    "loader": {"load": ["ui/lazy"]},
    "options": {"enableMenu": False},
}
copybutton_exclude = ".linenos, .gp, .go"
