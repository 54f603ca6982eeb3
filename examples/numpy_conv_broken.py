#!/usr/bin/env python3
"""A DELIBERATELY BROKEN variant of numpy_conv.py, which convcheck's gate must reject.

The one bug: ConvTranspose crops its full output with the pads swapped (the end pad
taken at the beginning), a classic slip that only shows when the begin and end pads
differ: asymmetric explicit pads, SAME_UPPER / SAME_LOWER with an odd total, or an
output_shape. Symmetric problems still pass.

Everything else is numpy_conv.py itself: this file imports it and replaces its one
function `crop`, so the two cannot drift apart.

Gate it:  convcheck gate --backend cmd:"python3 examples/numpy_conv_broken.py"
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_conv  # noqa: E402  (the correct implementation, next to this file)


def crop(buffer, pads_begin, pads_end, full):
    """numpy_conv.crop with the begin and end pads swapped."""
    # BUG (deliberate): the end pad is cropped at the beginning and the begin pad at the end.
    spatial = tuple(slice(end, size - begin) for begin, end, size in zip(pads_begin, pads_end, full))
    return buffer[(slice(None), slice(None)) + spatial]


if __name__ == "__main__":
    numpy_conv.crop = crop
    numpy_conv.main(name="numpy-conv-broken")
