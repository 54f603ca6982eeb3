"""Outside anchor for `npm run bench`: numpy float64 Conv / ConvTranspose on the bench layers.

Reads one JSON problem per line on stdin (the fields of convcheck's ConvProblem with explicit pads
resolved by the caller, and the operands x and w as flat lists), writes one JSON line per problem:
{"ms": median milliseconds, "runs": k, "sum": Σy, "absSum": Σ|y|} (the sums let the caller check
that numpy computed the same output as the reference).
The formulation is numpy's own (sliding windows + einsum, which calls BLAS through tensordot-like
contractions), float64, value only (no S, no n): a second outside reference point next to ONNX
Runtime, not a convcheck backend. OpenBLAS may use every core.
"""
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from anchor_requests import answer, requests


def conv(x, w, p):
    g = p["group"]
    strides, dil, pb, pe = p["strides"], p["dilations"], p["padsBegin"], p["padsEnd"]
    rank = len(strides)
    x = np.pad(x, [(0, 0), (0, 0)] + [(pb[a], pe[a]) for a in range(rank)])
    k = p["kernelShape"]
    spans = [dil[a] * (k[a] - 1) + 1 for a in range(rank)]
    win = sliding_window_view(x, spans, axis=tuple(range(2, 2 + rank)))
    # stride over window positions, dilation inside each window
    win = win[(slice(None), slice(None)) + tuple(slice(None, None, strides[a]) for a in range(rank))
              + tuple(slice(None, None, dil[a]) for a in range(rank))]
    n, c = x.shape[:2]
    m = w.shape[0]
    win = win.reshape((n, g, c // g) + win.shape[2:])
    wg = w.reshape((g, m // g) + w.shape[1:])
    sp = "hwd"[:rank]
    kk = "klj"[:rank]
    y = np.einsum(f"ngc{sp}{kk},gmc{kk}->ngm{sp}", win, wg, optimize=True)
    return y.reshape((n, m) + y.shape[3:])


def conv_transpose(x, w, p):
    g = p["group"]
    strides, dil, pb = p["strides"], p["dilations"], p["padsBegin"]
    out = p["outShape"]
    rank = len(strides)
    n, c = x.shape[:2]
    mg = w.shape[1]
    k = w.shape[2:]
    xg = x.reshape((n, g, c // g) + x.shape[2:])
    wg = w.reshape((g, c // g, mg) + k)
    sp = "hwd"[:rank]
    kk = "klj"[:rank]
    cols = np.einsum(f"ngc{sp},gcm{kk}->ngm{sp}{kk}", xg, wg, optimize=True)
    full = [strides[a] * (x.shape[2 + a] - 1) + dil[a] * (k[a] - 1) + 1 for a in range(rank)]
    y = np.zeros((n, g, mg) + tuple(max(full[a], pb[a] + out[a]) for a in range(rank)))
    for tap in np.ndindex(*k):
        idx = tuple(slice(tap[a] * dil[a], tap[a] * dil[a] + strides[a] * (x.shape[2 + a] - 1) + 1, strides[a]) for a in range(rank))
        y[(slice(None),) * 3 + idx] += cols[(Ellipsis,) + tap]
    crop = tuple(slice(pb[a], pb[a] + out[a]) for a in range(rank))
    return y[(slice(None),) * 3 + crop].reshape((n, g * mg) + tuple(out))


def main():
    for p in requests():
        x = np.asarray(p["x"], dtype=np.float64).reshape(p["xShape"])
        w = np.asarray(p["w"], dtype=np.float64).reshape(p["wShape"])
        run = (lambda: conv(x, w, p)) if p["op"] == "conv" else (lambda: conv_transpose(x, w, p))
        y = run()  # warm-up
        if list(y.shape) != p["yShape"]:
            raise SystemExit(f"numpy anchor: shape {list(y.shape)} for {p['yShape']}")
        times = []
        for _ in range(p.get("runs", 5)):
            start = time.perf_counter()
            run()
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        answer({"ms": times[len(times) // 2], "runs": len(times), "sum": float(y.sum()), "absSum": float(np.abs(y).sum())})


if __name__ == "__main__":
    main()
