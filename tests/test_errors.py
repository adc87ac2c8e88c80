"""Bad input fails with a clear error that names the operation and the shapes.

Each case checks the exception type and, with ``match``, that the message starts
with the operation's name and states the offending shapes or values; the edge
cases just inside each documented range are checked to pass.
"""

import numpy as np
import pytest

import tinytorch as tt
from tinytorch.core import (attention, autograd, dataloader, layers, losses, ops, optimizers, random, reductions,
                            selection, serialization, shaping, spatial, training, transformer)
from tinytorch.core.dense import MLP

F = np.float32


def T(shape, dtype=F, requires_grad=False):
    return tt.Tensor(np.ones(shape, dtype=dtype), requires_grad=requires_grad)


class NoForward(layers.Module):
    pass


class BadInit(layers.Module):
    def __init__(self):
        self.weight = 1  # before super().__init__()


CASES = [
    # the Tensor and autograd
    (lambda: tt.Tensor([1, 2], requires_grad=True), TypeError, r"^Tensor: only floating-point .* dtype int64"),
    (lambda: T((2, 2, 2)).T, ValueError, r"^T: defined for 2-D tensors, got shape \(2, 2, 2\)"),
    (lambda: T((2,)).item(), ValueError, r"^item: only one-element tensors .* shape \(2,\)"),
    (lambda: len(T(())), TypeError, r"^len\(\) of a 0-d tensor"),
    (lambda: bool(T((2,))), ValueError, r"^bool: the truth value of a tensor of shape \(2,\) is ambiguous"),
    (lambda: T((1,)).backward(), RuntimeError, r"^backward: this tensor does not require grad"),
    (lambda: (T((2,), requires_grad=True) * 2).backward(), RuntimeError,
     r"^backward: grad can be implied only for a one-element output, this one has shape \(2,\)"),
    (lambda: (T((2,), requires_grad=True) * 2).backward(np.ones(3)), ValueError,
     r"^backward: grad has shape \(3,\), the tensor has shape \(2,\)"),
    (lambda: autograd.gradcheck(lambda x: x, [T((2,))]), TypeError,
     r"^gradcheck: input 0 has dtype float32; finite differences need float64"),
    (lambda: autograd.gradcheck(lambda x: x, [np.ones(2)], params=[T((2,))]), TypeError,
     r"^gradcheck: parameter 0 has dtype float32"),
    (lambda: autograd.gradcheck(lambda x: 1.0, [np.ones(2)]), TypeError, r"^gradcheck: fn must return a Tensor, got float"),
    # ops
    (lambda: T((2, 3)) + T((4,)), ValueError, r"^add: shapes \(2, 3\) and \(4,\) cannot be broadcast together"),
    (lambda: T((2, 3)) - T((4,)), ValueError, r"^sub: shapes \(2, 3\) and \(4,\)"),
    (lambda: T((2, 3)) * T((4,)), ValueError, r"^mul: shapes \(2, 3\) and \(4,\)"),
    (lambda: T((2, 3)) / T((4,)), ValueError, r"^div: shapes \(2, 3\) and \(4,\)"),
    (lambda: T(()) @ T((2,)), ValueError, r"^matmul: operands must have at least 1 dimension, got \(\) @ \(2,\)"),
    (lambda: T((2,)) @ T(()), ValueError, r"^matmul: operands must have at least 1 dimension"),
    (lambda: T((2, 3)) @ T((4, 5)), ValueError, r"^matmul: \(2, 3\) @ \(4, 5\): inner dimensions 3 and 4 differ"),
    (lambda: T((2, 3)) @ T((4,)), ValueError, r"^matmul: \(2, 3\) @ \(4,\): inner dimensions 3 and 4 differ"),
    (lambda: T((2, 2, 3)) @ T((3, 3, 4)), ValueError, r"^matmul: \(2, 2, 3\) @ \(3, 3, 4\): batch dimensions"),
    (lambda: T((2,)).clip(), ValueError, r"^clip: give min, max or both"),
    (lambda: T((2, 3)) == T((4,)), ValueError, r"^eq: shapes \(2, 3\) and \(4,\) cannot be broadcast together"),
    (lambda: T((2, 3)) < np.ones(4), ValueError, r"^lt: shapes \(2, 3\) and \(4,\)"),
    # reductions, shaping, selection
    (lambda: T((2, 3)).sum(axis=2), ValueError, r"^sum: axis 2 is out of range for a tensor of shape \(2, 3\)"),
    (lambda: T((2, 3)).mean(axis=(0, -3)), ValueError, r"^mean: axis \(0, -3\) is out of range .* \(2, 3\)"),
    (lambda: T((2, 3)).max(axis=5), ValueError, r"^max: axis 5 is out of range"),
    (lambda: T((0, 3)).max(), ValueError, r"^max: empty tensor of shape \(0, 3\)"),
    (lambda: T((2, 3)).argmax(axis=2), ValueError, r"^argmax: axis 2 is out of range"),
    (lambda: T((2, 3)).sum(axis=1.5), ValueError, r"^sum: axis 1.5 is out of range"),
    (lambda: T((2, 3)).reshape(4, 2), ValueError, r"^reshape: cannot reshape \(2, 3\) \(6 elements\) into \(4, 2\)"),
    (lambda: T((2, 3)).permute(0, 0), ValueError, r"^permute: \(0, 0\) is not a permutation of the 2 axes .* \(2, 3\)"),
    (lambda: T((2, 3)).permute(0, 1, 2), ValueError, r"^permute: \(0, 1, 2\) is not a permutation"),
    (lambda: T((2, 3)).permute(0, 2), ValueError, r"^permute: \(0, 2\) is not a permutation"),
    (lambda: T((2, 3)).permute(-3, 1), ValueError, r"^permute: \(-3, 1\) is not a permutation"),
    (lambda: T((2, 3)).transpose(0, 2), ValueError, r"^transpose: axes \(0, 2\) out of range .* \(2, 3\)"),
    (lambda: T((2, 3)).transpose(-3, 0), ValueError, r"^transpose: axes \(-3, 0\) out of range"),
    (lambda: T((2, 3)).transpose(2, 0), ValueError, r"^transpose: axes \(2, 0\) out of range"),
    (lambda: T((2, 3)).transpose(0, -3), ValueError, r"^transpose: axes \(0, -3\) out of range"),
    (lambda: T((2, 3)).unsqueeze(3), ValueError, r"^unsqueeze: dim 3 out of range for a tensor of shape \(2, 3\)"),
    (lambda: T((2, 3)).unsqueeze(-4), ValueError, r"^unsqueeze: dim -4 out of range"),
    (lambda: T((2, 1)).squeeze(2), ValueError, r"^squeeze: axis 2 is out of range for a tensor of shape \(2, 1\)"),
    (lambda: T((2, 3))[5], IndexError, r"^index: .* \(tensor shape \(2, 3\)\)"),
    (lambda: T((2, 3)).masked_fill(np.ones((2, 3)), 0.0), TypeError, r"^masked_fill: mask must be boolean, got dtype float64"),
    (lambda: T((2, 3)).masked_fill(np.ones((3, 3), bool), 0.0), ValueError,
     r"^masked_fill: mask of shape \(3, 3\) does not broadcast to the tensor's shape \(2, 3\)"),
    (lambda: T((3,)).masked_fill(np.ones((2, 3), bool), 0.0), ValueError,
     r"^masked_fill: mask of shape \(2, 3\) does not broadcast to the tensor's shape \(3,\)"),
    (lambda: tt.where(np.ones(3), T((3,)), T((3,))), TypeError, r"^where: condition must be boolean, got dtype float64"),
    (lambda: tt.where(np.ones(3, bool), T((2,)), T((3,))), ValueError,
     r"^where: shapes \(3,\), \(2,\) and \(3,\) cannot be broadcast together"),
    (lambda: tt.where(np.ones(3, bool), T((2,)), T((2,))), ValueError,
     r"^where: shapes \(3,\), \(2,\) and \(2,\) cannot be broadcast together"),
    (lambda: tt.where(np.ones(3, bool), T((3,)), T((2,))), ValueError,
     r"^where: shapes \(3,\), \(3,\) and \(2,\) cannot be broadcast together"),
    (lambda: tt.concatenate([T((2, 3)), T((2, 4))]), ValueError,
     r"^concatenate: shapes \(2, 3\), \(2, 4\) cannot be joined along axis 0"),
    (lambda: tt.concatenate([T((2, 3)), T((2, 3))], axis=2), ValueError, r"^concatenate: .* along axis 2"),
    (lambda: tt.stack([T((2, 3)), T((3, 2))]), ValueError, r"^stack: shapes \(2, 3\), \(3, 2\) cannot be stacked along axis 0"),
    (lambda: tt.stack([T((2,)), T((2,))], axis=3), ValueError, r"^stack: shapes \(2,\), \(2,\) cannot be stacked along axis 3"),
    # layers and modules
    (lambda: BadInit(), AttributeError, r"^BadInit: call super\(\).__init__\(\) before assigning attributes"),
    (lambda: NoForward()(T((1,))), NotImplementedError, r"^NoForward must define forward\(\)"),
    (lambda: tt.Linear(2, 2).load_state_dict({"weight": np.ones((2, 2))}), KeyError,
     r"load_state_dict: missing keys \['bias'\], unexpected keys \[\]"),
    (lambda: tt.Linear(2, 2).load_state_dict({"weight": np.ones((2, 2)), "bias": np.ones(2), "x": 1}), KeyError,
     r"missing keys \[\], unexpected keys \['x'\]"),
    (lambda: tt.Linear(2, 2).load_state_dict({"weight": np.ones((3, 2)), "bias": np.ones(2)}), ValueError,
     r"^load_state_dict: weight has shape \(3, 2\) in the state, \(2, 2\) in the model"),
    (lambda: layers.ModuleList([tt.ReLU(), 3]), TypeError, r"^ModuleList: item 1 is a int, not a Module"),
    (lambda: tt.Linear(3, 2)(T((4, 2))), ValueError, r"^Linear: input of shape \(4, 2\) does not end in in_features=3"),
    (lambda: tt.Linear(3, 2)(T(())), ValueError, r"^Linear: input of shape \(\) does not end in in_features=3"),
    (lambda: tt.Dropout(1.5), ValueError, r"^Dropout: p must be in \[0, 1\], got 1.5"),
    (lambda: tt.Dropout(-0.1), ValueError, r"^Dropout: p must be in \[0, 1\], got -0.1"),
    (lambda: tt.Embedding(4, 2)(np.array([0.0, 1.0])), TypeError, r"^embedding: ids must be integers, got dtype float64"),
    (lambda: tt.Embedding(4, 2)(np.array([0, 4])), IndexError, r"^embedding: id 4 is out of range for 4 embeddings"),
    (lambda: tt.Embedding(4, 2)(np.array([-1, 3])), IndexError, r"^embedding: id -1 is out of range for 4 embeddings"),
    (lambda: tt.LayerNorm(4)(T((2, 3))), ValueError, r"^LayerNorm: input of shape \(2, 3\) does not end in \(4,\)"),
    (lambda: tt.LayerNorm((2, 3))(T((3, 3))), ValueError, r"^LayerNorm: input of shape \(3, 3\) does not end in \(2, 3\)"),
    (lambda: MLP([3]), ValueError, r"^MLP: need at least an input and an output size, got \[3\]"),
    # losses
    (lambda: tt.mse_loss(T((2, 3)), np.ones((3, 2))), ValueError,
     r"^mse_loss: prediction has shape \(2, 3\), target has shape \(3, 2\); they must match"),
    (lambda: tt.mse_loss(T((2,)), np.ones(2), reduction="avg"), ValueError,
     r"^mse_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
    (lambda: tt.binary_cross_entropy(T((2,)) * 1.5, np.ones(2)), ValueError,
     r"^binary_cross_entropy: probabilities must lie in \[0, 1\]; for logits use binary_cross_entropy_with_logits"),
    (lambda: tt.binary_cross_entropy(T((2,)) * -0.5, np.ones(2)), ValueError, r"^binary_cross_entropy: probabilities"),
    (lambda: tt.binary_cross_entropy(T((2,)), np.ones(3)), ValueError, r"^binary_cross_entropy: prediction has shape \(2,\)"),
    (lambda: tt.binary_cross_entropy(T((2,)) * 0.5, np.ones(2), "avg"), ValueError, r"^binary_cross_entropy: reduction"),
    (lambda: tt.binary_cross_entropy_with_logits(T((2,)), np.ones(3)), ValueError,
     r"^binary_cross_entropy_with_logits: prediction has shape \(2,\), target has shape \(3,\)"),
    (lambda: tt.binary_cross_entropy_with_logits(T((2,)), np.ones(2), "x"), ValueError,
     r"^binary_cross_entropy_with_logits: reduction"),
    (lambda: tt.cross_entropy(T((2, 3)), np.array([0.0, 1.0])), TypeError,
     r"^cross_entropy: targets must be integer class indices, got dtype float64"),
    (lambda: tt.cross_entropy(T((2, 3)), np.array([0, 1, 2])), ValueError,
     r"^cross_entropy: logits of shape \(2, 3\) need targets of shape \(2,\), got \(3,\)"),
    (lambda: tt.cross_entropy(T(()), np.array(0)), ValueError, r"^cross_entropy: logits of shape \(\) need targets"),
    (lambda: tt.cross_entropy(T((2, 3, 4)), np.zeros(2, np.int64)), ValueError,
     r"^cross_entropy: logits of shape \(2, 3, 4\) need targets of shape \(2, 3\), got \(2,\)"),
    (lambda: tt.cross_entropy(T((2, 3)), np.array([0, 3])), ValueError, r"^cross_entropy: target 3 is out of range for 3 classes"),
    (lambda: tt.cross_entropy(T((2, 3)), np.array([-1, 2])), ValueError, r"^cross_entropy: target -1 is out of range for 3"),
    (lambda: tt.cross_entropy(T((2, 3)), np.array([0, 1]), "avg"), ValueError,
     r"^cross_entropy: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
    (lambda: tt.accuracy(np.ones((4, 3)), np.ones(5)), ValueError,
     r"^accuracy: outputs of shape \(4, 3\) do not match targets of shape \(5,\)"),
    # spatial
    (lambda: spatial.conv2d(T((1, 2, 4)), T((1, 2, 2, 2))), ValueError, r"^conv2d: input must be 4-D \(N, C, H, W\), got shape \(1, 2, 4\)"),
    (lambda: spatial.conv2d(T((1, 2, 4, 4)), T((1, 2, 2))), ValueError, r"^conv2d: weight must be 4-D \(O, C, kH, kW\), got shape \(1, 2, 2\)"),
    (lambda: spatial.conv2d(T((1, 2, 4, 4)), T((1, 3, 2, 2))), ValueError,
     r"^conv2d: input has 2 channels \(shape \(1, 2, 4, 4\)\) but weight \(1, 3, 2, 2\) expects 3"),
    (lambda: spatial.conv2d(T((1, 2, 4, 4)), T((3, 2, 2, 2)), T((2,))), ValueError,
     r"^conv2d: bias must have shape \(3,\) for weight \(3, 2, 2, 2\), got \(2,\)"),
    (lambda: spatial.conv2d(T((1, 2, 4, 4)), T((3, 2, 5, 2))), ValueError,
     r"^conv2d: kernel \(5, 2\) is larger than the padded input \(4, 4\) \(input shape \(1, 2, 4, 4\), padding \(0, 0\)\)"),
    (lambda: spatial.conv2d(T((1, 2, 4, 4)), T((3, 2, 2, 7)), padding=1), ValueError,
     r"^conv2d: kernel \(2, 7\) is larger than the padded input \(6, 6\)"),
    (lambda: spatial.conv2d(T((1, 2, 4, 4)), T((3, 2, 7, 2)), padding=1), ValueError,
     r"^conv2d: kernel \(7, 2\) is larger than the padded input \(6, 6\)"),
    (lambda: spatial.conv2d(T((1, 2, 4, 4)), T((3, 2, 2, 2)), stride=0), ValueError, r"^conv2d: stride must be at least 1, got 0"),
    (lambda: spatial.conv2d(T((1, 2, 4, 4)), T((3, 2, 2, 2)), padding=-1), ValueError, r"^conv2d: padding must be at least 0, got -1"),
    (lambda: spatial.conv2d(T((1, 2, 4, 4)), T((3, 2, 2, 2)), stride=1.5), TypeError,
     r"^conv2d: stride must be an int or a pair of ints, got 1.5"),
    (lambda: spatial.conv2d(T((1, 2, 4, 4)), T((3, 2, 2, 2)), stride=(1, 1, 1)), TypeError,
     r"^conv2d: stride must be an int or a pair of ints, got \(1, 1, 1\)"),
    (lambda: spatial.conv2d(T((1, 2, 4, 4)), T((3, 2, 2, 2)), stride=True), TypeError, r"^conv2d: stride must be an int"),
    (lambda: tt.Conv2d(0, 2, 3), ValueError, r"^Conv2d: channels must be positive, got in_channels=0, out_channels=2"),
    (lambda: tt.Conv2d(2, 0, 3), ValueError, r"^Conv2d: channels must be positive, got in_channels=2, out_channels=0"),
    (lambda: tt.Conv2d(2, 2, 0), ValueError, r"^Conv2d: kernel_size must be at least 1, got 0"),
    (lambda: tt.Conv2d(2, 2, 3, stride=0), ValueError, r"^Conv2d: stride must be at least 1, got 0"),
    (lambda: tt.Conv2d(2, 2, 3, padding=-1), ValueError, r"^Conv2d: padding must be at least 0, got -1"),
    (lambda: tt.Conv2d(2, 2, 3, stride=(1, 2, 3)), TypeError, r"^Conv2d: stride must be an int or a pair of ints"),
    (lambda: tt.Conv2d(2, 2, 3, padding=1.0), TypeError, r"^Conv2d: padding must be an int or a pair of ints"),
    (lambda: tt.Conv2d(2, 2, True), TypeError, r"^Conv2d: kernel_size must be an int or a pair of ints, got True"),
    (lambda: tt.Conv2d(2, 2, 3)(T((1, 3, 5, 5))), ValueError,
     r"^Conv2d: input of shape \(1, 3, 5, 5\) has 3 channels, expected in_channels=2"),
    (lambda: tt.Conv2d(2, 2, 3)(T((2, 5, 5))), ValueError, r"^Conv2d: input must be 4-D \(N, C, H, W\), got shape \(2, 5, 5\)"),
    (lambda: spatial.max_pool2d(T((1, 1, 4, 4)), 2, padding=2), ValueError,
     r"^max_pool2d: padding \(2, 2\) must be at most half the kernel \(2, 2\)"),
    (lambda: spatial.avg_pool2d(T((1, 1, 4, 4)), (3, 2), padding=(1, 2)), ValueError,
     r"^avg_pool2d: padding \(1, 2\) must be at most half the kernel \(3, 2\)"),
    (lambda: spatial.max_pool2d(T((1, 1, 2, 2)), 3), ValueError, r"^max_pool2d: kernel \(3, 3\) is larger than the padded input \(2, 2\)"),
    (lambda: spatial.avg_pool2d(T((1, 2, 2)), 2), ValueError, r"^avg_pool2d: input must be 4-D"),
    (lambda: spatial.max_pool2d(T((1, 1, 4, 4)), 2, stride=0), ValueError, r"^max_pool2d: stride must be at least 1"),
    (lambda: tt.MaxPool2d(0), ValueError, r"^MaxPool2d: kernel_size must be at least 1, got 0"),
    (lambda: tt.AvgPool2d(2, stride=0), ValueError, r"^AvgPool2d: stride must be at least 1, got 0"),
    (lambda: tt.AvgPool2d(2, padding=-1), ValueError, r"^AvgPool2d: padding must be at least 0, got -1"),
    (lambda: tt.Flatten(2, 1)(T((2, 3, 4))), ValueError, r"^Flatten: dims \(2, 1\) do not fit a tensor of shape \(2, 3, 4\)"),
    (lambda: tt.Flatten(3)(T((2, 3, 4))), ValueError, r"^Flatten: dims \(3, -1\) do not fit"),
    (lambda: tt.Flatten(0, 3)(T((2, 3, 4))), ValueError, r"^Flatten: dims \(0, 3\) do not fit"),
    (lambda: tt.Flatten(-4)(T((2, 3, 4))), ValueError, r"^Flatten: dims \(-4, -1\) do not fit"),
    (lambda: tt.Flatten(0, -4)(T((2, 3, 4))), ValueError, r"^Flatten: dims \(0, -4\) do not fit"),
    # attention and transformer
    (lambda: tt.causal_mask(0), ValueError, r"^causal_mask: num_queries must be a positive integer, got 0"),
    (lambda: tt.causal_mask(2.0), ValueError, r"^causal_mask: num_queries must be a positive integer, got 2.0"),
    (lambda: tt.padding_mask(np.array([1.0]), 3), TypeError,
     r"^padding_mask: lengths must be a 1-D integer array, got shape \(1,\), dtype float64"),
    (lambda: tt.padding_mask(np.array([[1]]), 3), TypeError, r"^padding_mask: lengths must be a 1-D integer array, got shape \(1, 1\)"),
    (lambda: tt.padding_mask([1, 4], 3), ValueError, r"^padding_mask: lengths must lie in \[0, max_len=3\], got \[1, 4\]"),
    (lambda: tt.padding_mask([-1, 2], 3), ValueError, r"^padding_mask: lengths must lie in \[0, max_len=3\], got \[-1, 2\]"),
    (lambda: tt.scaled_dot_product_attention(T((3, 4)), T((3, 4)), T((3, 4)), mask=np.ones((3, 3), np.int64)), TypeError,
     r"^scaled_dot_product_attention: integer mask \(dtype int64\) is ambiguous"),
    (lambda: tt.scaled_dot_product_attention(T((3, 4)), T((3, 4)), T((3, 4)), mask=np.eye(3)), ValueError,
     r"^scaled_dot_product_attention: float mask holds only 0s and 1s"),
    (lambda: tt.scaled_dot_product_attention(T((3, 4)), T((3, 4)), T((3, 4)), mask=np.full((3, 3), "a")), TypeError,
     r"^scaled_dot_product_attention: mask must be boolean or float, got dtype <U1"),
    (lambda: tt.scaled_dot_product_attention(T((3, 4)), T((3, 4)), T((3, 4)), mask=np.ones((2, 3), bool)), ValueError,
     r"^scaled_dot_product_attention: mask of shape \(2, 3\) does not broadcast to the scores' shape \(3, 3\) \(\.\.\., Lq, Lk\)"),
    (lambda: tt.scaled_dot_product_attention(T((3, 4)), T((3, 4)), T((3, 4)), mask=np.ones((2, 3, 3), bool)), ValueError,
     r"^scaled_dot_product_attention: mask of shape \(2, 3, 3\) does not broadcast to the scores' shape \(3, 3\)"),
    (lambda: tt.scaled_dot_product_attention(T((4,)), T((3, 4)), T((3, 4))), ValueError,
     r"^attention: query, key and value need at least 2 dimensions \(\.\.\., L, d\), got \[\(4,\), \(3, 4\), \(3, 4\)\]"),
    (lambda: tt.scaled_dot_product_attention(T((3, 4)), T((4,)), T((3, 4))), ValueError, r"^attention: query, key and value need"),
    (lambda: tt.scaled_dot_product_attention(T((3, 4)), T((3, 4)), T((4,))), ValueError, r"^attention: query, key and value need"),
    (lambda: attention.attention_weights(T((4,)), T((3, 4))), ValueError,
     r"^attention: query, key and value need at least 2 dimensions \(\.\.\., L, d\), got \[\(4,\), \(3, 4\)\]"),
    (lambda: tt.scaled_dot_product_attention(T((3, 4)), T((3, 5)), T((3, 5))), ValueError,
     r"^attention: query \(3, 4\) and key \(3, 5\) differ in their last \(d_k\) dimension"),
    (lambda: tt.scaled_dot_product_attention(T((3, 4)), T((3, 4)), T((2, 4))), ValueError,
     r"^attention: key \(3, 4\) and value \(2, 4\) have different lengths Lk"),
    (lambda: tt.scaled_dot_product_attention(T((2, 3, 4)), T((3, 3, 4)), T((3, 3, 4))), ValueError,
     r"^attention: leading \(batch/head\) axes of query \(2, 3, 4\) and key \(3, 3, 4\) and value \(3, 3, 4\) cannot be broadcast"),
    (lambda: attention.attention_weights(T((2, 3, 4)), T((3, 3, 4))), ValueError,
     r"^attention: leading \(batch/head\) axes of query \(2, 3, 4\) and key \(3, 3, 4\) cannot be broadcast"),
    (lambda: tt.MultiHeadAttention(6, 4), ValueError, r"^MultiHeadAttention: embed_dim=6 must be divisible by num_heads=4"),
    (lambda: tt.MultiHeadAttention(6, 0), ValueError, r"^MultiHeadAttention: embed_dim=6 must be divisible by num_heads=0"),
    (lambda: tt.MultiHeadAttention(4, 2)(T((2, 3, 5))), ValueError,
     r"^MultiHeadAttention: query must be \(batch, seq, embed_dim=4\), got \(2, 3, 5\)"),
    (lambda: tt.MultiHeadAttention(4, 2)(T((3, 4))), ValueError, r"^MultiHeadAttention: query must be \(batch, seq, embed_dim=4\)"),
    (lambda: tt.MultiHeadAttention(4, 2)(T((2, 3, 4)), T((2, 3, 5))), ValueError, r"^MultiHeadAttention: key must be"),
    (lambda: tt.MultiHeadAttention(4, 2)(T((2, 3, 4)), T((2, 3, 4)), T((2, 3, 3))), ValueError, r"^MultiHeadAttention: value must be"),
    (lambda: tt.MultiHeadAttention(4, 2)(T((2, 3, 4)), T((2, 5, 4)), T((2, 4, 4))), ValueError,
     r"^MultiHeadAttention: query \(2, 3, 4\), key \(2, 5, 4\) and value \(2, 4, 4\) need one batch size"),
    (lambda: tt.MultiHeadAttention(4, 2)(T((2, 3, 4)), T((1, 3, 4))), ValueError,
     r"^MultiHeadAttention: query \(2, 3, 4\), key \(1, 3, 4\) and value \(1, 3, 4\) need one batch size"),
    (lambda: tt.MultiHeadAttention(4, 2)(T((2, 3, 4)), mask=np.ones((2, 3, 3), bool)), ValueError,
     r"^MultiHeadAttention: a 3-D mask of shape \(2, 3, 3\) is ambiguous"),
    (lambda: tt.sinusoidal_positional_encoding(0, 4), ValueError,
     r"^sinusoidal_positional_encoding: max_len=0 and d_model=4 must be positive"),
    (lambda: tt.sinusoidal_positional_encoding(4, 0), ValueError, r"^sinusoidal_positional_encoding: max_len=4 and d_model=0"),
    (lambda: tt.PositionalEncoding(4, max_len=3)(T((2, 4, 4))), ValueError,
     r"^PositionalEncoding: input must be \(\.\.\., L <= max_len=3, d_model=4\), got \(2, 4, 4\)"),
    (lambda: tt.PositionalEncoding(4)(T((2, 3, 5))), ValueError, r"^PositionalEncoding: input must be .* got \(2, 3, 5\)"),
    (lambda: tt.PositionalEncoding(4)(T((4,))), ValueError, r"^PositionalEncoding: input must be .* got \(4,\)"),
    (lambda: tt.TransformerBlock(4, 2, 8, causal=True)(T((2, 3, 4)), mask=np.ones((3, 3), np.int64)), TypeError,
     r"^TransformerBlock: integer mask \(dtype int64\) is ambiguous"),
    # optimizers
    (lambda: tt.SGD([], lr=0.1), ValueError, r"^SGD: got an empty parameter list"),
    (lambda: tt.Adam(iter([])), ValueError, r"^Adam: got an empty parameter list"),
    (lambda: tt.SGD([T((2,))], lr=0.1), TypeError, r"^SGD: every parameter must be a Tensor with requires_grad=True"),
    (lambda: tt.SGD([np.ones(2)], lr=0.1), TypeError, r"^SGD: every parameter must be a Tensor"),
    (lambda: tt.SGD([T((2,), requires_grad=True)], lr=0.0), ValueError, r"^SGD: learning rate must be positive, got 0.0"),
    (lambda: tt.AdamW([T((2,), requires_grad=True)], lr=-1), ValueError, r"^AdamW: learning rate must be positive, got -1"),
    (lambda: tt.Adam([T((2,), requires_grad=True)], betas=(1.0, 0.9)), ValueError,
     r"^Adam: betas must lie in \[0, 1\), got \(1.0, 0.9\)"),
    (lambda: tt.Adam([T((2,), requires_grad=True)], betas=(0.9, 1.0)), ValueError, r"^Adam: betas must lie in \[0, 1\)"),
    (lambda: tt.Adam([T((2,), requires_grad=True)], betas=(-0.1, 0.9)), ValueError, r"^Adam: betas must lie in \[0, 1\)"),
    (lambda: tt.Adam([T((2,), requires_grad=True)], betas=(0.9, -0.1)), ValueError, r"^Adam: betas must lie in \[0, 1\)"),
    (lambda: optimizers.Optimizer([T((2,), requires_grad=True)], 0.1).step(), NotImplementedError, None),
    # data, serialization, training, random
    (lambda: len(dataloader.Dataset()), NotImplementedError, r"^Dataset must define __len__"),
    (lambda: dataloader.Dataset()[0], NotImplementedError, r"^Dataset must define __getitem__"),
    (lambda: dataloader.TensorDataset(), ValueError, r"^TensorDataset: needs at least one array"),
    (lambda: dataloader.TensorDataset(np.ones(3), np.array(1.0)), ValueError,
     r"^TensorDataset: every array needs a first \(sample\) dimension; got shapes \[\(3,\), \(\)\]"),
    (lambda: dataloader.TensorDataset(np.ones(3), np.ones(4)), ValueError,
     r"^TensorDataset: arrays have different lengths \(3, 4\); all need the same first dimension"),
    (lambda: dataloader.DataLoader([1, 2], batch_size=0), ValueError, r"^DataLoader: batch_size must be a positive integer, got 0"),
    (lambda: dataloader.DataLoader([1, 2], batch_size=True), ValueError, r"^DataLoader: batch_size must be a positive integer, got True"),
    (lambda: dataloader.DataLoader([1, 2], batch_size=2.0), ValueError, r"^DataLoader: batch_size must be a positive integer, got 2.0"),
    (lambda: dataloader.random_split(dataloader.TensorDataset(np.ones(4)), []), ValueError,
     r"^random_split: fractions must be non-negative numbers, got \[\]"),
    (lambda: dataloader.random_split(dataloader.TensorDataset(np.ones(4)), [0.5, -0.5, 1.0]), ValueError,
     r"^random_split: fractions must be non-negative numbers"),
    (lambda: dataloader.random_split(dataloader.TensorDataset(np.ones(4)), [True, 3]), ValueError,
     r"^random_split: fractions must be non-negative numbers"),
    (lambda: dataloader.random_split(dataloader.TensorDataset(np.ones(4)), ["a"]), ValueError,
     r"^random_split: fractions must be non-negative numbers"),
    (lambda: dataloader.random_split(dataloader.TensorDataset(np.ones(4)), [1, 2]), ValueError,
     r"^random_split: lengths \(1, 2\) sum to 3, but the dataset has 4 samples"),
    (lambda: dataloader.random_split(dataloader.TensorDataset(np.ones(4)), [0.5, 0.4]), ValueError,
     r"^random_split: fractions \(0.5, 0.4\) sum to 0.9, not 1"),
    (lambda: random.manual_seed(-1), ValueError, r"^manual_seed: seed must be a non-negative integer, got -1"),
    (lambda: random.manual_seed(1.5), ValueError, r"^manual_seed: seed must be a non-negative integer, got 1.5"),
    (lambda: training.fit(tt.Linear(1, 1), [], tt.mse_loss, None, epochs=-1), ValueError,
     r"^fit: epochs must be a non-negative integer, got -1"),
    (lambda: training.fit(tt.Linear(1, 1), [], tt.mse_loss, None, epochs=True), ValueError,
     r"^fit: epochs must be a non-negative integer, got True"),
    (lambda: training.fit(tt.Linear(1, 1), [], tt.mse_loss, None, epochs=1.0), ValueError,
     r"^fit: epochs must be a non-negative integer, got 1.0"),
    (lambda: training.fit(tt.Linear(1, 1), [], tt.mse_loss, None, epochs=1, keep_best="val_loss"), ValueError,
     r"^fit: keep_best='val_loss' is not a recorded value; choose one of \['train_loss'\]"),
    (lambda: training.fit(tt.Linear(1, 1), [], tt.mse_loss, None, epochs=1, keep_best="x", val_loader=[],
                          metrics={"acc": None}), ValueError,
     r"choose one of \['train_loss', 'train_acc', 'val_loss', 'val_acc'\]"),
    (lambda: training.evaluate(tt.Linear(1, 1), [], tt.mse_loss), ValueError, r"^fit: the loader yielded no samples"),
    (lambda: training.evaluate(tt.Linear(1, 1), [(T((2, 1)),)], tt.mse_loss), ValueError,
     r"^evaluate: each batch needs inputs and targets, got a batch of 1 array\(s\)"),
    (lambda: training.fit(tt.Linear(1, 1), [(T((2, 1)),)], tt.mse_loss, tt.SGD([T((1,), requires_grad=True)], lr=0.1),
                          epochs=1, verbose=False), ValueError,
     r"^fit: each batch needs inputs and targets, got a batch of 1"),
]


@pytest.mark.parametrize("call, error, pattern", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_bad_input_raises_a_clear_error(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_gradcheck_reports_a_wrong_gradient_by_index():
    def wrong(x):  # forward x^2, backward claims 3x
        return tt.Tensor._from_op(x.data ** 2, (x,), lambda grad: (grad * 3 * x.data,), "wrong")

    with pytest.raises(autograd.GradcheckError, match=r"^gradcheck: gradient of input 0 \(shape \(2,\)\) is wrong at index"):
        autograd.gradcheck(wrong, [np.array([1.0, 2.0])])
    worst = autograd.gradcheck(lambda x: x * x, [np.array([1.0, 2.0])])
    assert 0 <= worst < 1e-6


def test_gradcheck_checks_parameters_and_nonfinite_gradients():
    weight = tt.Tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), dtype=np.float64)
    assert autograd.gradcheck(lambda x: x @ weight, [np.ones((1, 2))], params=[weight]) < 1e-6
    assert weight.requires_grad

    def blind(x):  # the parameter changes the output, but no gradient reaches it
        return tt.Tensor._from_op(x.data * weight.data, (x, weight), lambda grad: (grad * weight.data, None), "blind")

    with pytest.raises(autograd.GradcheckError, match=r"^gradcheck: gradient of parameter 0 \(shape \(2, 2\)\)"):
        autograd.gradcheck(blind, [np.ones((2, 2))], params=[weight])

    def infinite(x):
        return tt.Tensor._from_op(x.data * 0, (x,), lambda grad: (grad * np.inf,), "infinite")

    with pytest.raises(autograd.GradcheckError, match=r"^gradcheck: gradient of input 0"):
        autograd.gradcheck(infinite, [np.ones(2)])


def test_values_just_inside_each_range_are_accepted():
    tt.Dropout(0.0), tt.Dropout(1.0)
    assert tt.padding_mask([0, 3], 3).shape == (2, 1, 1, 3)
    assert tt.Embedding(4, 2)(np.array([0, 3])).shape == (2, 2)
    assert tt.cross_entropy(T((2, 3)), np.array([0, 2])).shape == ()
    assert spatial.max_pool2d(T((1, 1, 4, 4)), 4).shape == (1, 1, 1, 1)  # a kernel as large as the input
    assert spatial.max_pool2d(T((1, 1, 4, 4)), 2, padding=1).shape == (1, 1, 3, 3)  # padding half the kernel
    assert spatial.conv2d(T((1, 1, 2, 2)), T((1, 1, 4, 4)), padding=1).shape == (1, 1, 1, 1)
    assert tt.Adam([T((1,), requires_grad=True)], betas=(0.0, 0.0)).betas == (0.0, 0.0)
    assert tt.PositionalEncoding(4, max_len=3)(T((3, 4))).shape == (3, 4)
    assert T((2, 3)).unsqueeze(2).shape == (2, 3, 1) and T((2, 3)).unsqueeze(-3).shape == (1, 2, 3)
    assert T((2, 3)).transpose(-2, 1).shape == (3, 2)
    assert random.manual_seed(0) is random.default_rng()
    assert len(dataloader.DataLoader([1, 2], batch_size=np.int64(1))) == 2
    assert tt.causal_mask(np.int32(1)).shape == (1, 1)
    assert training.fit(tt.Linear(1, 1), [], tt.mse_loss, None, epochs=np.int64(0), verbose=False).epochs == 0
    assert serialization.load is training.load and layers.Parameter is tt.Parameter
    assert ops.clip(T((2,)), min=0.5).shape == (2,) and shaping.squeeze(T((1,))).shape == ()
    assert reductions.argmax(T((2, 3)), axis=-1).shape == (2,) and selection.stack([T(())]).shape == (1,)


def test_load_names_missing_unexpected_and_misshapen_arrays(tmp_path):
    path = serialization.save(tt.Linear(2, 3), tmp_path / "linear")
    with pytest.raises(ValueError, match=r"^load: .*linear.npz does not match Linear: missing \['extra'\], unexpected \[\]"):
        serialization.load(_WithExtra(), path)
    with pytest.raises(ValueError, match=r"^load: .* does not match Sequential: missing \[\], unexpected \['bias', 'weight'\]"):
        serialization.load(tt.Sequential(), path)
    with pytest.raises(ValueError, match=r"^load: shapes differ: weight is \(2, 3\) in the file but \(3, 3\) in the module, "
                                         r"bias is \(3,\) in the file but \(3,\)|^load: shapes differ: weight is \(2, 3\)"):
        serialization.load(tt.Linear(3, 3), path)


class _WithExtra(tt.Linear):
    def __init__(self):
        super().__init__(2, 3)
        self.extra = layers.Parameter(np.zeros(1, dtype=np.float32))

    def __repr__(self):
        return "Linear"


_WithExtra.__name__ = "Linear"


def test_gradcheck_default_tolerances_catch_a_small_error():
    def slightly_off(x):  # backward 1% too large
        return tt.Tensor._from_op(x.data * 3, (x,), lambda grad: (grad * 3.03,), "slightly_off")

    with pytest.raises(autograd.GradcheckError, match=r"analytic .* numeric .* atol 1e-05, rtol 0.001"):
        autograd.gradcheck(slightly_off, [np.array([0.5, -0.5])])
    assert autograd.gradcheck(lambda x: x * 3, [np.array([0.5, -0.5])]) < 1e-8


def test_load_lists_every_misshapen_array(tmp_path):
    path = serialization.save(tt.Linear(2, 3), tmp_path / "linear")
    with pytest.raises(ValueError, match=r"^load: shapes differ: weight is \(2, 3\) in the file but \(3, 4\) in the module, "
                                         r"bias is \(3,\) in the file but \(4,\) in the module$"):
        serialization.load(tt.Linear(3, 4), path)


def test_gradcheck_names_the_index_of_the_wrong_element_and_scales_tolerance_with_the_value():
    def wrong_at_two(x):  # only element 2 gets a gradient 0.01 too large
        return tt.Tensor._from_op(x.data * 2, (x,), lambda grad: (grad * (2 + 0.01 * (np.arange(4) == 2)),), "off")

    with pytest.raises(autograd.GradcheckError, match=r"is wrong at index \(2,\)"):
        autograd.gradcheck(wrong_at_two, [np.array([0.1, 0.2, 0.3, 0.4])])
    # large values: finite differences are off by about 1e-4 absolutely, well within rtol
    assert autograd.gradcheck(lambda x: x * x * x, [np.array([100.0, -80.0])]) < 1e-2
    assert autograd.gradcheck(lambda x: x * 2, [np.zeros(0)]) == 0.0
