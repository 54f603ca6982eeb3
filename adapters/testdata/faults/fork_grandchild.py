"""Fault: starts a grandchild that inherits stdout and outlives it (as a shell wrapper's
background job does), then crashes with exit code 5 on the first request. Expected: an error
naming exit code 5 (not "did not answer": the grandchild holds the pipe open), and the
grandchild ended with the process group."""
import sys
import fault

fault.record_pid()
fault.grandchild()
fault.hello("fork-grandchild")
for request in fault.requests():
    sys.stderr.write("Segmentation fault in conv2d_kernel\n")
    sys.stderr.flush()
    sys.exit(5)
