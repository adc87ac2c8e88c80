"""Printed output as a reader of the cell would see it in a terminal.

myst-nb's ``nb_merge_streams`` joins *all* stdout chunks of a cell into its
first one, so text printed after a figure lands above the figure. conf.py
leaves it off, and this extension (a ``doctree-read`` handler) merges only
*adjacent* chunks of the same stream, keeping outputs in the order the cell
produced them, and then applies carriage returns and backspaces as a terminal
does: a progress line rewritten with ``\\r`` shows its final state only.
"""

from __future__ import annotations

from docutils import nodes

STREAMS = ("stream", "stderr")  # the classes myst-nb gives stdout and stderr blocks


def terminal_text(text: str) -> str:
    """What a terminal shows for ``text``: ``\\r`` returns to the line's start, ``\\b`` steps back."""
    lines = []
    for line in text.split("\n"):
        shown: list[str] = []
        column = 0
        for char in line:
            if char == "\r":
                column = 0
            elif char == "\b":
                column = max(column - 1, 0)
            else:
                shown[column:column + 1] = [char]
                column += 1
        lines.append("".join(shown))
    return "\n".join(lines)


def _stream(node) -> str | None:
    if isinstance(node, nodes.literal_block):
        for name in STREAMS:
            if name in node["classes"]:
                return name
    return None


def _with_text(block: nodes.literal_block, text: str) -> nodes.literal_block:
    new = block.deepcopy()
    new.rawsource = text
    new.children = []
    new += nodes.Text(text)
    return new


def merge_adjacent_streams(app, doctree) -> None:
    for output in list(doctree.findall(nodes.container)):
        if output.get("nb_element") != "cell_code_output":
            continue
        merged: list[nodes.Node] = []
        for child in output.children:
            name = _stream(child)
            if name and merged and _stream(merged[-1]) == name:
                merged[-1] = _with_text(merged[-1], merged[-1].astext() + child.astext())
            else:
                merged.append(child)
        for index, child in enumerate(merged):
            if _stream(child) and ("\r" in child.astext() or "\b" in child.astext()):
                merged[index] = _with_text(child, terminal_text(child.astext()))
        output.children = []
        output.extend(merged)


def setup(app):
    app.connect("doctree-read", merge_adjacent_streams)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
