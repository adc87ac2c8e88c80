"""Every number a page's prose states comes from that page's code (issue #13).

A page's prose is its markdown cells and its figure captions. Each decimal
number in it (``0.33``, ``2.6e-2``, ``1e-3``) and each percentage (``44 %``)
must be one of:

- a *result*: it rounds a number the page's execution shows, a printed or
  displayed output (text, HTML, stream) or a glued value, at the precision the
  prose writes (``0.33`` matches an output ``0.3312``; ``44 %`` matches ``44.1``
  or ``0.4412``); so the sentence goes stale, and this test fails, when the
  computation changes;
- an *input*: it equals a number literal in the page's own code cells (a
  hyperparameter the code sets, a threshold an assert states: prose ``99 %``
  and ``assert acc >= 0.99``), which the reader can see in the code.

A number in a ``{glue:text}`` role is computed by definition, so glue roles are
not scanned; nor is what ``EXCEPTIONS`` lists, the one place for text that
looks like a number but states no result. The scan reads the executed
notebooks of the ``site`` build (conftest.py), so it adds no build of its own.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from decimal import Decimal
from html import unescape
from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache

from conftest import DOC_PAGES, EXAMPLES, ROOT

sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import tinytorch_execution  # noqa: E402

# Spans of prose removed before the scan, each with why it states no result. Math is
# scanned: a formula's constants are integers and symbols, and a decimal inside math
# ($\eta = 0.02$, $\approx 0.032$) is a value like any other.
EXCEPTIONS = [
    ("code blocks", "fenced code: code, not prose (a directive's body, an admonition's or "
     "a math block's, is scanned; its option lines are not)"),
    (r"\{glue(?::\w+)?\}`[^`]*`", "glue roles: the value is computed"),
    (r"\{(?!math\})[\w:-]+\}`[^`]*`", "other roles but {math} ({doc}, {py:func}): references"),
    (r"(?<!\})`[^`]*`", "code spans: code, not prose"),
    (r"\]\([^)]*\)", "link targets"),
    (r"<?https?://\S+", "addresses"),
    (r"\barXiv:\s*\d{4}\.\d{4,5}", "arXiv identifiers"),
    (r"\b\d+\.\d+\.\d+\w*", "version numbers (2.13.0)"),
    (r"\b(?:Python|PyTorch|NumPy|torch|Sphinx|myst-nb|version)\s+\d+(?:\.\d+)*",
     "a named tool's version"),
    (r"§\s*\d+(?:\.\d+)*", "section numbers"),
]

CODE_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode", "literalinclude"}
FENCE = re.compile(r"\s*(`{3,}|~{3,})\s*(\{[\w:-]+\})?\s*(\S*)")


def without_code_blocks(text: str) -> str:
    """``text`` without fenced code, and without directive fences and option lines."""
    kept, fences = [], []  # fences: the open fences, (marker, holds code)
    for line in text.splitlines():
        fence = FENCE.match(line)
        closes = (fence and fences and not fence.group(2) and not fence.group(3)
                  and fence.group(1)[0] == fences[-1][0][0]
                  and len(fence.group(1)) >= len(fences[-1][0]))
        if closes:
            fences.pop()
        elif fences and fences[-1][1]:
            continue
        elif fence:
            directive = (fence.group(2) or "").strip("{}")
            fences.append((fence.group(1), not directive or directive in CODE_DIRECTIVES))
            if not fences[-1][1]:
                kept.append(line[fence.end(2):])  # a directive's argument (a title) is prose
        elif not (fences and re.match(r"\s*:[\w-]+:", line)):
            kept.append(line)
    return "\n".join(kept)


# A decimal (0.33, .5, 2.6e-2, 1e-3) or a whole or decimal percentage (44 %, 88.3%).
NUMBER = re.compile(
    r"(?<![\w.])(\d*\.\d+(?:[eE][-+−]?\d+)?|\d+[eE][-+−]?\d+|\d+(?:\.\d+)?(?=\s*%))(\s*%)?(?![\w])")
# Numbers in outputs: anything numeric, signs dropped (prose writes "falls by 0.3").
OUTPUT_NUMBER = re.compile(r"\d*\.?\d+(?:[eE][-+]?\d+)?")


def prose_of(nb: dict) -> list[tuple[str, str]]:
    """(where, text) for each markdown cell and each figure caption."""
    texts = []
    for index, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            texts.append((f"markdown cell {index}", source))
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if figure.get("caption"):
            texts.append((f"caption of cell {index}", figure["caption"]))
    return texts


def prose_numbers(text: str) -> list[tuple[str, Decimal, bool, str]]:
    """(as written, value, is a percentage, context) for each number the prose states."""
    for pattern, _reason in EXCEPTIONS:
        if pattern == "code blocks":
            text = without_code_blocks(text)
        else:
            text = re.sub(pattern, " ", text, flags=re.S)
    found = []
    for match in NUMBER.finditer(text):
        written = match.group(1).replace("−", "-")
        context = " ".join(text[max(0, match.start() - 50):match.end() + 30].split())
        found.append((match.group(0).strip(), Decimal(written), bool(match.group(2)), context))
    return found


def output_text(nb: dict) -> str:
    """What the execution shows or glues: stream, text, HTML (tags dropped), glue, figure alt text."""
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append("".join(out["text"]))
            for mime, value in out.get("data", {}).items():
                if mime.startswith("image/"):
                    continue
                value = "".join(value) if isinstance(value, list) else str(value)
                if "html" in mime:
                    value = unescape(re.sub(r"<[^>]+>", " ", value))
                parts.append(value)
            for meta in out.get("metadata", {}).values():  # a figure's computed alt text
                if isinstance(meta, dict) and isinstance(meta.get("alt"), str):
                    parts.append(meta["alt"])
    return "\n".join(parts)


def code_literals(nb: dict) -> set[Decimal]:
    """The number literals of the page's code cells (comments and strings excluded)."""
    values = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        try:
            tokens = [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
                      if t.type == tokenize.NUMBER]
        except (tokenize.TokenError, SyntaxError):
            tokens = re.findall(r"(?<![\w.])\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?", source)
        for token in tokens:
            token = token.replace("_", "").rstrip("jJ")
            try:
                values.add(Decimal(token))
            except ArithmeticError:
                continue
    return values


def is_result(value: Decimal, percent: bool, shown: list[Decimal]) -> bool:
    """``value`` rounds one of ``shown`` at the precision it is written with."""
    half = Decimal(1).scaleb(value.as_tuple().exponent) / 2
    targets = [value, value / 100] if percent else [value]
    scales = [half, half / 100] if percent else [half]
    return any(abs(number - target) <= scale * Decimal("1.000001")
               for target, scale in zip(targets, scales) for number in shown)


def is_input(value: Decimal, percent: bool, literals: set[Decimal]) -> bool:
    """``value`` is a number the code writes literally (a percentage: as a fraction)."""
    return value / 100 in literals if percent else value in literals


def unexplained_numbers(nb: dict) -> list[str]:
    """Each prose number that is neither a shown result nor a literal input, with its context."""
    shown = sorted({Decimal(n) for n in OUTPUT_NUMBER.findall(output_text(nb))})
    literals = code_literals(nb)
    bad = []
    for where, text in prose_of(nb):
        for written, value, percent, context in prose_numbers(text):
            if not (is_result(value, percent, shown) or is_input(value, percent, literals)):
                bad.append(f"{where}: {written!r} in '…{context}…'")
    return bad


def executed(site: Path, script: Path) -> dict:
    """The page as the build executed it (myst-nb's copy, with outputs from the cache).

    In cache mode myst-nb writes ``jupyter_execute/<page>.ipynb`` without the
    outputs it took from the execution cache; they are merged back in, as
    ``docs/_ext/tinytorch_downloads.py`` does for the download menu.
    """
    folder = script.parent.relative_to(ROOT)
    path = site.parent / "jupyter_execute" / folder / f"{script.stem}.ipynb"
    assert path.exists(), f"the build wrote no executed notebook for {script.name}"
    nb = nbformat.read(path, as_version=4)
    if not any(cell.get("outputs") for cell in nb.cells):
        cache = get_cache(str(tinytorch_execution.execution_cache_dir(ROOT)))
        _, nb = cache.merge_match_into_notebook(nb)
    assert any(cell.get("outputs") for cell in nb.cells), f"{script.name}: no outputs found"
    return nb


PAGES = EXAMPLES + DOC_PAGES


@pytest.mark.site
@pytest.mark.parametrize("script", PAGES, ids=[f"{p.parent.name}/{p.stem}" for p in PAGES])
def test_every_number_in_the_prose_is_computed_or_an_input(site, script):
    bad = unexplained_numbers(executed(site, script))
    assert not bad, (f"{script.relative_to(ROOT)}: numbers typed in the prose that no output, glue "
                     f"value or code literal of the page gives (glue them):\n" + "\n".join(bad))


# -- the scan itself, on a planted notebook (no build) ---------------------------------


def notebook(markdown: str, code: str = "", outputs: list | None = None, caption: str = "") -> dict:
    metadata = {"mystnb": {"figure": {"caption": caption}}} if caption else {}
    return {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": markdown},
        {"cell_type": "code", "metadata": metadata, "source": code, "outputs": outputs or []},
    ]}


def stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def glued(value: str) -> dict:
    return {"output_type": "display_data", "metadata": {"scrapbook": {"name": "k"}},
            "data": {"application/papermill.record/text/plain": value}}


@pytest.mark.parametrize("markdown,code,outputs,caption", [
    ("Accuracy reaches 0.87.", "", [stream("acc 0.8712\n")], ""),
    ("Accuracy reaches 87 %.", "", [stream("acc 0.8712\n")], ""),
    ("Accuracy reaches 87.1%.", "", [glued("87.12")], ""),
    ("A loss of 2.6e-2 at L = 64.", "", [stream("2.61e-02")], ""),
    ("The learning rate is 0.05 and we ask for 99 %.", "lr = 0.05\nassert acc >= 0.99", [], ""),
    ("Steps: 1e-3 each.", "step = 0.001", [], ""),
    ("It reaches {glue:text}`acc:.2f`; `y = 0.25`; $x = 0.5$.", "x = 0.5", [], ""),
    ("Built with PyTorch 2.13.0 and Python 3.11 (see arXiv:1706.03762).", "", [], ""),
    ("The [paper](https://example.org/v1.5) says so.", "", [], ""),
    ("At $\\eta = 0.02$ it converges:\n\n```python\nstep(0.7)\n```\n", "eta = 0.02", [], ""),
    ("```{admonition} How to read it\n:class: tip\nThe top line ends at 0.61.\n```\n", "",
     [stream("0.612")], ""),
    ("Measured below.", "", [{"output_type": "execute_result", "execution_count": 1,
                              "data": {"text/html": "<td>0.61</td>"}, "metadata": {}}],
     "Accuracy 0.61 in the caption."),
])
def test_scan_accepts_computed_and_input_numbers(markdown, code, outputs, caption):
    assert unexplained_numbers(notebook(markdown, code, outputs, caption)) == []


@pytest.mark.parametrize("markdown,code,outputs,caption,typed", [
    ("Accuracy reaches 0.87.", "", [stream("acc 0.91\n")], "", "0.87"),
    ("Accuracy reaches 0.871.", "", [stream("acc 0.87\n")], "", "0.871"),
    ("Accuracy reaches 44 %.", "", [stream("acc 0.4312\n")], "", "44 %"),
    ("A loss of 2.6e-2.", "", [stream("2.9e-02")], "", "2.6e-2"),
    ("The rate is 0.05.", "# lr 0.05 in a comment\nprint('0.05')", [], "", "0.05"),
    ("Measured below.", "", [], "Accuracy 0.61 in the caption.", "0.61"),
    ("The step bound is $2/\\lambda \\approx 0.032$.", "", [stream("0.0285")], "", "0.032"),
    ("```{admonition} How to read it\n:class: tip\nThe top line ends at 0.61.\n```\n", "",
     [stream("0.59")], "", "0.61"),
])
def test_scan_flags_a_typed_number(markdown, code, outputs, caption, typed):
    bad = unexplained_numbers(notebook(markdown, code, outputs, caption))
    assert len(bad) == 1 and repr(typed) in bad[0], bad
