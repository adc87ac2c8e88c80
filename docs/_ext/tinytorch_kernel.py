"""IPython extension loaded into every page's kernel (``KERNEL_CONFIG``).

After each cell, the inline backend has shown and closed the figures the cell
drew. A figure still open then was never displayed (for example one created
inside ``matplotlib.rc_context``, which turns interactive mode off): the inline
backend would show it under some later cell. This extension writes a message
naming the figures to the cell's stderr instead, and closes them; the site
treats stderr as an error (``nb_output_stderr = "error"``), so the build fails
naming the page and the cell.
"""

from __future__ import annotations

import sys

MESSAGE = (
    "tinytorch: this cell left {count} figure(s) open but not displayed "
    "(matplotlib figure {numbers}); it would appear under a later cell. "
    "Display it (end the cell on the figure, or tinytorch.viz.show(fig)) or "
    "close it (plt.close(fig))."
)


def undisplayed_figures(result=None) -> None:
    """post_run_cell hook: report and close figures left open by the cell."""
    helpers = sys.modules.get("matplotlib._pylab_helpers")
    if helpers is None:  # pyplot never imported: no figure can be open
        return
    managers = helpers.Gcf.get_all_fig_managers()
    if not managers:
        return
    numbers = ", ".join(str(manager.num) for manager in managers)
    print(MESSAGE.format(count=len(managers), numbers=numbers), file=sys.stderr)
    helpers.Gcf.destroy_all()


def load_ipython_extension(ipython) -> None:
    # post_run_cell fires after post_execute, where the inline backend shows figures.
    ipython.events.register("post_run_cell", undisplayed_figures)
