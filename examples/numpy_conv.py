#!/usr/bin/env python3
"""ONNX Conv and ConvTranspose in numpy, as an external implementation for convcheck,
and the quantized ConvInteger and QLinearConv.

It speaks convcheck's JSON-lines protocol (docs/protocol.md, version 2) on stdin and
stdout: writes a hello, then answers each "run" (and "run_quantized") request with one
"result" (or "error") line, and each "gradient" request with dx, dw and db of Conv or
ConvTranspose; the quantized ConvInteger and QLinearConv too.
N-d (1-D, 2-D, 3-D), groups, strides, dilations, pads, output_padding, bias.

Gradients, with L = sum(y * dy): Conv's input gradient is its own transposed conv of dy,
its weight gradient the correlation of x with dy; ConvTranspose's are the same two read
the other way (its input gradient is the conv of dy, its weight gradient the correlation
of dy with x); the bias gradient is dy summed over all but the channel axis.

It uses the pads convcheck has already resolved (request["resolved"]["pads"]), so it
needs no auto_pad or output_shape arithmetic of its own. It refuses an ill-formed request
(`check`: a group that does not divide the channels, a weight or bias of the wrong shape,
negative pads, a zero stride, an output_padding out of range, ...) with an error reply naming
the field, its value and the rule, as `convcheck gate --error-inputs` expects. Products of float32 values are
exact in float64 and sums accumulate in float64; the output is rounded to float32 once.

Gate it:  convcheck gate --backend cmd:"python3 examples/numpy_conv.py"
"""

import base64
import itertools
import json
import sys

import numpy as np

NAME = "numpy-conv"
VERSION = "1.1.0"


def decode(wire):
    """A wire tensor {"shape": [...], "data": base64 of little-endian float32} as float64."""
    data = np.frombuffer(base64.b64decode(wire["data"], validate=True), dtype="<f4")
    return data.reshape(wire["shape"]).astype(np.float64)


def encode(array):
    """An array as a wire tensor of little-endian float32."""
    data = np.ascontiguousarray(array, dtype="<f4").tobytes()
    return {"shape": list(array.shape), "data": base64.b64encode(data).decode("ascii")}


def window(kernel_pos, dilations, strides, count):
    """Slices of one kernel tap over all output (conv) or input (transpose) positions:
    position = out_pos * stride + kernel_pos * dilation, for out_pos in 0..count-1."""
    return tuple(
        slice(k * d, k * d + (n - 1) * s + 1, s)
        for k, d, s, n in zip(kernel_pos, dilations, strides, count)
    )


def pad(x, pads_begin, pads_end):
    """x with zeros added at the beginning and end of each spatial axis; a negative end pad
    (only in gradients of a ConvTranspose whose output_shape extends its output) cuts instead."""
    padded = np.pad(x, [(0, 0), (0, 0)] + [(begin, max(0, end)) for begin, end in zip(pads_begin, pads_end)])
    return padded[(slice(None), slice(None)) + tuple(slice(0, size + min(0, end)) for size, end in zip(padded.shape[2:], pads_end))]


def conv(x, w, b, group, strides, dilations, pads_begin, pads_end):
    """ONNX Conv. x [N, C, *in], w [M, C/group, *k], b [M] or None -> y [N, M, *out]."""
    batch, channels = x.shape[:2]
    out_channels, kernel = w.shape[0], w.shape[2:]
    padded = pad(x, pads_begin, pads_end)
    out = [
        (size - d * (k - 1) - 1) // s + 1
        for size, k, s, d in zip(padded.shape[2:], kernel, strides, dilations)
    ]
    y = np.zeros([batch, out_channels] + out)
    c_per_group, m_per_group = channels // group, out_channels // group
    for g in range(group):
        x_group = padded[:, g * c_per_group:(g + 1) * c_per_group]
        w_group = w[g * m_per_group:(g + 1) * m_per_group]
        for kernel_pos in itertools.product(*(range(k) for k in kernel)):
            taps = x_group[(slice(None), slice(None)) + window(kernel_pos, dilations, strides, out)]
            tap_weights = w_group[(slice(None), slice(None)) + kernel_pos]
            y[:, g * m_per_group:(g + 1) * m_per_group] += np.einsum("nc...,mc->nm...", taps, tap_weights)
    if b is not None:
        y += b.reshape([1, out_channels] + [1] * len(out))
    return y


def crop(buffer, pads_begin, pads_end, full):
    """The ConvTranspose output inside the full-size buffer: pad_begin elements off the beginning
    of each spatial axis of size `full`, pad_end off its end (a negative end pad keeps extra zeros)."""
    spatial = tuple(slice(begin, size - end) for begin, end, size in zip(pads_begin, pads_end, full))
    return buffer[(slice(None), slice(None)) + spatial]


def conv_transpose(x, w, b, group, strides, dilations, pads_begin, pads_end, output_padding):
    """ONNX ConvTranspose. x [N, C, *in], w [C, M/group, *k] -> y [N, M, *out], with
    out = s*(in-1) + output_padding + d*(k-1) + 1 - pad_begin - pad_end: each input
    element scatters its kernel into a full-size buffer, which is then cropped by the pads."""
    batch, channels = x.shape[:2]
    m_per_group, kernel = w.shape[1], w.shape[2:]
    out_channels = m_per_group * group
    in_sizes = x.shape[2:]
    full = [
        s * (i - 1) + op + d * (k - 1) + 1
        for i, k, s, d, op in zip(in_sizes, kernel, strides, dilations, output_padding)
    ]
    # A negative end pad (an output_shape past the full output) extends the output with zeros at the end.
    extra = [max(0, -end) for end in pads_end]
    buffer = np.zeros([batch, out_channels] + [size + e for size, e in zip(full, extra)])
    c_per_group = channels // group
    for g in range(group):
        x_group = x[:, g * c_per_group:(g + 1) * c_per_group]
        w_group = w[g * c_per_group:(g + 1) * c_per_group]
        for kernel_pos in itertools.product(*(range(k) for k in kernel)):
            target = (slice(None), slice(g * m_per_group, (g + 1) * m_per_group))
            target += window(kernel_pos, dilations, strides, in_sizes)
            tap_weights = w_group[(slice(None), slice(None)) + kernel_pos]
            buffer[target] += np.einsum("nc...,cm->nm...", x_group, tap_weights)
    y = crop(buffer, pads_begin, pads_end, full)
    if b is not None:
        y = y + b.reshape([1, out_channels] + [1] * len(full))
    return y


def correlate(x, dy, group, strides, dilations, pads_begin, pads_end, kernel):
    """The weight gradient of Conv, a correlation of x with dy:
    dw[m, c, k] = sum over n, o of dy[n, m, o] * x_padded[n, g*C/group + c, o*s + k*d].
    x [N, C, *in], dy [N, M, *out] -> dw [M, C/group, *kernel]."""
    channels, out_channels, out = x.shape[1], dy.shape[1], dy.shape[2:]
    padded = pad(x, pads_begin, pads_end)
    c_per_group, m_per_group = channels // group, out_channels // group
    dw = np.zeros([out_channels, c_per_group] + list(kernel))
    for g in range(group):
        x_group = padded[:, g * c_per_group:(g + 1) * c_per_group]
        dy_group = dy[:, g * m_per_group:(g + 1) * m_per_group]
        for kernel_pos in itertools.product(*(range(k) for k in kernel)):
            taps = x_group[(slice(None), slice(None)) + window(kernel_pos, dilations, strides, out)]
            summed = [0] + list(range(2, dy.ndim))  # batch and every output position
            dw[(slice(g * m_per_group, (g + 1) * m_per_group), slice(None)) + kernel_pos] = np.tensordot(dy_group, taps, (summed, summed))
    return dw


def conv_gradients(x, w, dy, group, strides, dilations, pads_begin, pads_end):
    """dx and dw of ONNX Conv: dx is the transposed conv of dy with the same weights, with the
    output_padding that gives back x's size; dw the correlation of x with dy."""
    kernel = w.shape[2:]
    full = [s * (o - 1) + d * (k - 1) + 1 for o, k, s, d in zip(dy.shape[2:], kernel, strides, dilations)]
    output_padding = [i - (f - pb - pe) for i, f, pb, pe in zip(x.shape[2:], full, pads_begin, pads_end)]
    dx = conv_transpose(dy, w, None, group, strides, dilations, pads_begin, pads_end, output_padding)
    return dx, correlate(x, dy, group, strides, dilations, pads_begin, pads_end, kernel)


def conv_transpose_gradients(x, w, dy, group, strides, dilations, pads_begin, pads_end):
    """dx and dw of ONNX ConvTranspose, the adjoint of a conv over its output: dx is that conv
    of dy with the same weights (its first in-size positions: output_padding adds positions no
    input reaches), dw the correlation of dy with x, read as [C, M/group, *k]."""
    in_sizes = x.shape[2:]
    dx = conv(dy, w, None, group, strides, dilations, pads_begin, pads_end)
    dx = dx[(slice(None), slice(None)) + tuple(slice(0, i) for i in in_sizes)]
    return dx, correlate(dy, x, group, strides, dilations, pads_begin, pads_end, w.shape[2:])


def gradient(request):
    """The reply fields of one gradient request: dx, dw and, when b is sent, db."""
    check(request)
    problem, resolved = request["problem"], request["resolved"]
    x, w, dy = decode(request["x"]), decode(request["w"]), decode(request["dy"])
    rank = x.ndim - 2
    pads = resolved["pads"]
    args = (problem["group"], problem["strides"], problem["dilations"], pads[:rank], pads[rank:])
    if problem["op"] == "conv":
        dx, dw = conv_gradients(x, w, dy, *args)
    else:
        dx, dw = conv_transpose_gradients(x, w, dy, *args)
    if dx.shape != x.shape or dw.shape != w.shape:
        raise ValueError(f"computed dx {list(dx.shape)} and dw {list(dw.shape)} but x is {list(x.shape)} and w {list(w.shape)}")
    fields = {"dx": encode(dx), "dw": encode(dw)}
    if "b" in request:
        fields["db"] = encode(dy.sum(axis=tuple(a for a in range(dy.ndim) if a != 1)))
    return fields


def check(request):
    """Refuses an ill-formed request with a ValueError naming the field, its value and the rule of
    ONNX Conv / ConvTranspose it breaks; the tensors' shapes are checked against the attributes."""
    problem = request["problem"]
    op, kernel, group = problem.get("op"), problem.get("kernel_shape"), problem.get("group")
    if op not in ("conv", "convTranspose"):
        raise ValueError(f"problem.op={op!r}: must be conv or convTranspose")
    if not isinstance(kernel, list) or len(kernel) not in (1, 2, 3):
        raise ValueError(f"problem.kernel_shape={kernel}: must list 1, 2 or 3 spatial sizes")
    rank = len(kernel)
    x_shape, w_shape = request["x"]["shape"], request["w"]["shape"]
    for name, shape in (("x", x_shape), ("w", w_shape)):
        if len(shape) != rank + 2 or any(size < 1 for size in shape):
            raise ValueError(f"{name}.shape={shape}: must have rank {rank + 2} (kernel_shape={kernel} has {rank} axes) and sizes >= 1")

    def per_axis(name, count, minimum):
        values = problem.get(name)
        if not isinstance(values, list) or len(values) != count or any(not isinstance(v, int) or v < minimum for v in values):
            raise ValueError(f"problem.{name}={values}: must be {count} integers >= {minimum}")
        return values

    kernel, strides, dilations = per_axis("kernel_shape", rank, 1), per_axis("strides", rank, 1), per_axis("dilations", rank, 1)
    pads, output_padding = per_axis("pads", 2 * rank, 0), per_axis("output_padding", rank, 0)
    auto_pad = problem.get("auto_pad")
    if auto_pad not in ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"):
        raise ValueError(f"problem.auto_pad={auto_pad!r}: must be NOTSET, SAME_UPPER, SAME_LOWER or VALID")
    if auto_pad != "NOTSET" and any(pads):
        raise ValueError(f"problem.pads={pads}: must be all zero with auto_pad={auto_pad} (ONNX: they cannot be used together)")
    if not isinstance(group, int) or group < 1:
        raise ValueError(f"problem.group={group}: must be an integer >= 1")
    channels = x_shape[1]
    if channels % group:
        raise ValueError(f"problem.group={group}: must divide the input channels C={channels}")
    if op == "conv":
        out_channels = w_shape[0]
        if out_channels % group:
            raise ValueError(f"problem.group={group}: must divide the output channels M={out_channels} (w.shape[0])")
        if any(output_padding):
            raise ValueError(f"problem.output_padding={output_padding}: is a ConvTranspose attribute, must be zeros for conv")
        expected_w = [out_channels, channels // group] + kernel
    else:
        out_channels = w_shape[1] * group
        for a, (p, s, d) in enumerate(zip(output_padding, strides, dilations)):
            if p >= max(s, d):
                raise ValueError(f"problem.output_padding[{a}]={p}: must be smaller than the stride {s} or the dilation {d}")
        expected_w = [channels, w_shape[1]] + kernel
    if w_shape != expected_w:
        layout = "[M, C/group, *kernel_shape]" if op == "conv" else "[C, M/group, *kernel_shape]"
        raise ValueError(f"w.shape={w_shape}: must be {layout} = {expected_w} (C={channels}, group={group})")
    if problem.get("bias") is not ("b" in request):
        raise ValueError(f"problem.bias={problem.get('bias')}: the request {'has' if 'b' in request else 'has no'} b")
    if "b" in request and request["b"]["shape"] != [out_channels]:
        raise ValueError(f"b.shape={request['b']['shape']}: must be [M] = [{out_channels}]")
    if auto_pad in ("NOTSET", "VALID") and "output_shape" not in problem:
        for a, (i, k, s, d) in enumerate(zip(x_shape[2:], kernel, strides, dilations)):
            begin, end = pads[a], pads[rank + a]
            size = (i + begin + end - d * (k - 1) - 1) // s + 1 if op == "conv" else s * (i - 1) + output_padding[a] + d * (k - 1) + 1 - begin - end
            if size < 1:
                raise ValueError(f"problem.kernel_shape[{a}]={k}: the output size on axis {a} would be {size} (input {i}, pads {begin}+{end}, stride {s}, dilation {d})")


def run(request):
    """The output array of one run request (refused by `check` when it is ill-formed)."""
    check(request)
    problem, resolved = request["problem"], request["resolved"]
    x, w = decode(request["x"]), decode(request["w"])
    b = decode(request["b"]) if "b" in request else None
    rank = x.ndim - 2
    pads = resolved["pads"]
    args = (problem["group"], problem["strides"], problem["dilations"], pads[:rank], pads[rank:])
    if problem["op"] == "conv":
        y = conv(x, w, b, *args)
    else:
        y = conv_transpose(x, w, b, *args, problem["output_padding"])
    if list(y.shape) != resolved["y_shape"]:
        raise ValueError(f"computed y shape {list(y.shape)} but convcheck expects {resolved['y_shape']}")
    return y


INT_DTYPES = {"uint8": "u1", "int8": "i1", "int32": "<i4"}
FLOAT32_MAX = float(np.finfo(np.float32).max)
RANGES = {"uint8": (0, 255), "int8": (-128, 127)}


def decode_ints(wire):
    """An integer wire tensor {"shape", "dtype": uint8 | int8 | int32, "data": base64 of raw little-endian values} as int64."""
    data = np.frombuffer(base64.b64decode(wire["data"], validate=True), dtype=INT_DTYPES[wire["dtype"]])
    return data.reshape(wire["shape"]).astype(np.int64)


def encode_ints(array, dtype):
    """An array as an integer wire tensor of `dtype`."""
    data = np.ascontiguousarray(array, dtype=INT_DTYPES[dtype]).tobytes()
    return {"shape": list(array.shape), "dtype": dtype, "data": base64.b64encode(data).decode("ascii")}


def check_quantized(request):
    """Refuses an ill-formed run_quantized request with a ValueError naming the field, its value and
    the rule of ONNX ConvInteger / QLinearConv it breaks: the Conv attributes and shapes (`check`),
    then the quantization parameters."""
    problem = request["problem"]
    operator = problem.get("operator")
    if operator not in ("ConvInteger", "QLinearConv"):
        raise ValueError(f"problem.operator={operator!r}: must be ConvInteger or QLinearConv")
    check(request)
    for name in ("x", "w"):
        dtype = problem.get(f"{name}_type")
        if dtype not in RANGES or request[name]["dtype"] != dtype:
            raise ValueError(f"problem.{name}_type={dtype!r}: must be uint8 or int8, the dtype of {name} ({request[name]['dtype']!r})")
    out_channels = request["w"]["shape"][0]
    per_channel = problem.get("per_channel")

    def zero_point(name, value, dtype):
        low, high = RANGES[dtype]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"problem.{name}={value!r}: must be a value of its tensor's type {dtype} ({low} to {high})")

    def per_tensor_or_channel(name, value, each):
        if per_channel:
            if not isinstance(value, list) or len(value) != out_channels:
                raise ValueError(f"problem.{name}={value!r}: per channel, must hold one value per output channel (M={out_channels})")
            for v in value:
                each(v)
        else:
            if isinstance(value, list):
                raise ValueError(f"problem.{name}={value!r}: per tensor, must be one value (per_channel is false)")
            each(value)

    zero_point("x_zero_point", problem.get("x_zero_point"), problem["x_type"])
    per_tensor_or_channel("w_zero_point", problem.get("w_zero_point"), lambda v: zero_point("w_zero_point", v, problem["w_type"]))
    if operator == "ConvInteger":
        if "b" in request or problem.get("bias"):
            raise ValueError("problem.bias: ConvInteger has no bias input (its inputs are x, w, x_zero_point, w_zero_point)")
        return

    def scale(name, value):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= FLOAT32_MAX:
            raise ValueError(f"problem.{name}={value!r}: must be a finite float32 > 0")

    scale("x_scale", problem.get("x_scale"))
    scale("y_scale", problem.get("y_scale"))
    # ONNX QLinearConv: "Each scale and zero-point pair must have same shape"
    per_tensor_or_channel("w_scale", problem.get("w_scale"), lambda v: scale("w_scale", v))
    y_type = problem.get("y_type")
    if y_type not in RANGES:
        raise ValueError(f"problem.y_type={y_type!r}: must be uint8 or int8")
    zero_point("y_zero_point", problem.get("y_zero_point"), y_type)
    if "b" in request and request["b"]["dtype"] != "int32":
        raise ValueError(f"b.dtype={request['b']['dtype']!r}: B is int32")


def run_quantized(request):
    """ConvInteger and QLinearConv: the float conv above of (x - x_zero_point) and (w - w_zero_point),
    whose zero padding is then x_zero_point's; products are below 2^16 and sums below 2^47, so the
    float64 sums are exact integers. QLinearConv adds B, scales by x_scale*w_scale/y_scale in
    float64, rounds half to even (np.rint), adds y_zero_point and saturates. Ill-formed requests
    are refused by `check_quantized`."""
    check_quantized(request)
    problem, resolved = request["problem"], request["resolved"]
    x, w = decode_ints(request["x"]), decode_ints(request["w"])
    rank, channels = x.ndim - 2, w.shape[0]
    per_channel = [channels] + [1] * (w.ndim - 1)
    w_zero_point = np.broadcast_to(np.asarray(problem["w_zero_point"], dtype=np.int64), (channels,)).reshape(per_channel)
    pads = resolved["pads"]
    acc = conv((x - problem["x_zero_point"]).astype(np.float64), (w - w_zero_point).astype(np.float64), None,
               problem["group"], problem["strides"], problem["dilations"], pads[:rank], pads[rank:])
    if problem["operator"] == "ConvInteger":
        return encode_ints(acc, "int32")
    out = [1, channels] + [1] * rank
    if "b" in request:
        acc = acc + decode_ints(request["b"]).reshape(out)
    w_scale = np.broadcast_to(np.asarray(problem["w_scale"], dtype=np.float64), (channels,)).reshape(out)
    real = acc * (problem["x_scale"] * w_scale / problem["y_scale"])
    low, high = RANGES[problem["y_type"]]
    return encode_ints(np.clip(np.rint(real) + problem["y_zero_point"], low, high), problem["y_type"])


def send(message):
    """One protocol line; flushed, because stdout to a pipe is block-buffered."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(name=NAME):
    send({"type": "hello", "protocol": 2, "name": name, "version": VERSION,
          "precision": "fp32", "ops": ["conv", "convTranspose"], "gradients": ["conv", "convTranspose"],
          "quantized_ops": ["ConvInteger", "QLinearConv"]})
    for line in iter(sys.stdin.readline, ""):
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            if request["type"] == "gradient":
                send({"type": "result", "id": request["id"], **gradient(request)})
            elif request["type"] == "run_quantized":
                send({"type": "result", "id": request["id"], "y": run_quantized(request)})
            else:
                send({"type": "result", "id": request["id"], "y": encode(run(request))})
        except Exception as error:  # an error reply, never a dead process
            send({"type": "error", "id": request.get("id"), "message": f"{type(error).__name__}: {error}"})


if __name__ == "__main__":
    main()
