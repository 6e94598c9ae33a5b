"""Datasets for teachnet, offline first.

- Synthetic 2-D data you can plot (`synthetic.py`): `gaussian_clouds` (Deep
  Learning with Python's linear classifier) and the TensorFlow Playground's
  `circle`, `xor`, `gauss`, `spiral`, `plane`, `regress_gaussian`.
"""
from teachnet.datasets.synthetic import (  # noqa: F401
    circle, gauss, gaussian_clouds, plane, regress_gaussian, spiral, xor,
)
