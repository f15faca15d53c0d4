#!/usr/bin/env python3
"""Context for docs/localprop.md: the paper's readout (a linear SVM) beside
ours (ridge one-vs-rest) on the raw pixels of the shipped 10k/10k MNIST,
scaled by one factor to unit variance as `lwl localprop` scales them.
Needs numpy and scikit-learn (pip install numpy scikit-learn)."""
import os
import sys

import numpy as np
from sklearn.svm import LinearSVC

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from mnist10k import load  # noqa: E402

xtr, ytr, xte, yte = load()
scale = xtr.std()
xtr, xte = xtr / scale, xte / scale

# ridge one-vs-rest with the bias unpenalised, α relative as lwl's --ridge 1e-3
a = np.hstack([xtr, np.ones((len(xtr), 1))])
penalty = 1e-3 * (xtr**2).mean() * len(xtr)
reg = penalty * np.eye(785)
reg[784, 784] = 0.0
t = np.eye(10)[ytr]
w = np.linalg.solve(a.T @ a + reg, a.T @ t)
ridge = (np.argmax(np.hstack([xte, np.ones((len(xte), 1))]) @ w, axis=1) != yte).mean()
print(f"ridge one-vs-rest, raw pixels: test error {ridge:.4f}")
for c in [0.001, 0.01, 0.1]:
    svm = LinearSVC(C=c, max_iter=20000).fit(xtr, ytr)
    print(f"LinearSVC C={c}, raw pixels: test error {(svm.predict(xte) != yte).mean():.4f}")
