"""The shipped MNIST 10k/10k (runners/data/mnist10k) for the Python scripts
beside lwl's experiments: `load()` gives (train images, train labels, test
images, test labels), images as rows of 784 values in [0, 1]."""
import gzip
import os

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../runners/data/mnist10k")


def idx(name):
    """One IDX file of the set, as an array of its shape."""
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw[4 + 4 * dims :], dtype=np.uint8).reshape(shape)


def load():
    """Train images, train labels, test images, test labels."""
    return (
        idx("train-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0,
        idx("train-labels-idx1-ubyte.gz"),
        idx("test-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0,
        idx("test-labels-idx1-ubyte.gz"),
    )
