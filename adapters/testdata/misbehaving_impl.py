#!/usr/bin/env python3
"""A protocol implementation that misbehaves on purpose, one way per MODE (argv[1]), for the
robustness tests of adapters/process-backend.ts. Where it answers at all, it answers zeros of the
shape convcheck expects, unless the mode is about the answer itself.

Modes:
  ok            answers every request with zeros
  exit          writes two stderr lines and exits 3 before the hello
  bad-hello     hello with protocol 3
  conv-only     hello with ops ["conv"] and limits.spatial_ranks [2]; answers zeros
  crash         hello, then on the first request writes a traceback-like stderr and exits 7
  hang-iw7      hello; hangs on requests whose input width is 7, answers zeros otherwise
  slow          hello; answers every request with zeros after 0.4 s
  cr-ending     hello, then answers with its line ended by "\r" alone (no "\n")
  garbage       hello, then answers a request with a line that is not JSON
  wrong-id      hello, then answers with id + 100
  wrong-shape   hello, then answers with y of shape [1]
  truncated     hello, then answers with base64 two bytes short
  not-base64    hello, then answers with data containing "!"
  unsupported   hello, then answers unsupported
  error         hello, then answers error
  twice         hello, then answers each request twice, back to back (one write of both lines)
  twice-late    hello, then answers each request, and again 0.3 s later
  short-for-shape  hello, then answers with shape y_shape but the data of two elements
  long-line     hello, then answers with a line of 100,000 characters
  silent-exit   hello, then exits 0 after answering one request
  crash-every-other  hello, answers one request, then crashes (exit 7) on the next

Gradient modes (protocol 2); run requests get zeros, gradient requests as the mode says:
  grad-ok          hello declaring gradients of conv and convTranspose; zeros dx, dw (and db with b)
  grad-conv-only   hello declaring gradients of conv only; zeros
  grad-v1          protocol 1 hello with a gradients field (refused: gradients need protocol 2)
  grad-not-in-ops  ops ["conv"] but gradients ["convTranspose"] (refused)
  grad-y           answers a gradient request with y, as if it were a run
  grad-wrong-shape dx of shape [1]
  grad-no-dw       no dw
  grad-bad-base64  dw data containing "!"
  grad-truncated   dx base64 two bytes short
  grad-no-db       no db although the request carries b
  grad-extra-db    a db although the request carries no b
  grad-unsupported answers unsupported
  grad-error       answers error
"""
import base64
import json
import os
import sys
import time

MODE = sys.argv[1]
if "PIDFILE" in os.environ:  # lets a test check that a killed process is really gone
    with open(os.environ["PIDFILE"], "a") as pidfile:
        pidfile.write(f"{os.getpid()}\n")


def send(message):
    sys.stdout.write((message if isinstance(message, str) else json.dumps(message)) + "\n")
    sys.stdout.flush()


def zeros(shape, drop_bytes=0):
    count = 1
    for s in shape:
        count *= s
    return {"shape": shape, "data": base64.b64encode(bytes(4 * count - drop_bytes)).decode("ascii")}


def hello(protocol=1, ops=("conv", "convTranspose"), limits=None, gradients=None):
    message = {"type": "hello", "protocol": protocol, "name": "misbehaving-" + MODE, "version": "0.0.1",
               "precision": "fp32", "ops": list(ops)}
    if limits is not None:
        message["limits"] = limits
    if gradients is not None:
        message["gradients"] = gradients
    send(message)


def answer_gradient(request):
    """The reply to a gradient request in a grad-* mode: zeros of the right shapes unless the mode breaks them."""
    rid = request["id"]
    if MODE == "grad-unsupported":
        return {"type": "unsupported", "id": rid, "reason": "no weight gradient for grouped conv"}
    if MODE == "grad-error":
        return {"type": "error", "id": rid, "message": "autograd failed"}
    if MODE == "grad-y":
        return {"type": "result", "id": rid, "y": zeros(request["resolved"]["y_shape"])}
    reply = {"type": "result", "id": rid, "dx": zeros(request["x"]["shape"]), "dw": zeros(request["w"]["shape"])}
    if "b" in request or MODE == "grad-extra-db":
        reply["db"] = zeros([request["w"]["shape"][0] if "b" not in request else request["b"]["shape"][0]])
    if MODE == "grad-wrong-shape":
        reply["dx"] = zeros([1])
    elif MODE == "grad-no-dw":
        del reply["dw"]
    elif MODE == "grad-bad-base64":
        reply["dw"] = {"shape": request["w"]["shape"], "data": "AAAA!AAA"}
    elif MODE == "grad-truncated":
        reply["dx"] = zeros(request["x"]["shape"], drop_bytes=2)
    elif MODE == "grad-no-db":
        reply.pop("db", None)
    return reply


if MODE == "exit":
    sys.stderr.write("starting up\nfatal: no GPU found\n")
    sys.exit(3)
if MODE == "bad-hello":
    hello(protocol=3)
elif MODE == "conv-only":
    hello(ops=("conv",), limits={"spatial_ranks": [2]})
elif MODE == "grad-v1":
    hello(gradients=["conv"])
elif MODE == "grad-not-in-ops":
    hello(protocol=2, ops=("conv",), gradients=["convTranspose"])
elif MODE == "grad-conv-only":
    hello(protocol=2, gradients=["conv"])
elif MODE.startswith("grad-"):
    hello(protocol=2, gradients=["conv", "convTranspose"])
else:
    hello()

for line in iter(sys.stdin.readline, ""):
    request = json.loads(line)
    rid, y_shape = request["id"], request["resolved"]["y_shape"]
    if request["type"] == "gradient":
        send(answer_gradient(request))
        continue
    if MODE == "crash-every-other" and rid % 2 == 0:
        sys.stderr.write("crashed\n")
        sys.stderr.flush()
        sys.exit(7)
    if MODE == "crash":
        sys.stderr.write("Traceback (most recent call last):\n  File \"impl.py\", line 9\nZeroDivisionError: division by zero\n")
        sys.stderr.flush()
        sys.exit(7)
    if MODE == "hang-iw7" and request["x"]["shape"][-1] == 7:
        time.sleep(60)
    if MODE == "slow":
        time.sleep(0.4)
    if MODE == "garbage":
        send("computing conv... done")
    elif MODE == "wrong-id":
        send({"type": "result", "id": rid + 100, "y": zeros(y_shape)})
    elif MODE == "wrong-shape":
        send({"type": "result", "id": rid, "y": zeros([1])})
    elif MODE == "short-for-shape":
        send({"type": "result", "id": rid, "y": {"shape": y_shape, "data": zeros([2])["data"]}})
    elif MODE == "long-line":
        send({"type": "result", "id": rid, "y": {"shape": y_shape, "data": "A" * 100000}})
    elif MODE == "truncated":
        send({"type": "result", "id": rid, "y": zeros(y_shape, drop_bytes=2)})
    elif MODE == "not-base64":
        send({"type": "result", "id": rid, "y": {"shape": y_shape, "data": "AAAA!AAA"}})
    elif MODE == "unsupported":
        send({"type": "unsupported", "id": rid, "reason": "dilated transposed conv is not implemented"})
    elif MODE == "error":
        send({"type": "error", "id": rid, "message": "out of device memory"})
    elif MODE == "cr-ending":
        sys.stdout.write(json.dumps({"type": "result", "id": rid, "y": zeros(y_shape)}) + "\r")
        sys.stdout.flush()
    elif MODE == "twice":
        line = json.dumps({"type": "result", "id": rid, "y": zeros(y_shape)})
        send(line + "\n" + line)  # one write: both lines reach convcheck together
    else:
        # written by hand rather than json.dumps: dumping a 45 MB string took Python seconds (the large-reply test)
        send('{"type": "result", "id": %d, "y": {"shape": %s, "data": "%s"}}' % (rid, json.dumps(y_shape), zeros(y_shape)["data"]))
        if MODE == "twice-late":
            time.sleep(0.3)
            send({"type": "result", "id": rid, "y": zeros(y_shape)})
        if MODE == "silent-exit":
            sys.exit(0)
