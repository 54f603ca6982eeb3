"""Fault: hangs on every request, ignoring stdin and SIGTERM / SIGINT, and on the first one starts a
grandchild that holds stdout (recorded in $PIDFILE: two pids there mean a request is outstanding).
Expected: a time-out error per request within the limit, the process group killed each time, the
gate stopped after a few; on Ctrl-C or SIGTERM to convcheck, both processes ended."""
import time
import fault

fault.record_pid()
fault.ignore_termination()
fault.hello("hang")
for request in fault.requests():
    fault.grandchild()
    while True:
        time.sleep(60)
