"""The request stream shared by the bench's outside anchors (numpy_anchor.py, torch_anchor.py).

`npm run bench` writes one JSON problem per line on stdin; each anchor answers one JSON line per
problem on stdout (`answer`), flushed so the bench can read it before sending the next.
"""
import json
import sys


def requests():
    """Each problem of stdin, as a dict (blank lines skipped)."""
    for line in sys.stdin:
        if line.strip():
            yield json.loads(line)


def answer(reply):
    """One JSON line on stdout, flushed."""
    print(json.dumps(reply), flush=True)
