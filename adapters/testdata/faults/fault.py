"""What the fault programs of this folder share: each is a correct implementation (examples/numpy_conv.py)
with one fault, so that a gate against it shows that fault and nothing else.

PIDFILE (environment): a file each process appends its pid to, one line per process (and per
grandchild it starts), so that a test can check that no process is left behind.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples"))
import numpy_conv  # noqa: E402  (the correct implementation)


def record_pid(pid=None):
    """Appends a pid (default: this process's) to $PIDFILE."""
    if "PIDFILE" in os.environ:
        with open(os.environ["PIDFILE"], "a") as pidfile:
            pidfile.write(f"{pid or os.getpid()}\n")


def send(message):
    """One protocol line, flushed."""
    sys.stdout.write((message if isinstance(message, str) else json.dumps(message)) + "\n")
    sys.stdout.flush()


def hello(name, quantized=False):
    """The hello of the numpy example (without its quantized ops unless `quantized`)."""
    send({"type": "hello", "protocol": 2, "name": name, "version": "0.0.1", "precision": "fp32",
          "ops": ["conv", "convTranspose"], "gradients": ["conv", "convTranspose"],
          **({"quantized_ops": ["ConvInteger", "QLinearConv"]} if quantized else {})})


def requests():
    """The requests on stdin, one dict each, until stdin closes."""
    for line in iter(sys.stdin.readline, ""):
        if line.strip():
            yield json.loads(line)


def correct_reply(request):
    """numpy_conv's reply to a request: a result, or an error reply for a request it refuses."""
    try:
        if request["type"] == "gradient":
            return {"type": "result", "id": request["id"], **numpy_conv.gradient(request)}
        if request["type"] == "run_quantized":
            return {"type": "result", "id": request["id"], "y": numpy_conv.run_quantized(request)}
        return {"type": "result", "id": request["id"], "y": numpy_conv.encode(numpy_conv.run(request))}
    except Exception as error:  # noqa: BLE001  (any refusal is an error reply)
        return {"type": "error", "id": request.get("id"), "message": f"{type(error).__name__}: {error}"}


def grandchild():
    """Starts `sleep 600` as a child that inherits stdout (it holds the pipe open), and records its pid."""
    child = subprocess.Popen(["sleep", "600"], stdin=subprocess.DEVNULL)
    record_pid(child.pid)
    return child


def ignore_termination():
    """SIGTERM, SIGINT and SIGHUP do nothing from now on: only SIGKILL ends this process."""
    import signal
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
