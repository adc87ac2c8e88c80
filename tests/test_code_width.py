"""Code on the pages fits the code column: at most 72 characters a line.

A code cell shows about 73 characters at 1200 px before it scrolls, so a
longer line hides its end. Counted: the lines of code cells in the page
scripts (examples/*.py, docs/*.py); not the prose of markdown cells, the
jupytext header or the ``# %%`` cell markers (a reader sees none of those as
code).
"""

from __future__ import annotations

import pytest

from conftest import DOC_PAGES, EXAMPLES

LIMIT = 72
SCRIPTS = EXAMPLES + DOC_PAGES


def long_code_lines(text: str, limit: int = LIMIT) -> list[tuple[int, int]]:
    """(line number, length) of each code-cell line longer than ``limit``."""
    out, in_code, header = [], False, False
    for number, line in enumerate(text.splitlines(), 1):
        if number == 1 and line.strip() == "# ---":
            header = True
            continue
        if header:
            header = line.strip() != "# ---"
            continue
        if line.startswith("# %%"):
            in_code = "[markdown]" not in line and "[md]" not in line
            continue
        if in_code and len(line) > limit:
            out.append((number, len(line)))
    return out


def test_long_line_counter():
    text = ("# ---\n# " + "h" * 90 + "\n# ---\n# %% [markdown]\n# " + "p" * 90
            + "\n\n# %% tags=[\"" + "t" * 80 + "\"]\n" + "x" * 72 + "\n" + "y" * 73 + "\n")
    assert long_code_lines(text) == [(9, 73)]


def test_code_lines_fit_the_code_column():
    too_long = {p.name: long_code_lines(p.read_text(encoding="utf-8")) for p in SCRIPTS}
    too_long = {name: lines for name, lines in too_long.items() if lines}
    assert not too_long, f"code lines over {LIMIT} characters (line, length): {too_long}"


def test_figure_cells_hide_their_plotting_code():
    # Issue 18: plotting code stays out of the reading path behind myst-nb's
    # "show code" toggle; a captioned figure cell carries the hide-input tag.
    bare = {p.name: [line[:60] for line in p.read_text(encoding="utf-8").splitlines()
                     if line.startswith("# %%") and '"figure"' in line and "hide-input" not in line]
            for p in EXAMPLES}
    bare = {name: lines for name, lines in bare.items() if lines}
    assert not bare, f"figure cells without the hide-input tag: {bare}"
