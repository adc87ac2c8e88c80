"""The Tensor: a NumPy array that remembers how it was computed.

Every operation on tensors that require gradients records its inputs and a ``backward`` function.
:meth:`Tensor.backward` walks that graph from the output back to the leaves (iteratively, so long
chains do not hit Python's recursion limit), sums gradients over broadcast axes and accumulates them
into each leaf's ``.grad``. It also holds what every primitive shares: :func:`result_dtype`, the
one type-promotion rule, and the wrapping of operands and axes. The primitives live beside this
file by topic (:mod:`~tinytorch.core.ops`, :mod:`~tinytorch.core.reductions`,
:mod:`~tinytorch.core.shaping`, :mod:`~tinytorch.core.selection`,
:mod:`~tinytorch.core.activations`), forward and backward side by side, and import only this
file; :mod:`tinytorch.core` attaches them to :class:`Tensor` from one table.
"""
from __future__ import annotations

import sys

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

_grad_enabled = True


class no_grad:
    """Context manager (or decorator) that turns off graph recording.

    Inside it, results never require gradients: use it for evaluation and for in-place updates.

    Examples
    --------
    >>> import tinytorch as tt
    >>> w = tt.Tensor([1.0, 2.0], requires_grad=True)
    >>> with tt.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    def __enter__(self):
        global _grad_enabled
        self._previous, _grad_enabled = _grad_enabled, False
        return self

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous
        return False

    def __call__(self, function):
        def wrapper(*args, **kwargs):
            with no_grad():
                return function(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
        return wrapper


def is_grad_enabled() -> bool:
    """True unless inside :class:`no_grad`: whether operations are being recorded for backward.

    Returns
    -------
    bool
        False inside a ``no_grad`` block (or a function decorated with it), True otherwise.

    Examples
    --------
    >>> import tinytorch as tt
    >>> tt.is_grad_enabled()
    True
    >>> with tt.no_grad():
    ...     tt.is_grad_enabled()
    False
    """
    return _grad_enabled


def _to_array(data, dtype=None, copy: bool = True) -> np.ndarray:
    """Convert user input to an array; float input becomes float32 unless a dtype is given.

    The result never shares memory with an array (or tensor) passed in, as ``torch.tensor``
    copies: otherwise an in-place update (``optimizer.step()``) would silently change the
    caller's array. ``copy=False`` is for :meth:`Tensor.detach`, which shares by design.
    """
    if isinstance(data, Tensor):
        data = data.data
    array = np.asarray(data, dtype=dtype)
    if dtype is None and array.dtype.kind == "f" and array.dtype != np.float32:
        return array.astype(np.float32)
    if copy and isinstance(data, np.ndarray) and np.may_share_memory(array, data):
        array = array.copy()
    return array


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    Operators (``+ - * / ** @``, comparisons, indexing) and methods (``sum``, ``mean``,
    ``reshape``, ``softmax``, ...) are the primitives of :mod:`~tinytorch.core.ops`,
    :mod:`~tinytorch.core.reductions`, :mod:`~tinytorch.core.shaping`,
    :mod:`~tinytorch.core.selection` and :mod:`~tinytorch.core.activations`; the table
    ``TENSOR_METHODS`` in :mod:`tinytorch.core` lists which function each one is.

    Parameters
    ----------
    data : array_like or Tensor
        The values. Float input is stored as float32 unless ``dtype`` says otherwise; integer and
        boolean input keep their type. An ndarray of the right dtype is used without copying.
    requires_grad : bool, default False
        Record operations on this tensor so that :meth:`backward` can fill in ``.grad``.
        Only floating-point tensors can require gradients.
    dtype : numpy dtype, optional
        Store the data with this dtype.

    Attributes
    ----------
    data : numpy.ndarray
        The values.
    grad : numpy.ndarray or None
        None until a backward pass reaches this tensor, then the gradient (same shape as ``data``).
        Gradients accumulate over backward passes; assign None to reset.

    Examples
    --------
    >>> from tinytorch import Tensor
    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y
    Tensor(30., grad_fn=sum)
    >>> y.backward()
    >>> x.grad
    array([[2., 4.],
           [6., 8.]], dtype=float32)
    """

    __array_ufunc__ = None  # make `ndarray + Tensor` call Tensor.__radd__ instead of NumPy's loop

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data = _to_array(data, dtype)
        if requires_grad and self.data.dtype.kind not in "fc":
            raise TypeError(
                f"Tensor: only floating-point tensors can require gradients, got dtype {self.data.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._parents = ()
        self._backward = None
        self._op = None

    @staticmethod
    def _from_op(data: np.ndarray, parents: tuple, backward, op: str) -> "Tensor":
        """Wrap an op's result; record the graph edge when any parent requires gradients.

        ``backward(grad)`` receives the gradient of the output and returns one array (or None) per
        parent; the engine sums it over broadcast axes and accumulates it.
        """
        out = Tensor.__new__(Tensor)
        out.data, out.grad, out._op = data, None, op
        out.requires_grad = _grad_enabled and any(p.requires_grad for p in parents)
        out._parents = parents if out.requires_grad else ()
        out._backward = backward if out.requires_grad else None
        return out

    # ----------------------------------------------------------------- attributes
    shape = property(lambda self: self.data.shape, doc="The shape, a tuple of ints.")
    ndim = property(lambda self: self.data.ndim, doc="Number of dimensions.")
    dtype = property(lambda self: self.data.dtype, doc="The NumPy dtype.")
    size = property(lambda self: self.data.size, doc="Number of elements.")
    is_leaf = property(lambda self: self._backward is None, doc="True unless produced by an op.")

    @property
    def T(self) -> "Tensor":
        """The transpose of a 2-D tensor (1-D and 0-D tensors are returned unchanged)."""
        if self.ndim < 2:
            return self
        if self.ndim != 2:
            raise ValueError(f"T: defined for 2-D tensors, got shape {self.shape}; use transpose or permute")
        return self.transpose(0, 1)

    def item(self):
        """The single value of a one-element tensor, as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted, got shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def detach(self) -> "Tensor":
        """A tensor sharing this one's data, cut from the graph (as ``torch.Tensor.detach``)."""
        return Tensor._from_op(self.data, (), None, None)  # a leaf

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"bool: the truth value of a tensor of shape {self.shape} is ambiguous")
        return bool(self.data)

    __hash__ = object.__hash__

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", precision=4)
        extras = []
        if self.dtype not in (np.float32, np.int64, np.bool_):
            extras.append(f"dtype={self.dtype}")
        if self._op is not None and self.requires_grad:
            extras.append(f"grad_fn={self._op}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return f"Tensor({', '.join([body] + extras)})"

    # ----------------------------------------------------------------- autograd
    def backward(self, grad=None) -> None:
        """Compute the gradient of this tensor with respect to every leaf that requires grad.

        Parameters
        ----------
        grad : array_like, optional
            The gradient of some scalar with respect to this tensor. Omit it for a one-element
            tensor (it is then 1).
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad (no input had requires_grad=True, "
                "or it was computed under no_grad)"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implied only for a one-element output, this one has shape "
                    f"{self.shape}; call .sum() first or pass grad="
                )
            grad = np.ones_like(self.data)
        else:
            grad = _to_array(grad, self.dtype)
            if grad.shape != self.shape:
                raise ValueError(f"backward: grad has shape {grad.shape}, the tensor has shape {self.shape}")
        pending = {id(self): grad}
        for node in _reverse_topological_order(self):
            node_grad = pending.pop(id(node), None)
            if node_grad is None:
                continue
            if node._backward is None:  # a leaf: accumulate into .grad
                if node.grad is not None:
                    node.grad = node.grad + node_grad
                elif (node_grad.base is None and node_grad.flags.writeable
                      and sys.getrefcount(node_grad) == _SOLE_REFERENCE):
                    node.grad = node_grad  # a fresh array nothing else holds: no copy needed
                else:  # shared (a view, the caller's array, or also another leaf's): copy
                    node.grad = node_grad.copy()
                continue
            for parent, parent_grad in zip(node._parents, node._backward(node_grad)):
                if parent_grad is None or not parent.requires_grad:
                    continue
                parent_grad = _unbroadcast(parent_grad, parent.shape)
                if parent_grad.dtype != parent.dtype:  # e.g. a float32 input of a float64 op
                    parent_grad = parent_grad.astype(parent.dtype)
                key = id(parent)
                pending[key] = parent_grad if key not in pending else pending[key] + parent_grad


def _sole_reference_count() -> int:
    """What ``sys.getrefcount`` reports for an array held by one local variable only."""
    array = np.empty(0)
    return sys.getrefcount(array)


_SOLE_REFERENCE = _sole_reference_count()


def _reverse_topological_order(root: Tensor) -> list:
    """Nodes from ``root`` back to the leaves, each after every node that uses it (iterative DFS)."""
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in node._parents if p.requires_grad and id(p) not in visited)
    order.reverse()
    return order


def _unbroadcast(grad, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``."""
    grad = np.asarray(grad)
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


# ----------------------------------------------------------------- helpers shared by the primitives
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_PYTHON_KIND = {bool: np.dtype(np.bool_), int: np.dtype(np.int64), float: np.dtype(np.float64),
                complex: np.dtype(np.complex128)}
_DEFAULT_DTYPE = {0: np.dtype(np.bool_), 1: np.dtype(np.int64), 2: np.dtype(np.float32),
                  3: np.dtype(np.complex64)}


def result_dtype(*operands) -> np.dtype:
    """The dtype of an operation on ``operands``: PyTorch's type-promotion rule, the one place it lives.

    Categories rank bool < integer < float. The result has the highest category among the
    operands; within it, tensors with dimensions outrank 0-d tensors, which outrank numbers
    (Python or NumPy scalars), and the dtypes of the highest-ranked operands in that category
    are combined (float32 with float64 gives float64). A category reached only by a number
    gives the default dtype: float32 for floats, int64 for integers. So a number never widens
    a tensor's dtype, an integer tensor times 0.5 is float32, and float64 appears only when
    some tensor is float64. Operations that always give floats (true division, ``mean``,
    ``exp``, ``log``, ``sqrt``, activations) turn a non-float result into float32
    (:func:`float_dtype`).

    Parameters
    ----------
    *operands : Tensor or number
        The operands of one operation.

    Returns
    -------
    numpy.dtype

    Examples
    --------
    >>> import numpy as np
    >>> from tinytorch import Tensor
    >>> from tinytorch.core.tensor import result_dtype
    >>> result_dtype(Tensor([1, 2]), 0.5), result_dtype(Tensor([1.0]), np.float64(2.0))
    (dtype('float32'), dtype('float32'))
    >>> result_dtype(Tensor([1.0]), Tensor([1.0], dtype=np.float64))
    dtype('float64')
    """
    best, dtypes = (-1, -1), []
    for x in operands:
        if isinstance(x, Tensor):
            dtype, tier = x.data.dtype, 2 if x.data.ndim else 1
        else:  # a number: only its kind matters (a Python int may exceed int64)
            kind = next((k for k in (bool, int, float, complex) if isinstance(x, k)), None)
            dtype, tier = (_PYTHON_KIND[kind] if kind else np.asarray(x).dtype), 0
        rank = (_CATEGORY.get(dtype.kind, 3), tier)
        if rank > best:
            best, dtypes = rank, [dtype]
        elif rank == best:
            dtypes.append(dtype)
    return _DEFAULT_DTYPE[best[0]] if best[1] == 0 else np.result_type(*dtypes)


def float_dtype(dtype) -> np.dtype:
    """``dtype`` if it is a float type, else float32: the result type of true division, mean, exp, ..."""
    dtype = np.dtype(dtype)
    return dtype if dtype.kind in "fc" else np.dtype(np.float32)


def _is_number(x) -> bool:
    return isinstance(x, (bool, int, float, np.generic))


def _tensor(x, dtype=None) -> Tensor:
    """``x`` as a Tensor (returned as it is if it already is one); a number or array gets ``dtype``."""
    if isinstance(x, Tensor):
        return x
    return Tensor(x, dtype=dtype)


def _constant(value, dtype) -> Tensor:
    """A number as a 0-d tensor of ``dtype``, outside the graph (the cheap path of :func:`_tensor`)."""
    out = Tensor.__new__(Tensor)
    out.data, out.requires_grad, out.grad = np.asarray(value, dtype=dtype), False, None
    out._parents, out._backward, out._op = (), None, None
    return out


def _operands(a, b, floating: bool = False):
    """Two operands as Tensors of one dtype (:func:`result_dtype`; a float one if ``floating``), and their arrays."""
    a_tensor, b_tensor = isinstance(a, Tensor), isinstance(b, Tensor)
    if a_tensor and b_tensor and a.data.dtype == b.data.dtype:
        dtype = a.data.dtype  # the common cases first, without the general rule's cost
    elif a_tensor and type(b) in (float, int) and a.data.dtype.kind == "f":
        dtype = a.data.dtype
    elif b_tensor and type(a) in (float, int) and b.data.dtype.kind == "f":
        dtype = b.data.dtype
    else:
        a = a if a_tensor or _is_number(a) else Tensor(a)
        b = b if b_tensor or _is_number(b) else Tensor(b)
        dtype = result_dtype(a, b)
    if floating and dtype.kind not in "fc":
        dtype = np.dtype(np.float32)
    a = a if isinstance(a, Tensor) else _constant(a, dtype)
    b = b if isinstance(b, Tensor) else _constant(b, dtype)
    x = a.data if a.data.dtype == dtype else a.data.astype(dtype)
    y = b.data if b.data.dtype == dtype else b.data.astype(dtype)
    return a, b, x, y


def _alias(op: str, name: str, value, torch_name: str, torch_value, default=None):
    """Accept PyTorch's spelling (``dim``, ``keepdim``) beside tinytorch's (``axis``, ``keepdims``)."""
    if torch_value is None:
        return default if value is None else value
    if value is not None and value is not False:
        raise TypeError(f"{op}: got both {name}= and {torch_name}= (the same argument); give one")
    return torch_value


def _axes(op: str, a: Tensor, axis) -> tuple:
    """``axis`` (int, tuple or None for all) as a sorted tuple of non-negative axes of ``a``.

    A 0-d tensor accepts axis 0 and -1, as PyTorch does (there is nothing to reduce).
    """
    ndim = a.data.ndim
    axes = range(ndim) if axis is None else (axis,) if np.ndim(axis) == 0 else axis
    try:
        normalized = sorted({int(normalize_axis_index(x, max(ndim, 1))) for x in axes})
    except (np.exceptions.AxisError, TypeError):
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of shape {a.shape}") from None
    return tuple(normalized) if ndim else ()


def __getattr__(name: str):
    """``tinytorch.core.tensor.stack`` etc. keep working; they live in :mod:`~tinytorch.core.selection`."""
    if name in ("concatenate", "cat", "stack", "where"):
        from . import selection

        return getattr(selection, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Tensor", "no_grad", "is_grad_enabled", "result_dtype", "float_dtype"]
