"""Fault: never writes its hello (stdout left buffered, or a start-up that hangs), ignoring SIGTERM.
Expected: the backend cannot be created (no hello within the hello's time limit), and the process
is killed."""
import time
import fault

fault.record_pid()
fault.ignore_termination()
while True:
    time.sleep(60)
