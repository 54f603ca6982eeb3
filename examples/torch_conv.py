#!/usr/bin/env python3
"""ONNX Conv and ConvTranspose on PyTorch (CPU, float32), as an external implementation for convcheck.

It speaks convcheck's JSON-lines protocol (docs/protocol.md, version 2) on stdin and stdout:
each "run" request is answered by torch.nn.functional.conv1d/2d/3d or conv_transpose1d/2d/3d,
each "gradient" request by autograd through the same call (dx, dw and, with a bias, db).

PyTorch pads symmetrically, ONNX per side. With the pads convcheck has resolved
(request["resolved"]["pads"]), a Conv gets PyTorch's own `padding` for the part both sides
share and F.pad for the rest; a ConvTranspose gets `padding` for the shared part and
`output_padding`, and the rest is cropped off its output (or, for an end pad below zero,
which an output_shape past the full output gives, added to output_padding). PyTorch's own
padding="same" would not do for ONNX's SAME_UPPER / SAME_LOWER: it refuses strided convolutions
("padding='same' is not supported for strided convolutions", PyTorch 1.13) and conv_transpose has
none; with the resolved pads this file needs neither.

Gate it:  convcheck gate --backend cmd:"/usr/bin/python3 examples/torch_conv.py"
(Debian's python3-torch installs PyTorch for /usr/bin/python3.)
"""

import base64
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F

from numpy_conv import check  # the rules of an ONNX Conv / ConvTranspose request, shared with the numpy example

NAME = "torch"
CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def decode(wire, requires_grad=False):
    """A wire tensor {"shape": [...], "data": base64 of little-endian float32} as a float32 tensor."""
    data = np.frombuffer(base64.b64decode(wire["data"], validate=True), dtype="<f4").astype(np.float32)
    return torch.from_numpy(data.reshape(wire["shape"])).requires_grad_(requires_grad)


def encode(tensor):
    """A tensor as a wire tensor of little-endian float32."""
    data = np.ascontiguousarray(tensor.detach().numpy(), dtype="<f4")
    return {"shape": list(data.shape), "data": base64.b64encode(data.tobytes()).decode("ascii")}


def torch_pad(pads_begin, pads_end):
    """F.pad's argument: (begin, end) pairs from the last spatial axis to the first."""
    return [p for begin, end in reversed(list(zip(pads_begin, pads_end))) for p in (begin, end)]


def conv(x, w, b, group, strides, dilations, pads_begin, pads_end):
    """ONNX Conv: PyTorch's symmetric padding for min(begin, end), F.pad for what one side has more."""
    shared = [min(begin, end) for begin, end in zip(pads_begin, pads_end)]
    extra_begin = [begin - s for begin, s in zip(pads_begin, shared)]
    extra_end = [end - s for end, s in zip(pads_end, shared)]
    if any(extra_begin) or any(extra_end):
        x = F.pad(x, torch_pad(extra_begin, extra_end))
    return CONV[x.dim() - 2](x, w, b, stride=strides, padding=shared, dilation=dilations, groups=group)


def conv_transpose(x, w, b, group, strides, dilations, pads_begin, pads_end, output_padding):
    """ONNX ConvTranspose: PyTorch's padding crops min(begin, end) from both sides (never below 0),
    output_padding (plus an end pad below zero) extends the end, and the rest is cropped here."""
    shared = [max(0, min(begin, end)) for begin, end in zip(pads_begin, pads_end)]
    extended = [op + max(0, -end) for op, end in zip(output_padding, pads_end)]
    y = CONV_TRANSPOSE[x.dim() - 2](x, w, b, stride=strides, padding=shared, output_padding=extended,
                                     groups=group, dilation=dilations)
    crop = tuple(
        slice(begin - s, size - (max(0, end) - s))
        for begin, end, s, size in zip(pads_begin, pads_end, shared, y.shape[2:])
    )
    return y[(slice(None), slice(None)) + crop]


def forward(request, x, w, b):
    """The problem's op on x, w (and b), with the resolved pads."""
    problem, pads = request["problem"], request["resolved"]["pads"]
    rank = x.dim() - 2
    args = (problem["group"], problem["strides"], problem["dilations"], pads[:rank], pads[rank:])
    if problem["op"] == "conv":
        y = conv(x, w, b, *args)
    else:
        y = conv_transpose(x, w, b, *args, problem["output_padding"])
    if list(y.shape) != request["resolved"]["y_shape"]:
        raise ValueError(f"computed y shape {list(y.shape)} but convcheck expects {request['resolved']['y_shape']}")
    return y


def run(request):
    """The reply fields of one run request: y (refused by `check` when it is ill-formed)."""
    check(request)
    with torch.no_grad():
        b = decode(request["b"]) if "b" in request else None
        return {"y": encode(forward(request, decode(request["x"]), decode(request["w"]), b))}


def gradient(request):
    """The reply fields of one gradient request: autograd of L = sum(y * dy) for dx, dw (and db)."""
    check(request)
    x, w = decode(request["x"], True), decode(request["w"], True)
    b = decode(request["b"], True) if "b" in request else None
    forward(request, x, w, b).backward(decode(request["dy"]))
    grad = lambda t: t.grad if t.grad is not None else torch.zeros_like(t)  # noqa: E731 (an input no output reads)
    fields = {"dx": encode(grad(x)), "dw": encode(grad(w))}
    if b is not None:
        fields["db"] = encode(grad(b))
    return fields


def send(message):
    """One protocol line; flushed, because stdout to a pipe is block-buffered."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    send({"type": "hello", "protocol": 2, "name": NAME, "version": torch.__version__, "precision": "fp32",
          "ops": ["conv", "convTranspose"], "gradients": ["conv", "convTranspose"]})
    for line in iter(sys.stdin.readline, ""):
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            fields = gradient(request) if request["type"] == "gradient" else run(request)
            send({"type": "result", "id": request["id"], **fields})
        except Exception as error:  # an error reply, never a dead process
            send({"type": "error", "id": request.get("id"), "message": f"{type(error).__name__}: {error}"})


if __name__ == "__main__":
    main()
