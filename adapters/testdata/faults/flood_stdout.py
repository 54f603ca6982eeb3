"""Fault: on the first request, writes to stdout without end and without a newline (a runaway
debug print). Expected: an error (the line over the protocol's limit, or no reply within the
time limit), the process killed, convcheck's memory bounded."""
import sys
import fault

fault.record_pid()
fault.hello("flood-stdout")
block = "x" * (1 << 20)
for request in fault.requests():
    while True:
        sys.stdout.write(block)
