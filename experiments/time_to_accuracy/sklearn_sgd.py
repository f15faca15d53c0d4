#!/usr/bin/env python3
"""The yardstick of issue 20's time-to-accuracy target: scikit-learn's
MLPClassifier with SGD on the shipped MNIST 10k/10k (pixels / 255), the
settings the issue names, one thread. Prints one JSON line per fit: seed,
seconds of the fit (from process start and of fit() alone), epochs, test
error. Needs numpy and scikit-learn (pip install numpy scikit-learn).
Usage: OMP_NUM_THREADS=1 sklearn_sgd.py [SEED ...]"""
import time

START = time.time()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from sklearn.neural_network import MLPClassifier  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from mnist10k import load  # noqa: E402

xtr, ytr, xte, yte = load()
for seed in [int(s) for s in sys.argv[1:]] or [1]:
    t0 = time.time()
    m = MLPClassifier(hidden_layer_sizes=(20,), solver="sgd", learning_rate="adaptive", learning_rate_init=0.01,
                      batch_size=1000, alpha=0, max_iter=1000, random_state=seed)
    m.fit(xtr, ytr)
    fit = time.time() - t0
    err = float((m.predict(xte) != yte).mean())
    print(json.dumps({"seed": seed, "fit_seconds": fit, "from_start": time.time() - START, "epochs": m.n_iter_,
                      "test_err": err}), flush=True)
