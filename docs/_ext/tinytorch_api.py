"""The API reference and references to it.

The pages themselves come from ``sphinx.ext.autosummary`` (``:recursive:`` in
``docs/api/index.md``, template ``docs/_templates/autosummary/module.rst``):
one page per public module. This extension adds what autosummary lacks:

- ``exports`` in the template's context: for each package, the names its
  ``__all__`` re-exports and where each is documented ("link" when its home
  module has its own page, else "class"/"function"/"data": documented on the
  package's page, as for ``tinytorch.viz``, whose home modules are private).
- References to re-exported names (``tinytorch.Tensor``,
  ``tinytorch.Linear.forward``) resolve to the documentation in the defining
  module; an unqualified name (``Tensor.backward``) resolves when exactly one
  documented object ends with it (Sphinx's ``.name`` search).
- A reST role left in Markdown (``:class:`x```, which MyST shows as text and
  code) is reported, since it would render unlinked.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import re

from docutils import nodes
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging

logger = logging.getLogger(__name__)

PACKAGE = "tinytorch"


def public_modules(package: str = PACKAGE) -> list[str]:
    """Every importable module of ``package`` with no ``_``-prefixed part."""
    pkg = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(pkg.__path__, prefix=package + "."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def _home(obj) -> str | None:
    """``module.qualname`` where a class or function is defined."""
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    return f"{module}.{qualname}" if module and qualname else None


def _documents(module, attr: str) -> bool:
    """Whether ``module`` gives ``attr`` a ``#:`` doc comment (autodoc shows it there)."""
    try:
        return ("", attr) in ModuleAnalyzer.for_module(module.__name__).find_attr_docs()
    except PycodeError:
        return False


@functools.cache
def _scan(package: str = PACKAGE):
    """Each public package's re-exports, and where each is documented.

    Returns ``(exports, aliases)``: ``exports[package]`` lists ``(name, kind)``
    for its ``__all__``, kind "link" when the object has a page elsewhere, else
    "class"/"function"/"data" (documented on the package's page, as for
    ``tinytorch.viz``, whose home modules are private); ``aliases`` maps each
    linked ``package.name`` to the documented dotted name.
    """
    modules = {name: importlib.import_module(name) for name in public_modules(package)}
    plain = [m for m in modules.values() if not hasattr(m, "__path__")]
    exports, aliases = {}, {}
    for name, module in modules.items():
        if not hasattr(module, "__path__"):
            continue
        rows = []
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            home = _home(obj) if inspect.isclass(obj) or inspect.isfunction(obj) else None
            if home is None and not inspect.ismodule(obj):  # data: where its #: comment is
                home = next((f"{m.__name__}.{attr}" for m in plain
                             if vars(m).get(attr) is obj and _documents(m, attr)), None)
            if inspect.ismodule(obj):
                kind = "link"
            elif home and not _private(home.rsplit(".", 1)[0]) and home != f"{name}.{attr}":
                kind = "link"
                aliases[f"{name}.{attr}"] = home
            elif inspect.isclass(obj):
                kind = "class"
            elif callable(obj):
                kind = "function"
            else:
                kind = "data"
            rows.append((attr, kind))
        exports[name] = rows
    return exports, aliases


def add_exports_to_context(app, config) -> None:
    config.autosummary_context = {**config.autosummary_context, "exports": _scan()[0]}


def _documented_target(target: str) -> str | None:
    """``tinytorch.Tensor.backward`` -> ``tinytorch.core.tensor.Tensor.backward``."""
    aliases = _scan()[1]
    parts = target.split(".")
    for end in range(len(parts), 1, -1):
        prefix = ".".join(parts[:end])
        if prefix in aliases:
            return ".".join([aliases[prefix], *parts[end:]])
    return None


def data_without_own_docstring(app, what, name, obj, options, lines) -> None:
    """Data documented without a ``#:`` comment shows no docstring of its type."""
    if what == "data" and lines and type(obj).__doc__ and (
            "\n".join(lines).strip() == inspect.cleandoc(type(obj).__doc__).strip()):
        lines[:] = []


def resolve_reexports(app, env, node, contnode):
    """``missing-reference``: re-exported names, then a unique short name."""
    if node.get("refdomain") != "py":
        return None
    domain = env.domains["py"]
    target = node["reftarget"]
    documented = _documented_target(target)
    attempts = []
    if documented:
        attempts.append((documented, False))
    elif not target.startswith(PACKAGE + ".") and not node.get("refspecific"):
        attempts.append((target, True))  # as if written `.Tensor.backward`
    for new_target, specific in attempts:
        retry = node.deepcopy()
        retry["reftarget"] = new_target
        if specific:
            retry["refspecific"] = True
        found = domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"],
                                    new_target, retry, contnode)
        if found is not None:
            return found
    return None


_ROLE_BEFORE_CODE = re.compile(r"(?<!\S):(?:[a-z]+:)?[a-z]+:$")


def rest_roles_in_markdown(app, doctree) -> None:
    """Warn about ``:role:`target``` in Markdown: MyST shows it as text and code."""
    if not str(app.env.doc2path(app.env.docname)).endswith((".md", ".py")):
        return
    for literal in list(doctree.findall(nodes.literal)):
        parent = literal.parent
        index = parent.index(literal)
        before = parent[index - 1] if index else None
        if isinstance(before, nodes.Text) and _ROLE_BEFORE_CODE.search(str(before)):
            role = _ROLE_BEFORE_CODE.search(str(before)).group()
            logger.warning("reST role %s`%s` in Markdown renders as plain text; write "
                           "{%s}`%s` (MyST role syntax)", role, literal.astext(),
                           role.strip(":"), literal.astext(), location=literal,
                           type="tinytorch", subtype="rest_role")


def setup(app):
    app.setup_extension("sphinx.ext.autosummary")
    app.connect("config-inited", add_exports_to_context)
    app.connect("missing-reference", resolve_reexports)
    app.connect("autodoc-process-docstring", data_without_own_docstring)
    app.connect("doctree-read", rest_roles_in_markdown)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
