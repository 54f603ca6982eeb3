#!/usr/bin/env python3
"""A protocol implementation that writes hostile text on purpose, one way per MODE (argv[1]), for
the tests of adapters/process-backend.ts that check that nothing it writes reaches convcheck's
terminal raw or crashes convcheck. Standard library only.

Modes:
  hello-twice       writes its hello twice, in one write
  hello-deep-name   a hello whose name is an object nested 20,000 levels deep
  hello-ctrl-name   a hello whose name holds a newline and ANSI colour codes
  error-ctrl        answers an error whose message clears the screen and sets the window title
  error-huge        answers an error with a message of 10,000,000 characters
  error-deep        answers an error whose message is an object nested 20,000 levels deep
  unsupported-empty answers unsupported with an empty reason
  stderr-ctrl       on a request, writes escape sequences to stderr and exits 7
"""
import json
import sys

MODE = sys.argv[1]
DEEP = '{"a":' * 20000 + "1" + "}" * 20000
HELLO = {"type": "hello", "protocol": 1, "name": "hostile-" + MODE, "version": "0.0.1", "precision": "fp32",
         "ops": ["conv", "convTranspose"]}


def send(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


if MODE == "hello-twice":
    send(json.dumps(HELLO) + "\n" + json.dumps(HELLO))
elif MODE == "hello-deep-name":
    send('{"type":"hello","protocol":1,"name":%s,"version":"1","precision":"fp32","ops":["conv"]}' % DEEP)
elif MODE == "hello-ctrl-name":
    send(json.dumps(dict(HELLO, name="a\nb\u001b[31mRED\u001b[0m")))
else:
    send(json.dumps(HELLO))

for line in iter(sys.stdin.readline, ""):
    rid = json.loads(line)["id"]
    if MODE == "error-ctrl":
        send(json.dumps({"type": "error", "id": rid, "message": "line1\nline2\u001b[2J\u001b]0;pwned\u0007\r\u009b31m\u007f"}))
    elif MODE == "error-huge":
        send(json.dumps({"type": "error", "id": rid, "message": "E" * 10_000_000}))
    elif MODE == "error-deep":
        send('{"type":"error","id":%d,"message":%s}' % (rid, DEEP))
    elif MODE == "unsupported-empty":
        send(json.dumps({"type": "unsupported", "id": rid, "reason": ""}))
    elif MODE == "stderr-ctrl":
        sys.stderr.write("\u001b]0;pwned\u0007\u001b[2J\rfatal: out of memory\n")
        sys.stderr.flush()
        sys.exit(7)
