"""A table of results: HTML in a notebook or a page, aligned plain text elsewhere."""

from __future__ import annotations

import html
import numbers

import numpy as np


def _is_number(value) -> bool:
    return isinstance(value, (numbers.Number, np.number)) and not isinstance(value, (bool, np.bool_))


def _format(value, spec) -> str:
    if callable(spec):
        return str(spec(value))
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if spec:
        return spec.format(value) if "{" in spec else format(value, spec)
    if isinstance(value, (numbers.Integral, np.integer)):
        return str(int(value))
    if _is_number(value):
        return f"{float(value):.4g}"
    return str(value)


class Table:
    """Rows of results, shown as an HTML table in a page and as aligned text elsewhere.

    Cells hold values, not strings: each column is formatted once (``formats``), numbers
    are right-aligned, booleans read "yes"/"no", and the raw values stay available
    (:attr:`rows`, :meth:`column`) for the page's asserts.

    Parameters
    ----------
    header : sequence of str
        The C column names.
    rows : sequence of sequences
        R rows of C values each (numbers, strings, booleans, anything with ``str``).
    formats : dict, optional
        Per column (its name or index): a format spec (``".3f"``, ``".1%"``, ``",d"``), a
        ``str.format`` template (``"{:.2e} s"``) or a function of the value. Default: ints
        as they are, other numbers with 4 significant digits, booleans as yes/no.
    caption : str, optional
        A caption above the table (an HTML ``<caption>``, read out by screen readers).

    Attributes
    ----------
    header : list of str
    rows : list of list
        The raw values.
    cells : list of list of str
        The formatted values.

    Shape
    -----
    R rows × C columns.

    Raises
    ------
    ValueError
        A row whose length differs from the header's, or a format for an unknown column.

    Examples
    --------
    >>> from tinytorch import viz
    >>> table = viz.Table(["d_k", "variance", "agrees"],
    ...                   [[4, 4.12, True], [64, 63.9, True], [256, 261.37, False]],
    ...                   formats={"variance": ".1f"})
    >>> print(table)
    d_k  variance  agrees
      4       4.1  yes
     64      63.9  yes
    256     261.4  no
    >>> table.column("variance")
    [4.12, 63.9, 261.37]
    >>> table._repr_html_().startswith('<table class="tinytorch-table">')
    True
    """

    def __init__(self, header, rows, *, formats=None, caption=None):
        self.header = [str(name) for name in header]
        self.rows = [list(row) for row in rows]
        self.caption = caption
        width = len(self.header)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"Table: row {i} has {len(row)} cells but the header has {width} "
                                 f"columns ({', '.join(self.header)})")
        specs = [None] * width
        for key, spec in (formats or {}).items():
            index = key if isinstance(key, int) else self._index(key)
            if not 0 <= index < width:
                raise ValueError(f"Table: format for column {key!r}, but there are {width} columns")
            specs[index] = spec
        self.cells = [[_format(v, s) for v, s in zip(row, specs)] for row in self.rows]
        self._numeric = [bool(self.rows) and all(_is_number(row[j]) for row in self.rows)
                         for j in range(width)]

    @classmethod
    def from_columns(cls, columns: dict, *, formats=None, caption=None) -> "Table":
        """A table from ``{name: values}`` (all of one length R), one column per entry.

        Examples
        --------
        >>> from tinytorch import viz
        >>> print(viz.Table.from_columns({"L": [8, 64], "ms": [0.0123, 0.5]},
        ...                              formats={"ms": ".3f"}))
         L     ms
         8  0.012
        64  0.500
        """
        lengths = {name: len(values) for name, values in columns.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"Table.from_columns: columns differ in length: {lengths}")
        values = [list(np.asarray(v).tolist()) if isinstance(v, np.ndarray) else list(v)
                  for v in columns.values()]
        return cls(list(columns), list(zip(*values)), formats=formats, caption=caption)

    def _index(self, name: str) -> int:
        try:
            return self.header.index(name)
        except ValueError:
            raise ValueError(f"Table: no column {name!r}; columns: {', '.join(self.header)}") from None

    def column(self, name) -> list:
        """The raw values of one column (by name or index)."""
        index = name if isinstance(name, int) else self._index(name)
        return [row[index] for row in self.rows]

    def _repr_html_(self) -> str:
        right = ' style="text-align: right"'

        def cells(tag, row):
            return "".join(f"<{tag}{right if numeric else ''}>{html.escape(c)}</{tag}>"
                           for c, numeric in zip(row, self._numeric))
        body = "".join(f"<tr>{cells('td', row)}</tr>" for row in self.cells)
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (f'<table class="tinytorch-table">{caption}<thead><tr>{cells("th", self.header)}'
                f"</tr></thead><tbody>{body}</tbody></table>")

    def __str__(self) -> str:
        lines = [self.header, *self.cells]
        widths = [max(len(row[j]) for row in lines) for j in range(len(self.header))]
        text = "\n".join("  ".join(c.rjust(w) if numeric else c.ljust(w)
                                   for c, w, numeric in zip(row, widths, self._numeric)).rstrip()
                         for row in lines)
        return f"{self.caption}\n{text}" if self.caption else text

    __repr__ = __str__
