"""Hand-written NumPy forward + backward passes: the floor a NumPy library can reach.

Each function computes what the matching tinytorch code computes, by the same algorithm, written the
efficient way: no graph, no wrappers, gradients derived by hand, buffers reused where it is natural.
The benchmark first checks that each floor's outputs and gradients equal tinytorch's.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def matmul(a: np.ndarray, b: np.ndarray, grad: np.ndarray):
    """``a @ b`` and the gradients of ``sum(grad * (a @ b))``: G B^T and A^T G."""
    out = a @ b
    return out, grad @ b.T, a.T @ grad


def conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, grad: np.ndarray, padding: int):
    """Stride-1 convolution by im2col and one GEMM; backward by two GEMMs and col2im.

    Shape: x (N, C, H, W), weight (O, C, k, k), grad (N, O, H', W'). Returns out, dx, dweight, dbias.
    """
    n, c, h, w = x.shape
    o, _, k, _ = weight.shape
    padded = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=x.dtype)
    padded[:, :, padding:padding + h, padding:padding + w] = x
    windows = sliding_window_view(padded, (k, k), axis=(2, 3))          # (N, C, H', W', k, k)
    ho, wo = windows.shape[2:4]
    columns = np.ascontiguousarray(windows.transpose(1, 4, 5, 0, 2, 3)).reshape(c * k * k, -1)
    filters = weight.reshape(o, -1)
    out = filters @ columns
    out += bias[:, None]
    out = out.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)
    grad = np.ascontiguousarray(grad.transpose(1, 0, 2, 3)).reshape(o, -1)
    dweight = (grad @ columns.T).reshape(weight.shape)
    dbias = grad.sum(axis=1)
    dcolumns = (filters.T @ grad).reshape(c, k, k, n, ho, wo)
    dpadded = np.zeros((c, n) + padded.shape[2:], dtype=x.dtype)
    for i in range(k):
        for j in range(k):
            dpadded[:, :, i:i + ho, j:j + wo] += dcolumns[:, i, j]
    dx = dpadded[:, :, padding:padding + h, padding:padding + w].transpose(1, 0, 2, 3)
    return out, dx, dweight, dbias


def mlp_step(x: np.ndarray, targets: np.ndarray, params: dict, lr: float) -> float:
    """One SGD step of Linear-ReLU-Linear with mean softmax cross-entropy; updates ``params`` in place.

    Weights are stored (in, out) as in tinytorch. Returns the loss before the update.
    """
    w1, b1, w2, b2 = params["w1"], params["b1"], params["w2"], params["b2"]
    hidden = x @ w1
    hidden += b1
    active = np.maximum(hidden, 0, out=hidden)
    logits = active @ w2
    logits += b2
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    rows = np.arange(len(targets))
    loss = -np.log(probabilities[rows, targets]).mean()
    dlogits = probabilities                                  # softmax - onehot, over the batch
    dlogits[rows, targets] -= 1
    dlogits /= len(targets)
    dw2, db2 = active.T @ dlogits, dlogits.sum(axis=0)
    dactive = dlogits @ w2.T
    dactive *= active > 0
    dw1, db1 = x.T @ dactive, dactive.sum(axis=0)
    for name, gradient in (("w1", dw1), ("b1", db1), ("w2", dw2), ("b2", db2)):
        params[name] -= lr * gradient
    return float(loss)


def multi_head_attention(x: np.ndarray, params: dict, num_heads: int, grad: np.ndarray):
    """Self-attention with ``num_heads`` heads, forward and backward; no mask, no dropout.

    ``params`` holds wq, wk, wv, wo of shape (E, E) stored (in, out) and biases bq, bk, bv, bo (E,).
    Shape: x and grad (N, L, E). Returns out, dx and a dict of parameter gradients.
    """
    n, length, embed = x.shape
    head = embed // num_heads
    scale = 1 / math.sqrt(head)  # a Python float: np.sqrt's float64 would promote float32 arrays
    rows = x.reshape(n * length, embed)

    def split(t):  # (N L, E) -> (N, H, L, head)
        return t.reshape(n, length, num_heads, head).transpose(0, 2, 1, 3)

    def merge(t):  # (N, H, L, head) -> (N L, E)
        return t.transpose(0, 2, 1, 3).reshape(n * length, embed)

    def project(s):  # (N L, E) @ (E, E) + (E,), split into heads
        out = rows @ params["w" + s]
        out += params["b" + s]
        return split(out)

    q, k, v = project("q"), project("k"), project("v")
    q_scaled = q * scale                                      # scale the (L, head) side, not the (L, L) scores
    weights = q_scaled @ k.transpose(0, 1, 3, 2)              # (N, H, L, L)
    weights -= weights.max(axis=-1, keepdims=True)
    np.exp(weights, out=weights)
    weights /= weights.sum(axis=-1, keepdims=True)
    heads = merge(weights @ v)
    out = heads @ params["wo"]
    out += params["bo"]

    grad = grad.reshape(n * length, embed)
    grads = {"wo": heads.T @ grad, "bo": grad.sum(axis=0)}
    dheads = split(grad @ params["wo"].T)
    dv = weights.transpose(0, 1, 3, 2) @ dheads
    dscores = dheads @ v.transpose(0, 1, 3, 2)              # d weights, then through the softmax:
    dscores -= (dscores * weights).sum(axis=-1, keepdims=True)   # w * (g - sum(g w))
    dscores *= weights
    dq = dscores @ k
    dq *= scale
    dk = dscores.transpose(0, 1, 3, 2) @ q_scaled
    dx = np.zeros_like(rows)
    for s, d in (("q", dq), ("k", dk), ("v", dv)):
        d = merge(d)
        grads["w" + s], grads["b" + s] = rows.T @ d, d.sum(axis=0)
        dx += d @ params["w" + s].T
    return out.reshape(n, length, embed), dx.reshape(n, length, embed), grads
