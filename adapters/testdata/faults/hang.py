"""Fault: hangs on every request, ignoring stdin and SIGTERM / SIGINT. Expected: a time-out error
per request within the limit, the process group killed each time, the gate stopped after a few."""
import time
import fault

fault.record_pid()
fault.ignore_termination()
fault.hello("hang")
for request in fault.requests():
    while True:
        time.sleep(60)
