"""Sphinx configuration of the tinytorch site.

The repository root is Sphinx's source folder: prose pages live in ``docs/``,
the executed examples (jupytext ``py:percent`` scripts) in ``examples/``.
Machinery beyond plain settings (execution cache key, kernel set-up, offline
MathJax, gallery, notebook downloads, API stubs) is in
``docs/_ext/tinytorch_site.py``.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT / "docs" / "_ext")]  # tinytorch without install

import tinytorch_site  # noqa: E402

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
    "tinytorch_site",
    "tinytorch_figures",  # computed alt text of tinytorch.viz figures -> <img alt>
    "tinytorch_web",  # reading times, API index, meta descriptions, a11y and weight fixes
]

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# -- Executing the examples -----------------------------------------------------
# Each examples/*.py is read as a notebook and run in a kernel; a failing cell
# stops the build with its traceback. The cache folder's name is a hash of
# tinytorch/, the lock file and the kernel configuration, so outputs of an
# older library are never shown. NB_EXECUTION_MODE=force re-runs everything.
nb_custom_formats = {".py": ["jupytext.reads", {"fmt": "py:percent"}]}
nb_execution_mode = os.environ.get("NB_EXECUTION_MODE", "cache")
nb_execution_cache_path = str(tinytorch_site.execution_cache_dir(ROOT))
nb_execution_timeout = 120  # seconds per cell
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
os.environ.update(tinytorch_site.kernel_environment(ROOT))

# -- API reference ----------------------------------------------------------------
# One page per public module of tinytorch, generated into docs/api/generated/.
# To leave a module out, add its dotted name here.
tinytorch_api_exclude = []
autodoc_default_options = {"show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"  # no lists of undocumented params
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_custom_sections = [("Shape", "params_style")]

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
