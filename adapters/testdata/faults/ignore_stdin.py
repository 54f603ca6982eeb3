"""Fault: answers every request correctly, but when stdin closes it keeps running, ignoring
SIGTERM (a worker pool that never shuts down). Expected: the gate passes; the process is killed
(SIGKILL to its group) after the grace period, and none is left behind."""
import time
import fault

fault.record_pid()
fault.ignore_termination()
fault.hello("ignore-stdin")
for request in fault.requests():
    fault.send(fault.correct_reply(request))
while True:
    time.sleep(60)
