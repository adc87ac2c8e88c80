"""The core of tinytorch: tensors, autograd, layers, losses and optimizers."""
