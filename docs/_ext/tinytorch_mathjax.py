"""MathJax 3, offline: the few files a page needs, copied into ``_static``.

conf.py points ``mathjax_path`` at ``mathjax/tex-mml-chtml.js``; after an HTML
build this copies that file and what it loads on demand (fonts, TeX
extensions, menu) from the ``django-static-mathjax`` wheel: 2.6 MB of its
24 MB, so a page loads nothing from another host.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

MATHJAX_PARTS = [
    "tex-mml-chtml.js",
    "output/chtml/fonts/woff-v2",
    "input/tex/extensions",
    "ui",
]  # the speech/a11y parts load only on request


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


def setup(app):
    app.connect("build-finished", copy_mathjax)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
