"""Outside anchor for `npm run bench`: PyTorch float64 Conv / ConvTranspose on the bench layers.

Same protocol as bench/numpy_anchor.py: one JSON problem per line on stdin (convcheck's ConvProblem
fields with explicit pads resolved by the caller, operands x and w as flat lists), one JSON line
per problem on stdout:
{"ms1": median ms on 1 thread, "msAll": median ms on every core ("threads": os.cpu_count()),
 "msWithS1": median ms of y and S = conv(|x|, |w|) on 1 thread, "runs": k, "sum": Σy, "absSum": Σ|y|}.
Issue 13 sets the reference's target at "the speed of PyTorch's float64 CPU convolution on this
machine"; this measures that speed on the same problem and operands. The reference computes y, S
and n per element, so "y and S" (two convolutions) is the nearer comparison; n is not timed here.
Run with the interpreter that has torch (Debian's python3-torch: /usr/bin/python3).
"""
import os
import time

import torch
import torch.nn.functional as F

from anchor_requests import answer, requests

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def conv(x, w, p):
    rank = len(p["strides"])
    pb, pe = p["padsBegin"], p["padsEnd"]
    if pb == pe:
        padding = pb
    else:
        # F.pad takes (last axis begin, last axis end, previous axis begin, ...)
        x = F.pad(x, [v for a in reversed(range(rank)) for v in (pb[a], pe[a])])
        padding = 0
    return CONV[rank](x, w, stride=p["strides"], padding=padding, dilation=p["dilations"], groups=p["group"])


def conv_transpose(x, w, p):
    rank = len(p["strides"])
    s, d, pb, out = p["strides"], p["dilations"], p["padsBegin"], p["outShape"]
    k = w.shape[2:]
    full = [s[a] * (x.shape[2 + a] - 1) + d[a] * (k[a] - 1) + 1 for a in range(rank)]
    if all(full[a] - out[a] == 2 * pb[a] for a in range(rank)):  # torch crops pb at both ends
        return CONV_TRANSPOSE[rank](x, w, stride=s, padding=pb, dilation=d, groups=p["group"])
    y = CONV_TRANSPOSE[rank](x, w, stride=s, dilation=d, groups=p["group"])
    grow = [max(0, pb[a] + out[a] - full[a]) for a in range(rank)]
    if any(grow):
        y = F.pad(y, [v for a in reversed(range(rank)) for v in (0, grow[a])])
    return y[(slice(None), slice(None)) + tuple(slice(pb[a], pb[a] + out[a]) for a in range(rank))]


def median_ms(run, runs):
    run()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    # every core, not torch.get_num_threads(): Debian's torch 1.13 starts with 1 thread here
    all_threads = os.cpu_count() or 1
    with torch.no_grad():
        for p in requests():
            x = torch.tensor(p["x"], dtype=torch.float64).reshape(p["xShape"])
            w = torch.tensor(p["w"], dtype=torch.float64).reshape(p["wShape"])
            ax, aw = x.abs(), w.abs()
            op = conv if p["op"] == "conv" else conv_transpose
            y = op(x, w, p)
            if list(y.shape) != p["yShape"]:
                raise SystemExit(f"torch anchor: shape {list(y.shape)} for {p['yShape']}")
            runs = p.get("runs", 5)
            torch.set_num_threads(1)
            ms1 = median_ms(lambda: op(x, w, p), runs)
            ms_with_s1 = median_ms(lambda: (op(x, w, p), op(ax, aw, p)), runs)
            torch.set_num_threads(all_threads)
            ms_all = median_ms(lambda: op(x, w, p), runs)
            answer({
                "ms1": ms1, "msAll": ms_all, "threads": all_threads, "msWithS1": ms_with_s1, "runs": runs,
                "sum": float(y.sum()), "absSum": float(y.abs().sum()),
            })


if __name__ == "__main__":
    main()
