"""Fault: exits with code 1 right after its hello, before reading any request (a driver that fails
to initialise). Expected: a few errors naming the exit, then the backend is broken and every
remaining case is an error at once, without restarting it for each."""
import sys
import fault

fault.record_pid()
fault.hello("crash-after-hello")
sys.stderr.write("fatal: CUDA driver version is insufficient for CUDA runtime version\n")
sys.exit(1)
