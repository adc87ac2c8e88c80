"""What a reader would see wrong makes the build fail or render right (issue #19).

Every trigger is planted in ONE tiny scratch copy of the site (the project's
conf.py and docs/_ext, a two-page docs folder, the pages written below), built
twice: once as written, once after removing a page and editing a data file.
Each test reads that build's exit status, log or HTML. A failing cell and the
fatal-for-the-page triggers are not fatal to the build (``--keep-going``), so
they share it too.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, sphinx

pytestmark = pytest.mark.site

API_PAGE = """\
API for the planted references
==============================

.. automodule:: tinytorch.core.tensor
   :members: Tensor

.. automodule:: tinytorch.core.layers
   :members: Linear
"""

INDEX = """\
# Scratch

```{example-gallery}
```

```{toctree}
:glob:

api
execution
../examples/*
```
"""

EXECUTION = "# Execution report\n\n```{nb-exec-table}\n```\n"


def page(title: str, *cells: str) -> str:
    """A jupytext percent script: a title cell, then ``cells`` (each starting with its ``# %%`` line)."""
    return f"# %% [markdown]\n# # {title}\n#\n# Planted.\n\n" + "\n\n".join(cells) + "\n"


PAGES = {
    # 1. a warning on stderr fails; a cell that opts in shows its stderr
    "warns": page(
        "Warns",
        "# %%\nimport warnings\nwarnings.warn('planted warning')",
        '# %% mystnb={"output_stderr": "show"}\nimport sys\n'
        "print('shown on purpose', file=sys.stderr)",
    ),
    # 2. broken references, a reST role in Markdown, re-exported names
    "refs": page(
        "Refs",
        "# %% [markdown]\n# Missing: {py:func}`tinytorch.no_such`.\n"
        "# reST in Markdown: :class:`tinytorch.Tensor`.\n"
        "# Re-exported: {py:class}`tinytorch.Tensor`, {py:class}`tinytorch.Linear`,\n"
        "# {py:meth}`tinytorch.Tensor.backward`.",
    ),
    # 3. text printed after a figure stays after it
    "order": page(
        "Order",
        "# %%\nimport matplotlib.pyplot as plt\nimport tinytorch.viz as viz\n"
        "print('BEFORE')\nfig, ax = plt.subplots()\nax.plot([0, 1])\n"
        "viz.show(fig, alt='a rising line')\nprint('AFTER')",
    ),
    # 4. a figure drawn but never displayed
    "undisplayed": page(
        "Undisplayed",
        "# %%\nimport matplotlib\nimport matplotlib.pyplot as plt\n"
        "import tinytorch.viz as viz\nfig0, ax0 = plt.subplots()\n"
        "ax0.plot([1, 1])\nviz.show(fig0, alt='a flat line')",
        "# %%\nwith plt.ioff():  # interactive mode off: not shown\n"
        "    fig, ax = plt.subplots()\n    ax.plot([0, 1])",
        '# %% tags=["thumbnail"]\nfig2, ax2 = plt.subplots()\n'
        "ax2.plot([1, 0])\nviz.show(fig2, alt='a falling line')",
    ),
    # 5. a long output
    "long": page("Long", "# %%\nfor i in range(300):\n    print('line', i)"),
    # 8. progress written with carriage returns
    "progress": page(
        "Progress",
        "# %%\nimport time\nfor i in range(1, 6):\n"
        "    print(f'\\rstep {i}/5', end='', flush=True)\n    time.sleep(0.05)\nprint()",
    ),
    # 7. a page that reads a file under examples/ that is not a page
    "reads": page("Reads", "# %%\nprint('value:', open('_data/value.txt').read())"),
    # 6. a page removed before the second build; it shows a figure
    "gone": page(
        "Gone",
        "# %%\nimport matplotlib.pyplot as plt\nimport tinytorch.viz as viz\n"
        "fig, ax = plt.subplots()\nax.plot([2, 3])\nviz.show(fig, alt='a gone line')",
    ),
    # a failing cell: the build fails naming the page, the cell and the error
    "broken": page("Broken", "# %%\nvalue = 1", "# %%\nassert value == 2, 'the claim is wrong'"),
}


def tiny_site(base: Path) -> Path:
    """The project's configuration and site machinery, with a two-page docs folder."""
    proj = base / "proj"
    ignore = shutil.ignore_patterns("__pycache__", "generated")
    shutil.copytree(ROOT / "tinytorch", proj / "tinytorch", ignore=ignore)
    shutil.copytree(ROOT / "requirements", proj / "requirements")
    for name in ("_ext", "_templates", "_static"):
        shutil.copytree(ROOT / "docs" / name, proj / "docs" / name, ignore=ignore)
    shutil.copy2(ROOT / "conf.py", proj / "conf.py")
    (proj / "docs" / "index.md").write_text(INDEX)
    (proj / "docs" / "execution.md").write_text(EXECUTION)
    (proj / "docs" / "api.rst").write_text(API_PAGE)
    (proj / "examples" / "_data").mkdir(parents=True)
    return proj


class Build:
    """One build's exit status and log, and its pages and figures as they were then."""

    def __init__(self, proj: Path, done):
        self.proj, self.returncode = proj, done.returncode
        self.log = done.stdout + done.stderr
        self.html = proj / "_build" / "html"
        self.pages = {p.stem: p.read_text() for p in (self.html / "examples").glob("*.html")}
        self.images = {p.name for p in (self.html / "_images").iterdir()}

    def page(self, name: str) -> str:
        return self.pages[name]

    def log_for(self, name: str) -> str:
        return "\n".join(line for line in self.log.splitlines() if f"{name}.py" in line)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The scratch site built as planted, then rebuilt after removing and editing."""
    proj = tiny_site(tmp_path_factory.mktemp("checks"))
    for name, text in PAGES.items():
        (proj / "examples" / f"{name}.py").write_text(text)
    (proj / "examples" / "_data" / "value.txt").write_text("first")

    def build():
        return Build(proj, sphinx("html", proj, proj / "_build" / "html",
                                  proj / "_build" / "doctrees", "-j", "2"))

    first = build()
    (proj / "examples" / "gone.py").unlink()
    (proj / "examples" / "_data" / "value.txt").write_text("second")
    second = build()
    return first, second


def test_failing_cell_fails_the_build_naming_page_cell_and_error(builds):
    first, second = builds
    assert first.returncode != 0
    log = first.log_for("broken")
    assert "Executing notebook failed" in log, first.log[-3000:]
    assert "assert value == 2" in first.log and "AssertionError" in first.log
    assert second.returncode != 0, "an incremental rebuild passed a failing page unread"
    assert "assert value == 2" in second.log


def test_1_stderr_fails_unless_the_cell_opts_in(builds):
    first, _ = builds
    log = first.log_for("warns")
    assert re.search(r"warns\.py:\d+: ERROR: stderr was found in the cell outputs of cell 2",
                     log), log or first.log[-3000:]
    assert "cell 3" not in log, "the opted-in cell was reported"
    assert "shown on purpose" in first.page("warns")


def test_2_broken_references_fail_and_reexported_names_resolve(builds):
    first, _ = builds
    log = first.log_for("refs")
    assert "reference target not found: tinytorch.no_such" in log, log
    assert "reST role :class:`tinytorch.Tensor` in Markdown" in log, log
    assert "tinytorch.Tensor [" not in log and "tinytorch.Linear [" not in log, log
    html = first.page("refs")
    for target in ("tinytorch.core.tensor.Tensor", "tinytorch.core.layers.Linear",
                   "tinytorch.core.tensor.Tensor.backward"):
        assert f'href="../docs/api.html#{target}"' in html, target


def test_3_text_printed_after_a_figure_stays_after_it(builds):
    html = builds[0].page("order")
    output = html[html.index("cell_output"):]
    before, image, after = (output.index(s) for s in ("BEFORE", "<img", "AFTER"))
    assert before < image < after, "outputs are not in the order the cell produced them"


def test_4_undisplayed_figure_fails_naming_page_and_cell(builds):
    first, _ = builds
    log = first.log_for("undisplayed")
    assert re.search(r"undisplayed\.py:\d+: ERROR: stderr was found in the cell outputs of "
                     r"cell 3", log), log or first.log[-3000:]
    assert "cell 2" not in log and "cell 4" not in log, log
    html = first.page("undisplayed")
    assert "left 1 figure(s) open but not displayed" in html
    assert html.count("<img") == 2, "the undisplayed figure turned up under a later cell"


def test_5_long_outputs_scroll_in_a_bounded_box(builds):
    first, _ = builds
    html = first.page("long")
    assert re.search(r'class="cell[^"]*config_scroll_outputs', html)
    css = "".join(p.read_text() for p in (first.html / "_static").glob("mystnb*.css"))
    rule = re.search(r"config_scroll_outputs\s*\)\s*div\.cell_output[^{]*\{([^}]*)\}", css)
    assert rule and "max-height" in rule.group(1) and "overflow-y: auto" in rule.group(1)


def test_6_removed_page_is_not_published_and_leaves_the_report(builds):
    first, second = builds
    gone = first.page("gone")
    assert "a gone line" in gone
    assert "gone" not in second.pages and not (second.html / "examples" / "gone.html").exists()
    assert not list((second.html / "_sources" / "examples").glob("gone*"))
    assert not (second.proj / "_build" / "jupyter_execute" / "examples" / "gone.ipynb").exists()
    report = (second.html / "docs" / "execution.html").read_text()
    assert "examples/reads" in report and "examples/gone" not in report
    gone_images = set(re.findall(r'src="\.\./_images/([^"]+)"', gone))
    assert gone_images and not gone_images & second.images, "the removed page's figure stays"
    shown = set(re.findall(r'src="\.\./_images/([^"]+)"', "".join(second.pages.values())))
    assert second.images == shown, "figures no current page shows are published"


def test_7_a_data_file_under_examples_is_part_of_the_cache_key(builds):
    first, second = builds
    assert "value: first" in first.page("reads")
    assert "value: second" in second.page("reads"), "the page kept outputs of the old file"


def test_8_progress_shows_its_final_state(builds):
    html = builds[0].page("progress")
    output = html[html.index("cell_output"):]
    assert "step 5/5" in output
    assert "step 1/5" not in output and "step 4/5" not in output


def test_9_figure_text_is_outlined_and_described(builds):
    """The decision in docs/contributing_figures.md: outlines, nothing loaded, alt text kept."""
    first, _ = builds
    html = first.page("order")
    src = re.search(r'<img[^>]*src="([^"]+\.svg)"[^>]*alt="a rising line"', html)
    src = src or re.search(r'<img[^>]*alt="a rising line"[^>]*src="([^"]+\.svg)"', html)
    assert src, "the figure is not an SVG with its alt text"
    svg = (first.html / "examples" / src.group(1)).resolve().read_text()
    assert "<path" in svg and "<text" not in svg, "figure text is not drawn as outlines"
    assert "@font-face" not in svg, "the figure would load a font"


def test_gallery_thumbnail_is_chosen_by_the_page(builds):
    """#17: a cell tagged ``thumbnail`` chooses the card's figure; else the first figure."""
    first, _ = builds
    index = (first.html / "docs" / "index.html").read_text()

    def figures(name):
        return re.findall(r'src="\.\./_images/([^"]+)"', first.page(name))

    thumbs = re.findall(r'<a class="reference internal" href="\.\./examples/(\w+)\.html">'
                        r'<img [^>]*src="\.\./_images/([^"]+)"', index)
    thumbs = dict(thumbs)
    assert thumbs.get("undisplayed") == figures("undisplayed")[-1], thumbs
    assert thumbs.get("order") == figures("order")[0], thumbs
