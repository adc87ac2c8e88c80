"""tinytorch: a small NumPy deep-learning library with reverse-mode autograd."""
