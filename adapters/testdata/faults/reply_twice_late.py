"""Fault: answers every request correctly, and 0.3 s later writes the same reply again, while no
request is outstanding. Expected: the process is killed when that line comes and the backend is
broken, naming the request it followed; in `convcheck run`, one request, the command still
reports it and fails."""
import time
import fault

fault.record_pid()
fault.hello("reply-twice-late")
for request in fault.requests():
    reply = fault.correct_reply(request)
    fault.send(reply)
    time.sleep(0.3)
    fault.send(reply)
