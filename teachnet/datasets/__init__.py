"""Datasets for teachnet, offline first.

- Synthetic 2-D data you can plot (`synthetic.py`): `gaussian_clouds` (Deep
  Learning with Python's linear classifier) and the TensorFlow Playground's
  `circle`, `xor`, `gauss`, `spiral`, `plane`, `regress_gaussian`.
- Sequence tasks (`sequences.py`): `parity`, `counting`, `noisy_sine`, and
  `digit_strips` for a CTC loss.
- Bundled real data (`digits.py`): `load_digits()`, the 8x8 UCI handwritten digits.
- Keras's datasets with Keras's signatures and results, downloaded once into a
  cache (`download.py`): `mnist`, `fashion_mnist`, `imdb`, `reuters`,
  `boston_housing`, each with `load_data()`.
"""
from teachnet.datasets import boston_housing, fashion_mnist, imdb, mnist, reuters  # noqa: F401
from teachnet.datasets.digits import load_digits  # noqa: F401
from teachnet.datasets.sequences import counting, digit_strips, noisy_sine, parity  # noqa: F401
from teachnet.datasets.synthetic import (  # noqa: F401
    circle, gauss, gaussian_clouds, plane, regress_gaussian, spiral, xor,
)
