"""Fault: writes every (correct) reply twice. Expected: a protocol error on the request that was
answered twice, where it happens, not on the next one."""
import fault

fault.record_pid()
fault.hello("reply-twice")
for request in fault.requests():
    reply = fault.correct_reply(request)
    fault.send(reply)
    fault.send(reply)
