"""The docs extension docs/_ext/tinytorch_figures.py: text/plain becomes the image's alt text."""

import os
import sys
from types import SimpleNamespace

import pytest

pytest.importorskip("sphinx")
from docutils import nodes  # noqa: E402
from docutils.utils import new_document  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "_ext"))
import tinytorch_figures  # noqa: E402


def bundle(plain, alt=None):
    image = nodes.image(uri="_images/x.svg", **({"alt": alt} if alt else {}))
    parts = [nodes.container("", image, mime_type="image/svg+xml")]
    if plain is not None:
        parts.append(nodes.container("", nodes.literal_block(plain, plain), mime_type="text/plain"))
    return nodes.container("", *parts, nb_element="mime_bundle"), image


def run(monkeypatch, *bundles, require=False):
    document = new_document("page")
    document.settings.env = SimpleNamespace(
        config=SimpleNamespace(tinytorch_figures_require_alt=require), app=None)
    for b in bundles:
        document += b
    transform = tinytorch_figures.AltTextFromPlainText(document)
    warnings = []
    monkeypatch.setattr(tinytorch_figures.logger, "warning",
                        lambda msg, *args, **kw: warnings.append(msg % args))
    transform.run()
    return warnings


def test_plain_text_becomes_alt_but_not_matplotlib_repr_nor_over_static_alt(monkeypatch):
    described, img1 = bundle("Attention heatmap of 3 queries over 3 keys.")
    default, img2 = bundle("<Figure size 640x480 with 1 Axes>")
    static, img3 = bundle("Computed text.", alt="Static alt.")
    missing, img4 = bundle(None)
    assert run(monkeypatch, described, default, static, missing) == []
    assert img1["alt"] == "Attention heatmap of 3 queries over 3 keys."
    assert "alt" not in img2 and "alt" not in img4
    assert img3["alt"] == "Static alt."


def test_require_alt_warns_for_undescribed_figures(monkeypatch):
    default, _ = bundle("<Figure size 640x480 with 1 Axes>")
    described, _ = bundle("A described figure.")
    warnings = run(monkeypatch, default, described, require=True)
    assert len(warnings) == 1 and "<Figure size 640x480" in warnings[0]


def test_runs_before_myst_nb_drops_text_plain():
    select = pytest.importorskip("myst_nb.sphinx_").SelectMimeType
    assert tinytorch_figures.AltTextFromPlainText.default_priority < select.default_priority


def test_a_captioned_cell_without_a_figure_warns(monkeypatch):
    def cell(caption, *children):
        metadata = {"mystnb": {"figure": {"caption": caption}}} if caption else {}
        return nodes.container("", *children, nb_element="cell_code", cell_metadata=metadata)

    shown, _ = bundle("A described figure.")
    document = new_document("page")
    document.settings.env = SimpleNamespace(config=SimpleNamespace(), app=None)
    document += [cell("Loss per step.", shown), cell("Accuracy per epoch."), cell(None)]
    warnings = []
    monkeypatch.setattr(tinytorch_figures.logger, "warning",
                        lambda msg, *args, **kw: warnings.append(msg % args))
    tinytorch_figures.CaptionedCellsShowAFigure(document).run()
    assert warnings == ["cell with figure caption 'Accuracy per epoch.' displayed no figure"]


def test_alt_in_the_output_metadata_is_found_by_the_image_file_hash(monkeypatch, tmp_path):
    # myst-nb names an image file by the SHA-256 of its bytes and drops the output's
    # metadata "alt"; the extension reads it back from the executed notebook.
    import hashlib
    nbformat = pytest.importorskip("nbformat")
    svg = "<svg xmlns='http://www.w3.org/2000/svg'>\n<rect/>\n</svg>\n"
    output = nbformat.v4.new_output(
        "display_data", data={"image/svg+xml": svg, "text/plain": "Plain text."},
        metadata={"image/svg+xml": {"alt": "From the metadata."}})
    png = nbformat.v4.new_output(  # binary types are hashed after base64 decoding
        "display_data", data={"image/png": "iVBORw0KGgo="},
        metadata={"image/png": {"alt": "A PNG.", "width": 10}})
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[output, png])])
    (tmp_path / "examples").mkdir()
    nbformat.write(notebook, str(tmp_path / "examples" / "page.ipynb"))
    digest = hashlib.sha256(os.linesep.join(svg.splitlines()).encode()).hexdigest()
    png_digest = hashlib.sha256(b"\x89PNG\r\n\x1a\n").hexdigest()
    assert tinytorch_figures.output_metadata_alts(tmp_path / "examples" / "page.ipynb") == {
        digest: "From the metadata.", png_digest: "A PNG."}

    image = nodes.image(uri=f"../_images/{digest}.svg")
    with_metadata = nodes.container(
        "", nodes.container("", image, mime_type="image/svg+xml"),
        nodes.container("", nodes.literal_block("Plain text.", "Plain text."), mime_type="text/plain"),
        nb_element="mime_bundle")
    plain_only, other = bundle("Only plain text.")
    static, static_image = bundle(None, alt="Static alt.")
    static_image["uri"] = image["uri"]
    document = new_document("page")
    document.settings.env = SimpleNamespace(
        config=SimpleNamespace(tinytorch_figures_require_alt=True), app=None,
        docname="examples/page", mystnb_config=SimpleNamespace(output_folder=str(tmp_path)))
    document += [with_metadata, plain_only, static]
    warnings = []
    monkeypatch.setattr(tinytorch_figures.logger, "warning",
                        lambda msg, *args, **kw: warnings.append(msg % args))
    tinytorch_figures.AltTextFromPlainText(document).run()
    assert warnings == []
    assert image["alt"] == "From the metadata."  # metadata beats text/plain
    assert other["alt"] == "Only plain text."
    assert static_image["alt"] == "Static alt."  # the cell's metadata beats both
