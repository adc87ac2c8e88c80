"""The executed notebook of each example page, in the theme's download menu.

The book theme offers only the ``.py`` source of a jupytext page. This
``html-page-context`` handler, run before the theme builds its menu (priority
501), copies the executed ``.ipynb`` into ``_sources/`` and sets
``ipynb_source``, so the menu offers it too.
"""

from __future__ import annotations

from pathlib import Path

EXAMPLES_DIR = "examples"


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
    """Put the executed ``.ipynb`` into ``_sources`` and the download menu."""
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


def setup(app):
    app.connect("html-page-context", offer_executed_notebook, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
