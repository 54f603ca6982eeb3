"""Fault: writes every (correct) reply twice, back to back in one write (a reply printed twice
before a flush). Expected: a protocol error on the request that was answered twice, where it
happens, not on the next one; after three, the backend is broken."""
import json
import fault

fault.record_pid()
fault.hello("reply-twice")
for request in fault.requests():
    line = json.dumps(fault.correct_reply(request))
    fault.send(line + "\n" + line)
