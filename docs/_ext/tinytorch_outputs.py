"""A rebuild publishes only the pages that exist now.

Sphinx never deletes output: after a page is removed or renamed, its HTML, its
sources, its executed notebook and its figures stay in ``_build`` and are
published with the rest, and myst-nb's execution report (``{nb-exec-table}``)
is not rebuilt. Two hooks fix that:

- ``env-get-outdated``: when a page was removed, re-read the pages holding an
  execution report, so the report lists exactly the current pages.
- ``build-finished``: delete the HTML, ``_sources`` and ``jupyter_execute``
  files of every page that no longer exists, and every file in ``_images``
  that no current page shows.
"""

from __future__ import annotations

from pathlib import Path

EXEC_TABLE_KEY = "has_exec_table"  # myst_nb.ext.execution_tables.METADATA_KEY


def refresh_exec_report(app, env, added, changed, removed) -> list[str]:
    if not removed:
        return []
    metadata = getattr(env, "nb_metadata", {})
    return sorted(doc for doc, data in metadata.items()
                  if data.get(EXEC_TABLE_KEY) and doc in env.found_docs)


def _page_of(relative: str, current: set[str]) -> str | None:
    """The current page a file belongs to (``examples/x.py.txt`` -> ``examples/x``)."""
    name = relative
    while True:
        if name in current:
            return name
        head, dot, _ = name.rpartition(".")
        if not dot or "/" in name[len(head):]:
            return None
        name = head


def remove_vanished_outputs(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    env, outdir = app.env, Path(app.outdir)
    current = set(env.all_docs)
    folders = {doc.split("/")[0] for doc in current if "/" in doc}
    # Every page lives in one of these folders (Sphinx's own pages do not); the
    # executed notebooks' folder also holds figures, of which only the
    # notebooks are per page.
    places = [(outdir, "*.html"), (outdir / "_sources", "*"),
              (outdir.parent / "jupyter_execute", "*.ipynb")]
    for base, pattern in places:
        for folder in folders:
            for path in list((base / folder).rglob(pattern)):
                relative = path.relative_to(base).as_posix()
                if path.is_file() and _page_of(relative, current) is None:
                    path.unlink()
    shown = {unique for _, unique in env.images.values()}
    images = outdir / "_images"
    if images.is_dir():
        for path in images.iterdir():
            if path.is_file() and path.name not in shown:
                path.unlink()


def setup(app):
    app.connect("env-get-outdated", refresh_exec_report)
    app.connect("build-finished", remove_vanished_outputs)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
